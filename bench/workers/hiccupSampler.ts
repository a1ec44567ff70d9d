/**
 * The hiccup sampler thread (jHiccup's method): sleeps 1 ms at a time with Atomics.wait and
 * measures how much later than asked it woke up. While a latency run spins on the other
 * threads, a late wake-up is time the machine (scheduler, hypervisor, other processes) did not
 * give to a runnable thread: the same stalls that put a tail into the run's percentiles. The
 * smallest oversleep seen is the timer's own slack and is subtracted from every sample.
 * Sleeping, not spinning: it adds no spinning thread to a run; unpinned (every CPU), so it
 * competes with whichever spinning thread the scheduler picks. Allocation-free per sample.
 *
 * workerData: { ctl: SharedArrayBuffer (Int32Array: [0] = stop flag), out: SharedArrayBuffer
 * (Float64Array, STAT_* slots) }. Says `ready`, then samples until ctl[0] becomes 1, writes the
 * raw oversleeps' statistics into `out` and says `done`.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { setAffinity } from '../lib/latencyTools.js';
import { STAT_SAMPLED_NS, STAT_SLEEP_NS, STAT_SLACK_NS, STATS, histogramGaps } from './hiccupStats.js';

const { ctl, out } = workerData as { ctl: SharedArrayBuffer; out: SharedArrayBuffer };
const stop = new Int32Array(ctl);
const stats = new Float64Array(out);
/** Every oversleep, in ns (up to ~60 s of 1 ms samples). */
const lateNs = new Float64Array(60_000);
const SLEEP_MS = 1;

// run anywhere: a thread inherits its creator's affinity, and the creator is usually pinned
setAffinity(os.cpus().map((_, i) => i));
parentPort!.postMessage({ type: 'ready' });
const start = performance.now();
let n = 0;
let slack = Infinity;
while (Atomics.load(stop, 0) === 0) {
  const t0 = performance.now();
  Atomics.wait(stop, 0, 0, SLEEP_MS);
  const late = (performance.now() - t0 - SLEEP_MS) * 1e6;
  if (late < slack) slack = late;
  if (n < lateNs.length) lateNs[n++] = late;
}
stats[STAT_SAMPLED_NS] = (performance.now() - start) * 1e6;
stats[STAT_SLEEP_NS] = SLEEP_MS * 1e6;
stats[STAT_SLACK_NS] = Math.max(0, slack);
histogramGaps(lateNs.subarray(0, n), stats);
if (stats.length !== STATS) throw new Error('hiccup stats layout');
parentPort!.postMessage({ type: 'done' });
