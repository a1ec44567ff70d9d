/**
 * Counters of the journal's syncs, in a SharedArrayBuffer that the journal's worker writes and
 * any thread reads (bus.metrics() on the main thread) without a message round trip.
 *
 *   word (Float64)   meaning
 *   0                syncs: fdatasync calls that advanced the durable sequence
 *   1                records made durable by those calls (sum of group sizes)
 *   2 .. 2+B-1       sync latency histogram (ns), B log-linear buckets
 *   2+B .. 2+2B-1    group size histogram (records per sync), B log-linear buckets
 *
 * Buckets are log-linear: 8 per power of two, so a percentile read back is the upper edge of its
 * bucket, at most 12.5 % above the value recorded. Single writer (the journal's thread): plain
 * stores; a reader may see a count one sync ahead of its histogram (stale by one sync at most).
 * record() allocates nothing.
 */

/** Same shape as metrics' Percentiles (persistence does not import metrics). */
export interface SyncPercentiles {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly p9999: number;
  readonly max: number;
}

const SUB_BITS = 3;
const SUB = 1 << SUB_BITS;
/** Buckets per histogram: values up to 2^48 (≈ 78 hours in ns). */
const BUCKETS = (48 - SUB_BITS + 1) * SUB;
const SYNCS = 0;
const RECORDS = 1;
const LATENCY = 2;
const GROUPS = LATENCY + BUCKETS;
const WORDS = GROUPS + BUCKETS;

/** Bucket of a value ≥ 0: exact below 8, then 8 sub-buckets per power of two. */
function bucketOf(value: number): number {
  const v = value < 1 ? 0 : Math.min(Math.floor(value), 2 ** 48 - 1);
  if (v < SUB) return v;
  const exp = Math.floor(Math.log2(v)); // ≥ SUB_BITS
  const sub = Math.floor(v / 2 ** (exp - SUB_BITS)) - SUB; // 0 … SUB-1
  return (exp - SUB_BITS + 1) * SUB + sub;
}

/** Largest value that lands in bucket b. */
function bucketUpper(b: number): number {
  if (b < SUB) return b;
  const exp = Math.floor(b / SUB) - 1 + SUB_BITS;
  const sub = b % SUB;
  return (SUB + sub + 1) * 2 ** (exp - SUB_BITS) - 1;
}

export class JournalSyncStats {
  readonly buffer: SharedArrayBuffer;
  readonly #w: Float64Array;

  /** A new block (main thread), or a view of one handed over (the journal's worker). */
  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(WORDS * 8)) {
    this.buffer = buffer;
    this.#w = new Float64Array(buffer);
  }

  /** One fdatasync that made `records` records durable in `latencyNs`. Allocation-free. */
  record(latencyNs: number, records: number): void {
    const w = this.#w;
    w[LATENCY + bucketOf(latencyNs)]!++;
    w[GROUPS + bucketOf(records)]!++;
    w[RECORDS]! += records;
    w[SYNCS]!++;
  }

  get syncs(): number {
    return this.#w[SYNCS]!;
  }

  get records(): number {
    return this.#w[RECORDS]!;
  }

  /** Sync latency percentiles in ns (allocates). */
  latencyNs(): SyncPercentiles {
    return this.#percentiles(LATENCY);
  }

  /** Records per sync (allocates). */
  groupSize(): SyncPercentiles {
    return this.#percentiles(GROUPS);
  }

  #percentiles(base: number): SyncPercentiles {
    const w = this.#w;
    let count = 0;
    let sum = 0;
    let maxBucket = -1;
    for (let b = 0; b < BUCKETS; b++) {
      const n = w[base + b]!;
      if (n > 0) {
        count += n;
        sum += n * bucketUpper(b);
        maxBucket = b;
      }
    }
    const at = (q: number): number => {
      if (count === 0) return 0;
      const rank = Math.max(1, Math.ceil(q * count));
      let seen = 0;
      for (let b = 0; b < BUCKETS; b++) {
        seen += w[base + b]!;
        if (seen >= rank) return bucketUpper(b);
      }
      return bucketUpper(maxBucket);
    };
    return {
      count,
      mean: count === 0 ? 0 : sum / count,
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      p999: at(0.999),
      p9999: at(0.9999),
      max: maxBucket < 0 ? 0 : bucketUpper(maxBucket),
    };
  }
}
