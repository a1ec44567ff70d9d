/**
 * Baseline of the pipeline scenario: the same three stages (a → b → c, in order, in this one
 * thread, the shape of the ring version's single handler worker) fed by postMessage. Pins itself
 * to `workerData.cpu` (when it can), says `ready`, then serves:
 *   { cmd: 'run', run, n }  the next n numbers belong to run `run`;
 *   a number                one event, its value the scheduled send time (ns on the clock ring
 *                           `workerData.clock`): runs a, b, c, records now - scheduled; after
 *                           the n-th, replies { type: 'run-done', run, count, histogram,
 *                           lastFinishNs, mismatches }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer, type RingDescriptor } from '../../src/index.js';
import { createRecordingHistogram, encodeHistogram, recordNs } from '../lib/latencyTools.js';
import { tryPin } from '../lib/placement.js';
import { expectedC } from './pipelineEvent.js';

const data = workerData as { cpu: number; clock: RingDescriptor };
const port = parentPort!;
const cpu = tryPin(data.cpu);
const clock = RingBuffer.attach(data.clock); // used for its clock only: the producer's, same epoch
const histogram = createRecordingHistogram();
let run = -1;
let expected = 0;
let count = 0;
let mismatches = 0;
let lastFinishNs = 0;

port.on('message', (m: number | { cmd: 'run'; run: number; n: number }) => {
  if (typeof m === 'number') {
    const value = count;
    const a = value * 3 + 1;
    const b = a * 2;
    const c = b + 7;
    if (c !== expectedC(value)) mismatches++;
    const t = clock.now();
    recordNs(histogram, t - m);
    lastFinishNs = t;
    if (++count === expected)
      port.postMessage({
        type: 'run-done',
        run,
        count,
        histogram: encodeHistogram(histogram),
        lastFinishNs,
        mismatches,
      });
  } else if (m.cmd === 'run') {
    run = m.run;
    expected = m.n;
    count = 0;
    mismatches = 0;
    histogram.reset();
  }
});
port.postMessage({ type: 'ready', cpu, timeOrigin: performance.timeOrigin });
