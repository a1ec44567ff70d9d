/** The last N latency samples, for percentiles in metrics (off the hot path: sorts a copy on read). */
export interface LatencyPercentiles {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export class LatencyWindow {
  readonly #samples: Float64Array;
  #count = 0;

  constructor(size: number) {
    this.#samples = new Float64Array(size);
  }

  add(value: number): void {
    this.#samples[this.#count % this.#samples.length] = value;
    this.#count++;
  }

  percentiles(): LatencyPercentiles {
    const n = Math.min(this.#count, this.#samples.length);
    if (n === 0) return { count: 0, p50: 0, p99: 0, p999: 0, max: 0 };
    const sorted = this.#samples.slice(0, n).sort();
    const at = (q: number): number => Math.round(sorted[Math.min(n - 1, Math.floor(q * n))]! * 10) / 10;
    return { count: this.#count, p50: at(0.5), p99: at(0.99), p999: at(0.999), max: at(1) };
  }
}
