/**
 * The three stages of the pipeline scenario, one handler module configured by
 * `options.stage`: 'a' (a = 3·value + 1), 'b' (b = 2·a), 'c' (c = b + 7, checked against
 * 6·value + 9). Stage c also records, per run, the end-to-end latency of every event into two
 * HDR histograms: from the event's scheduled time (coordinated-omission corrected) and from its
 * actual publish timestamp ($timestamp), both ending when stage c finishes the event; its
 * snapshot() (through bus.captureState()) hands them back encoded.
 *
 * Hot path: allocation-free (histograms and counters are created in the factory).
 */
import { defineHandler } from '../../src/index.js';
import { createRecordingHistogram, encodeHistogram, recordNs } from '../lib/latencyTools.js';
import { expectedC, type PipelineFlyweight } from './pipelineEvent.js';

export interface PipelineStageOptions {
  readonly stage: 'a' | 'b' | 'c';
  /** Runs recorded by stage c: run numbers 0 … runs-1. */
  readonly runs: number;
}

export interface StageCSnapshot {
  readonly runs: ReadonlyArray<{
    readonly count: number;
    readonly corrected: string;
    readonly uncorrected: string;
    readonly lastFinishNs: number;
  }>;
  /** Events whose c differed from 6·value + 9, and events with a run number out of range. */
  readonly mismatches: number;
  readonly outOfRange: number;
  /** This worker's performance.timeOrigin (the clocks agree across threads when it equals the main thread's). */
  readonly timeOrigin: number;
}

export default defineHandler<PipelineFlyweight, PipelineStageOptions, StageCSnapshot>((ctx) => {
  const { stage, runs } = ctx.options;
  if (stage === 'a') {
    return {
      onEvent(e) {
        e.a = e.value * 3 + 1;
      },
    };
  }
  if (stage === 'b') {
    return {
      onEvent(e) {
        e.b = e.a * 2;
      },
    };
  }
  const ring = ctx.ring;
  const corrected = Array.from({ length: runs }, () => createRecordingHistogram());
  const uncorrected = Array.from({ length: runs }, () => createRecordingHistogram());
  const counts = new Float64Array(runs);
  const lastFinishNs = new Float64Array(runs);
  let mismatches = 0;
  let outOfRange = 0;
  return {
    onEvent(e) {
      const c = e.b + 7;
      e.c = c;
      if (c !== expectedC(e.value)) mismatches++;
      const now = ring.now();
      const run = e.run;
      if (run < 0 || run >= runs) {
        outOfRange++;
        return;
      }
      recordNs(corrected[run]!, now - e.scheduledNs);
      recordNs(uncorrected[run]!, now - e.$timestamp);
      counts[run]!++;
      lastFinishNs[run] = now;
    },
    snapshot() {
      return {
        runs: corrected.map((h, r) => ({
          count: counts[r]!,
          corrected: encodeHistogram(h),
          uncorrected: encodeHistogram(uncorrected[r]!),
          lastFinishNs: lastFinishNs[r]!,
        })),
        mismatches,
        outOfRange,
        timeOrigin: performance.timeOrigin,
      };
    },
  };
});
