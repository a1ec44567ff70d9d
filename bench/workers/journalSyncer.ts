/**
 * The syncer thread of the journal-sync-threads scenario's two-thread variant: while the writer
 * (the main thread) appends records to `fd`, this thread fdatasyncs it. Each sync covers what was
 * written when it started (the `written` count read before the call); afterwards every record it
 * covered is durable, and its latency is the sync's end minus the record's due time.
 *
 * Shared words (Int32Array over `state`): [0] written count (writer stores), [1] durable count
 * (this thread stores), [2] stop flag. Due times are start + i × periodNs (start in `times[0]`).
 */
import { fdatasyncSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createLatencyHistogram, encodeLatency, recordLatency } from '../lib/histogram.js';
import { nowNs } from '../lib/timing.js';

interface SyncerData {
  readonly fd: number;
  readonly state: SharedArrayBuffer;
  readonly times: SharedArrayBuffer;
  readonly periodNs: number;
  readonly events: number;
}

const { fd, state, times, periodNs, events } = workerData as SyncerData;
const words = new Int32Array(state);
const start = new Float64Array(times);
const h = createLatencyHistogram();
let durable = 0;
let syncs = 0;
while (durable < events && Atomics.load(words, 2) === 0) {
  const written = Atomics.load(words, 0);
  if (written === durable) {
    Atomics.wait(words, 0, written, 50); // the writer notifies after each write
    continue;
  }
  fdatasyncSync(fd);
  syncs++;
  const t = nowNs();
  for (let i = durable; i < written; i++) recordLatency(h, t - (start[0]! + i * periodNs));
  durable = written;
  Atomics.store(words, 1, durable);
}
parentPort!.postMessage({ histogram: encodeLatency(h), syncs });
