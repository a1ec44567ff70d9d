/**
 * (account, orderId) → order node, an open-addressing hash table over typed arrays: linear probing,
 * deletion by backward shift (no tombstones), load factor ≤ 1/2.
 *
 * Chosen ids cannot drive it quadratic: the hash mixes the key with a secret 64-bit seed drawn
 * when the table is created (murmur3's finaliser, a bijection with full avalanche), so a client
 * cannot pick ids that share a home slot (with the fixed hash of the first version, 20,000 such
 * ids took 40× longer than sequential ones). The seed changes only where entries sit, never a
 * result: nothing iterates this table. `probes` counts slots visited, for tests.
 *
 * Allocation: none, except doubling (and rehashing) when more than half full.
 */
import { randomInt } from 'node:crypto';

const EMPTY = -1;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class LiveOrderIndex {
  #accounts: Int32Array;
  #ids: Float64Array;
  #values: Int32Array;
  #mask: number;
  #shift: number;
  #size = 0;
  readonly #seedA: number;
  readonly #seedB: number;
  /** Slots visited by every operation so far. */
  probes = 0;

  /** `capacity`: entries before the first growth. */
  constructor(capacity = 1024) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.#accounts = new Int32Array(slots);
    this.#ids = new Float64Array(slots);
    this.#values = new Int32Array(slots).fill(EMPTY);
    this.#mask = slots - 1;
    this.#shift = 32 - Math.log2(slots);
    this.#seedA = randomInt(0, 2 ** 32) | 0;
    this.#seedB = randomInt(0, 2 ** 32) | 0;
  }

  get size(): number {
    return this.#size;
  }

  #slot(account: number, id: number): number {
    const lo = id >>> 0;
    const hi = (id / 4294967296) | 0;
    const h = fmix(fmix(lo ^ this.#seedA) ^ hi ^ Math.imul(account, 0x9e3779b1) ^ this.#seedB);
    return h >>> this.#shift;
  }

  /** The node of (account, id), or -1. */
  get(account: number, id: number): number {
    const values = this.#values;
    for (let i = this.#slot(account, id); ; i = (i + 1) & this.#mask) {
      this.probes++;
      const v = values[i]!;
      if (v === EMPTY || (this.#ids[i] === id && this.#accounts[i] === account)) return v;
    }
  }

  /** Sets (account, id) → value (≥ 0), replacing an existing entry. */
  set(account: number, id: number, value: number): void {
    if ((this.#size + 1) * 2 > this.#values.length) this.#grow();
    const values = this.#values;
    let i = this.#slot(account, id);
    while (values[i] !== EMPTY && !(this.#ids[i] === id && this.#accounts[i] === account)) {
      this.probes++;
      i = (i + 1) & this.#mask;
    }
    if (values[i] === EMPTY) this.#size++;
    this.#accounts[i] = account;
    this.#ids[i] = id;
    values[i] = value;
  }

  /** Removes (account, id); returns whether it was there. */
  delete(account: number, id: number): boolean {
    const values = this.#values;
    const mask = this.#mask;
    let i = this.#slot(account, id);
    for (;;) {
      this.probes++;
      if (values[i] === EMPTY) return false;
      if (this.#ids[i] === id && this.#accounts[i] === account) break;
      i = (i + 1) & mask;
    }
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (values[j] === EMPTY) break;
      this.probes++;
      const home = this.#slot(this.#accounts[j]!, this.#ids[j]!);
      // the entry at j may move to i only if its home is not cyclically within (i, j]
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        this.#accounts[i] = this.#accounts[j]!;
        this.#ids[i] = this.#ids[j]!;
        values[i] = values[j]!;
        i = j;
      }
    }
    values[i] = EMPTY;
    this.#size--;
    return true;
  }

  clear(): void {
    this.#values.fill(EMPTY);
    this.#size = 0;
  }

  #grow(): void {
    const accounts = this.#accounts;
    const ids = this.#ids;
    const values = this.#values;
    const slots = values.length * 2;
    this.#accounts = new Int32Array(slots);
    this.#ids = new Float64Array(slots);
    this.#values = new Int32Array(slots).fill(EMPTY);
    this.#mask = slots - 1;
    this.#shift--;
    this.#size = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== EMPTY) this.set(accounts[i]!, ids[i]!, values[i]!);
  }
}
