/**
 * id → index for account and symbol ids: a dense Int32Array for ids below 4096 (the usual case:
 * small, consecutive ids), a Map for the rest. A Map lookup hashes the key on every call; the
 * engine looks up one account and one symbol per command, so the table is the hot path's share.
 *
 * Any value may be looked up (NaN, fractions, negatives and non-numbers miss: -1).
 * Allocation: none per lookup; set() of a large id may grow the Map.
 */
const DENSE = 4096;

export class IdIndex {
  readonly #dense = new Int32Array(DENSE).fill(-1);
  readonly #sparse = new Map<number, number>();

  /** Index of `id`, or -1. Allocation-free. */
  get(id: number): number {
    if (id >>> 0 === id && id < DENSE) return this.#dense[id]!;
    const i = this.#sparse.get(id);
    return i === undefined ? -1 : i;
  }

  /** Maps `id` (a u32) to `index` (≥ 0). */
  set(id: number, index: number): void {
    if (id >>> 0 === id && id < DENSE) this.#dense[id] = index;
    else this.#sparse.set(id, index);
  }

  clear(): void {
    this.#dense.fill(-1);
    this.#sparse.clear();
  }
}
