/**
 * orderId (a non-negative i53) → node number, as an open-addressing hash table over typed arrays:
 * linear probing, deletion by backward shift (no tombstones, so probe chains never rot), load
 * factor ≤ 1/2. Replaces a Map on the matching hot path: a Map with many deletions rehashes (and
 * allocates) periodically and costs a cache miss or two per operation at this size.
 *
 * Allocation: none, except doubling (and rehashing) when more than half full.
 * Iteration order is never used, so history cannot leak into results.
 */
const EMPTY = -1;

/** The 32-bit hash of an order id; its top log2(slots) bits pick the home slot. Exported for tests. */
export function orderIdHash(key: number): number {
  const lo = key >>> 0;
  const hi = (key / 4294967296) | 0;
  return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 0;
}

export class OrderIndex {
  #keys: Float64Array;
  #values: Int32Array;
  #mask: number;
  #shift: number;
  #size = 0;

  /** `capacity`: entries before the first growth (table slots: a power of two ≥ 2 × capacity, at least 16). */
  constructor(capacity = 1024) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.#keys = new Float64Array(slots);
    this.#values = new Int32Array(slots).fill(EMPTY);
    this.#mask = slots - 1;
    this.#shift = 32 - Math.log2(slots);
  }

  /** Entries held. */
  get size(): number {
    return this.#size;
  }

  #slot(key: number): number {
    return orderIdHash(key) >>> this.#shift;
  }

  /** The value of `key`, or -1. */
  get(key: number): number {
    const keys = this.#keys;
    const values = this.#values;
    for (let i = this.#slot(key); ; i = (i + 1) & this.#mask) {
      const v = values[i]!;
      if (v === EMPTY || keys[i] === key) return v;
    }
  }

  /** Sets `key` → `value` (value ≥ 0), replacing an existing entry. */
  set(key: number, value: number): void {
    if ((this.#size + 1) * 2 > this.#values.length) this.#grow();
    const keys = this.#keys;
    const values = this.#values;
    let i = this.#slot(key);
    while (values[i] !== EMPTY && keys[i] !== key) i = (i + 1) & this.#mask;
    if (values[i] === EMPTY) this.#size++;
    keys[i] = key;
    values[i] = value;
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: number): boolean {
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    let i = this.#slot(key);
    for (;;) {
      if (values[i] === EMPTY) return false;
      if (keys[i] === key) break;
      i = (i + 1) & mask;
    }
    // backward shift: pull later entries of the chain into the hole when their home allows it
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (values[j] === EMPTY) break;
      const home = this.#slot(keys[j]!);
      // the entry at j may move to i only if its home is not cyclically within (i, j]
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        keys[i] = keys[j]!;
        values[i] = values[j]!;
        i = j;
      }
    }
    values[i] = EMPTY;
    this.#size--;
    return true;
  }

  /** Removes every entry (keeps the arrays). */
  clear(): void {
    this.#values.fill(EMPTY);
    this.#size = 0;
  }

  #grow(): void {
    const oldKeys = this.#keys;
    const oldValues = this.#values;
    const slots = oldValues.length * 2;
    this.#keys = new Float64Array(slots);
    this.#values = new Int32Array(slots).fill(EMPTY);
    this.#mask = slots - 1;
    this.#shift--;
    this.#size = 0;
    for (let i = 0; i < oldValues.length; i++) if (oldValues[i] !== EMPTY) this.set(oldKeys[i]!, oldValues[i]!);
  }
}
