/**
 * HDR latency histograms for latency scenarios (ping-pong, pipeline, …), via hdr-histogram-js.
 * Values are nanoseconds. Record on the measuring thread with `recordValue(ns)` (allocation-free
 * for in-range values); summarise once at the end.
 */
import * as hdr from 'hdr-histogram-js';

export type LatencyHistogram = hdr.Histogram;

/** Percentiles of a latency histogram, in nanoseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly p9999: number;
  readonly max: number;
}

/**
 * A histogram for latencies from 1 ns to `highestNs` (default 10 s) with 3 significant digits
 * (values within 0.1 %). The pure-JS build: no WebAssembly to initialise, usable in any thread.
 */
export function createLatencyHistogram(highestNs = 10_000_000_000): LatencyHistogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: highestNs, numberOfSignificantValueDigits: 3, bitBucketSize: 'packed', autoResize: true });
}

/** Records one latency (ns), clamped to ≥ 1 so that a sub-nanosecond reading still counts. */
export function recordLatency(h: LatencyHistogram, ns: number): void {
  h.recordValue(ns < 1 ? 1 : Math.round(ns));
}

/** Turns a histogram into { count, mean, p50, p90, p99, p999, p9999, max } (ns). */
export function summarizeLatency(h: LatencyHistogram): LatencySummary {
  return {
    count: h.totalCount,
    mean: h.mean,
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    p9999: h.getValueAtPercentile(99.99),
    max: h.maxValue,
  };
}

/**
 * Merges histograms recorded in several threads: send each as `encodeLatency(h)` (a compact
 * base64 string) over postMessage and `decodeLatency` it on the receiving side.
 */
export function encodeLatency(h: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** The inverse of encodeLatency. */
export function decodeLatency(encoded: string): LatencyHistogram {
  return hdr.decodeFromCompressedBase64(encoded);
}
