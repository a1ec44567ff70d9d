/**
 * Tools shared by the latency scenarios (ping-pong, pipeline): fixed-size histograms cheap
 * enough to record on a measuring thread, a clock-free calibrated spin, ratios against a
 * baseline, preemption counts and worker-message helpers. See clockCost.ts for the clock and
 * hiccups.ts for the platform's floor.
 */
import type * as hdr from 'hdr-histogram-js';
import type { Worker } from 'node:worker_threads';
import { pinCurrentThread } from '../../src/index.js';
import { createLatencyHistogram, encodeLatency, summarizeLatency, type LatencySummary } from './histogram.js';
import { MAX_TRACKABLE, mergeEncoded, percentiles, recordClamped } from '../../src/metrics/histograms.js';

/** Largest latency the recording histograms track (larger values are clamped): 1 hour in ns. */
export const HIGHEST_TRACKABLE_NS = MAX_TRACKABLE;

/** A fixed-size WebAssembly histogram, 1 ns … 1 h: recording never allocates (see src/metrics/histograms.ts). */
export function createRecordingHistogram(): hdr.Histogram {
  return createLatencyHistogram(HIGHEST_TRACKABLE_NS);
}

/** Records `ns` clamped into [1, HIGHEST_TRACKABLE_NS]. Allocation-free. */
export function recordNs(h: hdr.Histogram, ns: number): void {
  recordClamped(h, ns);
}

/** Encodes for postMessage / a handler snapshot (compressed base64). Allocates. */
export function encodeHistogram(h: hdr.Histogram): string {
  return encodeLatency(h);
}

/** Percentiles of `h` (ns), each at most the exact maximum. */
export function summarize(h: hdr.Histogram): LatencySummary {
  return summarizeLatency(h);
}

/** Summary of several encoded histograms merged, e.g. the repetitions of one measurement. */
export function summarizeEncoded(encoded: readonly string[]): LatencySummary {
  return percentiles(mergeEncoded(encoded));
}

/** Several encoded histograms merged into one, encoded (e.g. the repetitions of one measurement). */
export function mergeToEncoded(encoded: readonly string[]): string {
  const h = mergeEncoded(encoded);
  const e = encodeLatency(h);
  h.destroy();
  return e;
}

const spinCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Spins `iterations` times on an Atomics.load (which the compiler cannot hoist or drop): a wait
 * that reads no clock, so it neither costs a clock read per check nor risks allocating a boxed
 * double per read. Pair it with `spinIterationsPerNs()` to wait roughly a given time.
 */
export function spin(iterations: number): void {
  for (let i = 0; i < iterations; i++) if (Atomics.load(spinCell, 0) !== 0) return;
}

/** How many `spin` iterations run per ns on this thread (measured over ≈1 ms, after a warm-up; median of 5). */
export function spinIterationsPerNs(): number {
  const rates: number[] = [];
  spin(200_000);
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    spin(500_000);
    rates.push(500_000 / ((performance.now() - t0) * 1e6));
  }
  rates.sort((a, b) => a - b);
  return rates[2]!;
}

/**
 * Involuntary context switches of this whole process so far (every thread: getrusage). The
 * difference across a timed part says how often the OS took a CPU away from the measuring
 * threads, the usual cause of multi-millisecond tails on a shared machine. Allocates a little.
 */
export function involuntarySwitches(): number {
  return process.resourceUsage().involuntaryContextSwitches;
}

/** baseline / x for p50 and p99 (how many times lower x is). */
export function latencyRatios(baseline: LatencySummary, x: LatencySummary): { p50: number; p99: number } {
  return { p50: baseline.p50 / x.p50, p99: baseline.p99 / x.p99 };
}

/** Resolves with the first message of `type` from `worker`; rejects if the worker fails or exits first. */
export function awaitMessage<T>(worker: Worker, type: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (m: { type?: string }): void => {
      if (m !== null && typeof m === 'object' && m.type === type) {
        cleanup();
        resolve(m as T);
      }
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`worker exited with code ${code} while waiting for '${type}'`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/**
 * Sets the calling thread's affinity to `cpus` (e.g. widens it back to every CPU before
 * starting a RingBus whose worker pins itself elsewhere: the bus checks CPU indices against
 * os.availableParallelism(), which follows this thread's affinity). Returns whether it worked.
 */
export function setAffinity(cpus: readonly number[]): boolean {
  try {
    return pinCurrentThread(cpus).pinned;
  } catch {
    return false;
  }
}
