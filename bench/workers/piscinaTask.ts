/**
 * The piscina baselines' task module (piscina loads it in its worker thread; lib/piscinaRuns.ts
 * submits to it with `pool.run(arg, { name })`). Pins its thread to `workerData.cpu` (piscina's
 * workerData) when it loads, as the other baselines' workers do. Exports:
 *   echo(v)             one-to-one: the task returns its number; the producer sums the results;
 *   begin(run)          pipeline: the next events belong to run `run` (resets the histogram);
 *   stages(scheduled)   pipeline: one event, its argument the scheduled send time (ns on the
 *                       clock ring `workerData.clock`), its value the event's index in the run:
 *                       runs a → b → c in order (as the ring's stages), records now − scheduled;
 *   collect()           pipeline: { run, count, histogram, lastFinishNs, mismatches, cpu, timeOrigin }.
 * echo and stages allocate nothing of their own per event (piscina allocates its task records).
 */
import { workerData } from 'piscina';
import { RingBuffer, type RingDescriptor } from '../../src/index.js';
import { createRecordingHistogram, encodeHistogram, recordNs } from '../lib/latencyTools.js';
import { tryPin } from '../lib/placement.js';
import { expectedC } from './pipelineEvent.js';

const data = workerData as { cpu: number; clock?: RingDescriptor };
const cpu = tryPin(data.cpu);
const clock = data.clock ? RingBuffer.attach(data.clock) : null; // for its clock only: the producer's epoch
const histogram = createRecordingHistogram();
let run = -1;
let count = 0;
let mismatches = 0;
let lastFinishNs = 0;

export function echo(v: number): number {
  return v;
}

export function begin(r: number): number | null {
  run = r;
  count = 0;
  mismatches = 0;
  histogram.reset();
  return cpu;
}

export function stages(scheduled: number): void {
  const value = count++;
  const a = value * 3 + 1;
  const b = a * 2;
  const c = b + 7;
  if (c !== expectedC(value)) mismatches++;
  const t = clock!.now();
  recordNs(histogram, t - scheduled);
  lastFinishNs = t;
}

export function collect(): object {
  return {
    run,
    count,
    histogram: encodeHistogram(histogram),
    lastFinishNs,
    mismatches,
    cpu,
    timeOrigin: performance.timeOrigin,
  };
}
