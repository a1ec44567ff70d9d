/**
 * The postMessage baseline's consumer in the topology throughput scenarios: the same stages as
 * the bus (`stages` sums, one per handler) run in order for every message, on one worker, as a
 * Node user would write it. { cmd: 'count', n, ports? } arms it for n values, arriving on
 * parentPort or on the given MessagePorts (three-to-one); after the n-th it replies
 * { type: 'counted', sums }.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { tryPin } from '../lib/placement.js';

const port = parentPort!;
const { cpu, stages } = workerData as { cpu: number; stages: number };
const pinned = tryPin(cpu);
const sums = new Float64Array(stages);
let expected = 0;
let received = 0;

function onValue(v: number): void {
  for (let s = 0; s < stages; s++) sums[s]! += v;
  if (++received === expected) port.postMessage({ type: 'counted', sums: Array.from(sums) });
}

port.on('message', (m: number | { cmd: 'count'; n: number; ports?: MessagePort[] }) => {
  if (typeof m === 'number') return onValue(m);
  expected = m.n;
  received = 0;
  sums.fill(0);
  for (const p of m.ports ?? []) p.on('message', onValue);
});
port.postMessage({ type: 'ready', cpu: pinned });
