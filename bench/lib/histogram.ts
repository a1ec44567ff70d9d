/**
 * HDR latency histograms for the latency scenarios (ping-pong, pipeline, …): thin names over
 * src/metrics/histograms.ts, where the bus's own metrics live, so that benchmarks and bus metrics
 * record and summarise the same way. Values are nanoseconds.
 */
import type * as hdr from 'hdr-histogram-js';
import {
  decodeHistogram,
  encodeHistogram,
  MAX_TRACKABLE,
  newHistogram,
  percentiles,
  recordClamped,
  type Percentiles,
} from '../../src/metrics/histograms.js';

export type LatencyHistogram = hdr.Histogram;

/** Percentiles of a latency histogram, in nanoseconds (each at most the max). */
export type LatencySummary = Percentiles;

/**
 * A fixed-size histogram for latencies from 1 ns to `highestNs` (default 1 h) with 3 significant
 * digits, the WebAssembly build when it loads (recording allocates nothing, ≈15–20 ns).
 */
export function createLatencyHistogram(highestNs = MAX_TRACKABLE): LatencyHistogram {
  return newHistogram(highestNs, true);
}

/** Records one latency (ns), clamped into [1, the histogram's range]. Allocation-free. */
export function recordLatency(h: LatencyHistogram, ns: number): void {
  recordClamped(h, ns, h.highestTrackableValue);
}

/** { count, mean, p50, p90, p99, p999, p9999, max } (ns). */
export function summarizeLatency(h: LatencyHistogram): LatencySummary {
  return percentiles(h);
}

/** Compact base64 for postMessage; merge on the other side with decodeLatency + add. */
export function encodeLatency(h: LatencyHistogram): string {
  return encodeHistogram(h);
}

/** The inverse of encodeLatency. */
export function decodeLatency(encoded: string): LatencyHistogram {
  return decodeHistogram(encoded);
}
