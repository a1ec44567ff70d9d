/**
 * A small seeded pseudo-random generator (sfc32: four 32-bit words, period ≈ 2^128), so order
 * flows and randomized tests are reproducible from a seed. Allocation-free per draw.
 */
export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** `seed`: any u32 (other numbers are truncated to u32). */
  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.nextU32();
  }

  /** Next u32. */
  nextU32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^32 (multiply-shift; bias below 2^-32 · n). */
  int(n: number): number {
    return Math.floor((this.nextU32() / 4294967296) * n);
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.nextU32() / 4294967296;
  }

  /** The generator's words (for snapshots of a generator). */
  state(): [number, number, number, number] {
    return [this.#a, this.#b, this.#c, this.#d];
  }

  /** Restores words taken by state(). */
  setState(words: readonly number[]): void {
    this.#a = words[0]! | 0;
    this.#b = words[1]! | 0;
    this.#c = words[2]! | 0;
    this.#d = words[3]! | 0;
  }
}
