/**
 * The ponger thread of the ping-pong scenario. Pins itself to `workerData.cpu` (when it can),
 * installs the native sched_yield for the yielding strategy, says `ready`, then serves:
 *   a number                  postMessage baseline: posts the same number straight back;
 *   { cmd: 'ring', ping, pong, line }
 *                             attaches ring `ping` (as the consumer owning sequence line
 *                             `line`) and ring `pong` (as its single producer), says
 *                             `ring-ready`, then for every ping publishes a pong carrying the
 *                             same id and sentNs, until `ping` is halted; then says
 *                             { type: 'ring-done', count }.
 *   { cmd: 'raw', ping, pong } the raw Atomics round trip (the scenario's limit): says `raw-ready`,
 *                             echoes every id stored in ping[RAW_CELL] into pong[RAW_CELL],
 *                             spinning on Atomics.load, until RAW_STOP; then says
 *                             { type: 'raw-done', count }.
 * While in the ring loop this thread does not run its event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer, type RingDescriptor } from '../../src/index.js';
import { installNativeYield } from '../../src/native/index.js';
import { tryPin } from '../lib/placement.js';
import { RAW_CELL, RAW_STOP, type PingFlyweight } from './pingPongEvent.js';

interface RingCommand {
  cmd: 'ring';
  ping: RingDescriptor;
  pong: RingDescriptor;
  line: number;
}

const port = parentPort!;
const cpu = tryPin((workerData as { cpu: number }).cpu);
const nativeYield = installNativeYield();

/** Echoes every ping as a pong until the ping ring halts. Allocation-free per event. */
function echoUntilHalted(c: RingCommand): number {
  const ping = RingBuffer.attach<PingFlyweight>(c.ping);
  const pong = RingBuffer.attach<PingFlyweight>(c.pong);
  const sequence = ping.attachSequence(c.line);
  const barrier = ping.newBarrier();
  const out = pong.flyweight();
  let next = sequence.get() + 1;
  let count = 0;
  port.postMessage({ type: 'ring-ready' });
  for (;;) {
    const available = barrier.waitFor(next);
    if (available < 0) break; // ALERTED: the measurement is over
    for (let s = next; s <= available; s++) {
      const e = ping.get(s);
      const p = pong.next();
      out.$wrap(pong.slotOffset(p));
      out.id = e.id;
      out.sentNs = e.sentNs;
      pong.publish(p);
    }
    count += available - next + 1;
    sequence.set(available);
    ping.signalProgress();
    next = available + 1;
  }
  return count;
}

interface RawCommand {
  cmd: 'raw';
  ping: SharedArrayBuffer;
  pong: SharedArrayBuffer;
}

/** The raw round trip's far side: no ring, no barrier, just the two cells. Allocation-free. */
function echoRaw(c: RawCommand): number {
  const ping = new Int32Array(c.ping);
  const pong = new Int32Array(c.pong);
  let last = Atomics.load(ping, RAW_CELL);
  let count = 0;
  port.postMessage({ type: 'raw-ready' });
  for (;;) {
    const v = Atomics.load(ping, RAW_CELL);
    if (v === last) continue;
    if (v === RAW_STOP) return count;
    last = v;
    count++;
    Atomics.store(pong, RAW_CELL, v);
  }
}

port.on('message', (m: number | RingCommand | RawCommand) => {
  if (typeof m === 'number') port.postMessage(m);
  else if (m.cmd === 'ring') port.postMessage({ type: 'ring-done', count: echoUntilHalted(m) });
  else if (m.cmd === 'raw') port.postMessage({ type: 'raw-done', count: echoRaw(m) });
});
port.postMessage({ type: 'ready', cpu, nativeYield });
