/**
 * Consumer thread of the one-to-one scenario. Pins itself (when it can), says `ready`, then
 * serves two kinds of run from the main thread, one after the other:
 *   { cmd: 'count', n }  baseline: receive n numbers by postMessage (one message each), reply
 *                        { type: 'counted', sum } after the n-th;
 *   { cmd: 'ring' }      consume the ring until it is halted: for every event add its value to
 *                        a sum, release the batch (seq.set + signalProgress); then reply
 *                        { type: 'ring-done', sum, count }.
 * While in the ring loop this thread does not run its event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer, type Flyweight, type RingDescriptor } from '../../src/index.js';
import { tryPin } from '../lib/placement.js';

interface ValueFlyweight extends Flyweight {
  value: number;
}

const data = workerData as { descriptor: RingDescriptor; line: number; cpu: number };
const port = parentPort!;
const cpu = tryPin(data.cpu);
const ring = RingBuffer.attach<ValueFlyweight>(data.descriptor);
const sequence = ring.attachSequence(data.line);
const barrier = ring.newBarrier();

/** The consume loop (allocation-free): returns once the ring is halted. */
function consumeUntilHalted(): { sum: number; count: number } {
  let next = sequence.get() + 1;
  let sum = 0;
  let count = 0;
  for (;;) {
    const available = barrier.waitFor(next);
    if (available < 0) break; // ALERTED: the run is over
    for (let s = next; s <= available; s++) sum += ring.get(s).value;
    count += available - next + 1;
    sequence.set(available);
    ring.signalProgress();
    next = available + 1;
  }
  return { sum, count };
}

let expected = 0;
let received = 0;
let sum = 0;
port.on('message', (m: number | { cmd: 'count'; n: number } | { cmd: 'ring' }) => {
  if (typeof m === 'number') {
    sum += m;
    if (++received === expected) port.postMessage({ type: 'counted', sum });
  } else if (m.cmd === 'count') {
    expected = m.n;
    received = 0;
    sum = 0;
  } else if (m.cmd === 'ring') {
    try {
      port.postMessage({ type: 'ring-done', ...consumeUntilHalted() });
    } catch (err) {
      ring.halt(); // the producer spins on this ring and cannot hear an 'error' event: stop it
      throw err;
    }
  }
});
port.postMessage({ type: 'ready', cpu });
