/**
 * The far side of the peer and limit runs (lib/peerRuns.ts): a worker that pins itself, says
 * `ready`, then serves one command at a time, each a synchronous loop that ends with a reply:
 *   { cmd: 'raw-spsc', ctl, data, n }    raw SPSC ring (the machine's limit for throughput): read
 *                                        n values, publish the read index after each batch seen
 *   { cmd: 'ringbufjs', storage, ctl, n, width } ringbuf.js (the peer library): pop until n events
 *                                        of `width` values came, summing each event's first value
 *   both reply { type: 'consumed', sum, count } after the n-th value; each stores its progress
 *   into ctl so the producer can time the run without waiting for this thread's reply.
 * Every loop allocates nothing per value (the pop buffer is allocated once per run).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer as RingbufJs } from 'ringbuf.js';
import { tryPin } from '../lib/placement.js';
import { READ_INDEX, WRITE_INDEX } from './peerCells.js';

type Command =
  | { cmd: 'raw-spsc'; ctl: SharedArrayBuffer; data: SharedArrayBuffer; n: number }
  | { cmd: 'ringbufjs'; storage: SharedArrayBuffer; ctl: SharedArrayBuffer; n: number; width: number };

const port = parentPort!;
const cpu = tryPin((workerData as { cpu: number }).cpu);

function rawSpsc(ctl: Int32Array, data: Float64Array, n: number): number {
  const mask = data.length - 1;
  let read = 0;
  let sum = 0;
  while (read < n) {
    const written = Atomics.load(ctl, WRITE_INDEX);
    if (written === read) continue;
    for (let i = read; i < written; i++) sum += data[i & mask]!;
    read = written;
    Atomics.store(ctl, READ_INDEX, read);
  }
  return sum;
}

function ringbufJs(rb: RingbufJs, ctl: Int32Array, n: number, width: number): number {
  const buffer = new Float64Array(256 * width);
  const values = n * width;
  let popped = 0;
  let sum = 0;
  while (popped < values) {
    const k = rb.pop(buffer);
    if (k === 0) continue;
    // a push into a nearly full ring may split an event: start at the first event start in this pop
    for (let i = (width - (popped % width)) % width; i < k; i += width) sum += buffer[i]!;
    popped += k;
    Atomics.store(ctl, READ_INDEX, (popped / width) | 0);
  }
  return sum;
}

port.on('message', (m: Command) => {
  port.postMessage({ type: 'started' });
  if (m.cmd === 'raw-spsc') {
    const sum = rawSpsc(new Int32Array(m.ctl), new Float64Array(m.data), m.n);
    port.postMessage({ type: 'consumed', sum, count: m.n });
  } else {
    const sum = ringbufJs(new RingbufJs(m.storage, Float64Array), new Int32Array(m.ctl), m.n, m.width);
    port.postMessage({ type: 'consumed', sum, count: m.n });
  }
});
port.postMessage({ type: 'ready', cpu });
