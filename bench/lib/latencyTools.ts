/**
 * Tools shared by the latency scenarios (ping-pong, pipeline): fixed-size histograms cheap
 * enough to record on a measuring thread, a clock-free calibrated spin, ratios against a
 * baseline, preemption counts and worker-message helpers. See clockCost.ts for the clock and
 * hiccups.ts for the platform's floor.
 */
import * as hdr from 'hdr-histogram-js';
import type { Worker } from 'node:worker_threads';
import { pinCurrentThread } from '../../src/index.js';
import { decodeLatency, summarizeLatency, type LatencySummary } from './histogram.js';

/** Largest latency the recording histograms track (larger values are clamped): 1 hour in ns. */
export const HIGHEST_TRACKABLE_NS = 3_600_000_000_000;

let wasmReady: boolean | null = null;

/** Whether hdr-histogram-js's WebAssembly build loaded in this thread (loads it once). */
export function wasmHistograms(): boolean {
  if (wasmReady === null) {
    try {
      hdr.initWebAssemblySync();
      wasmReady = true;
    } catch {
      wasmReady = false;
    }
  }
  return wasmReady;
}

/**
 * A fixed-size (no auto-resize) 3-significant-digit histogram, 1 ns … 1 h: recording never
 * allocates. The WebAssembly build when it loads (≈20 ns per record on the 2-core machines,
 * against ≈130 ns for the JS Int32 build and ≈570 ns for the auto-resizing packed one).
 */
export function createRecordingHistogram(): hdr.Histogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_NS,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
    useWebAssembly: wasmHistograms(),
  });
}

/** Records `ns` clamped into [1, HIGHEST_TRACKABLE_NS]. Allocation-free. */
export function recordNs(h: hdr.Histogram, ns: number): void {
  h.recordValue(ns < 1 ? 1 : ns > HIGHEST_TRACKABLE_NS ? HIGHEST_TRACKABLE_NS : Math.round(ns));
}

/** Encodes for postMessage / a handler snapshot (compressed base64). Allocates. */
export function encodeHistogram(h: hdr.Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/**
 * Percentiles of `h` (ns), each at most the exact maximum: an HDR percentile is the highest value
 * of its bucket (up to 0.1 % above the values recorded in it), so p99.99 could otherwise read
 * above the max actually recorded.
 */
export function summarize(h: hdr.Histogram): LatencySummary {
  const s = summarizeLatency(h);
  const cap = (v: number): number => (v > s.max ? s.max : v);
  return { ...s, p50: cap(s.p50), p90: cap(s.p90), p99: cap(s.p99), p999: cap(s.p999), p9999: cap(s.p9999) };
}

/** Summary (as `summarize`) of several encoded histograms merged, e.g. the repetitions of one measurement. */
export function summarizeEncoded(encoded: readonly string[]): LatencySummary {
  const total = hdr.build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_TRACKABLE_NS, numberOfSignificantValueDigits: 3 });
  for (const e of encoded) total.add(decodeLatency(e));
  return summarize(total);
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
