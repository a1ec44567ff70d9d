/**
 * A hiccup sampler thread running alongside a latency run (workers/hiccupSampler.ts): start it
 * before the timed part, stop it after, and attach what it saw to the result, so that a tail in
 * the percentiles can be set beside the machine's stalls during that very run. It sleeps (1 ms
 * at a time), so it adds no spinning thread; waking it costs a spinning thread a few µs each
 * millisecond, which the report's notes say.
 */
import { Worker } from 'node:worker_threads';
import type { HiccupInfo } from '../../src/index.js';
import { awaitMessage } from './latencyTools.js';
import {
  STAT_LOST_NS,
  STAT_MAX_GAP_NS,
  STAT_OVER_100US,
  STAT_OVER_10US,
  STAT_OVER_1MS,
  STAT_SAMPLED_NS,
  STATS,
} from '../workers/hiccupStats.js';

/** A running sampler: `stop()` ends it and resolves with what it saw. */
export interface HiccupSampler {
  stop(): Promise<HiccupInfo>;
}

/** Starts a sampler thread and resolves once it samples. */
export async function startHiccupSampler(): Promise<HiccupSampler> {
  const ctl = new SharedArrayBuffer(4);
  const out = new SharedArrayBuffer(STATS * 8);
  const worker = new Worker(new URL('../workers/hiccupSampler.js', import.meta.url), { workerData: { ctl, out } });
  await awaitMessage(worker, 'ready');
  return {
    async stop(): Promise<HiccupInfo> {
      const done = awaitMessage(worker, 'done');
      const stop = new Int32Array(ctl);
      Atomics.store(stop, 0, 1);
      Atomics.notify(stop, 0);
      await done;
      await worker.terminate();
      const s = new Float64Array(out);
      const sampled = s[STAT_SAMPLED_NS]!;
      return {
        sampledMs: sampled / 1e6,
        gapsOver10us: s[STAT_OVER_10US]!,
        gapsOver100us: s[STAT_OVER_100US]!,
        gapsOver1ms: s[STAT_OVER_1MS]!,
        maxGapNs: s[STAT_MAX_GAP_NS]!,
        lostPercent: sampled > 0 ? (100 * s[STAT_LOST_NS]!) / sampled : 0,
        gcDuringMeter: 0,
      };
    },
  };
}

/** Runs `measure` with a sampler thread beside it; resolves with its value and the hiccups. */
export async function withHiccups<T>(measure: () => T | Promise<T>): Promise<{ value: T; hiccups: HiccupInfo }> {
  const sampler = await startHiccupSampler();
  try {
    const value = await measure();
    return { value, hiccups: await sampler.stop() };
  } catch (err) {
    await sampler.stop().catch(() => undefined);
    throw err;
  }
}
