import * as hdr from 'hdr-histogram-js';

/** Latency/batch percentiles in the shape every ringbus report uses. */
export interface Percentiles {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly p9999: number;
  readonly max: number;
}

/** Largest value a ringbus histogram tracks (values above are clamped): 1 hour in ns. */
export const MAX_TRACKABLE = 3_600_000_000_000;

let wasmReady: boolean | null = null;

/** Loads hdr-histogram-js's WebAssembly build once per thread; false if it cannot load. */
function wasmAvailable(): boolean {
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
 * A fixed-size (no auto-resize) 3-significant-digit histogram: recording never allocates after
 * construction. With `fast`, the WebAssembly build (≈15 ns per record on these machines against
 * ≈100 ns for the JS Int32Histogram) — used for recording on the hot path; call `destroy()` when done.
 */
export function newHistogram(highest = MAX_TRACKABLE, fast = false): hdr.Histogram {
  const useWebAssembly = fast && wasmAvailable();
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: highest,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
    useWebAssembly,
  });
}

/** Records `value` clamped into [1, highest]. Allocation-free. */
export function recordClamped(h: hdr.Histogram, value: number, highest = MAX_TRACKABLE): void {
  h.recordValue(value < 1 ? 1 : value > highest ? highest : Math.round(value));
}

/**
 * Percentiles of a histogram (allocates the result), each at most the exact maximum: an HDR
 * percentile is the highest value of its bucket (up to 0.1 % above what was recorded in it), so a
 * high percentile could otherwise read above the max actually recorded.
 */
export function percentiles(h: hdr.Histogram): Percentiles {
  const count = h.totalCount;
  if (count === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, p9999: 0, max: 0 };
  const max = h.maxValue;
  const at = (p: number): number => Math.min(h.getValueAtPercentile(p), max);
  return { count, mean: h.mean, p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), p9999: at(99.99), max };
}

/** Serialises for postMessage (compressed base64). Allocates. */
export function encodeHistogram(h: hdr.Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** The inverse of encodeHistogram. Allocates. */
export function decodeHistogram(encoded: string): hdr.Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, false);
}

/** Merges encoded histograms into a new one. Allocates. */
export function mergeEncoded(encoded: readonly string[], highest = MAX_TRACKABLE): hdr.Histogram {
  const total = newHistogram(highest);
  for (const e of encoded) total.add(decodeHistogram(e));
  return total;
}
