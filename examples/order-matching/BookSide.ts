/**
 * One side of an order book: its price levels, each a FIFO queue of order nodes (OrderPool).
 *
 * Levels live in a level pool (struct-of-arrays + free list); their order is kept in one sorted
 * array of level numbers with a parallel Float64Array of sort keys, sorted ascending by key with
 * the BEST level LAST (key = price for bids, -price for asks). Activity is mostly at the top of the
 * book, so removing the best level is a pop and inserting near the top shifts few entries
 * (a loop; copyWithin for long moves); a price is found by binary search (14 steps at 10k levels).
 *
 * Allocation: none, except doubling the arrays when more levels are needed than ever before.
 */
import { NIL, type OrderPool } from './OrderPool.js';

/** Moves of at most this many entries of the sorted view use a loop, longer ones copyWithin. */
const SHORT_SHIFT = 32;

export class BookSide {
  readonly #pool: OrderPool;
  /** +1 for bids (higher is better), -1 for asks (lower is better). */
  readonly #sign: number;
  // sorted view: keys[i] ascending, levels[i] the level number; best at count - 1
  #keys = new Float64Array(64);
  #levels = new Int32Array(64);
  #count = 0;
  // level pool
  #price = new Float64Array(64);
  #head = new Int32Array(64);
  #tail = new Int32Array(64);
  #qty = new Float64Array(64);
  #orders = new Int32Array(64);
  #freeLevel = NIL;
  #levelHighWater = 0;
  #restingQty = 0;
  #orderCount = 0;

  constructor(pool: OrderPool, isBid: boolean) {
    this.#pool = pool;
    this.#sign = isBid ? 1 : -1;
  }

  /** Number of price levels. */
  get levelCount(): number {
    return this.#count;
  }

  /** Sum of the open quantity of every order on this side. */
  get restingQty(): number {
    return this.#restingQty;
  }

  /** Number of resting orders on this side. */
  get orderCount(): number {
    return this.#orderCount;
  }

  /** Level number of the `rank`-th best level (0 = best), or NIL. */
  levelAt(rank: number): number {
    return rank < this.#count ? this.#levels[this.#count - 1 - rank]! : NIL;
  }

  /** Level number of the best level, or NIL when the side is empty. */
  best(): number {
    return this.#count > 0 ? this.#levels[this.#count - 1]! : NIL;
  }

  levelPrice(level: number): number {
    return this.#price[level]!;
  }
  levelHead(level: number): number {
    return this.#head[level]!;
  }
  levelQty(level: number): number {
    return this.#qty[level]!;
  }
  levelOrders(level: number): number {
    return this.#orders[level]!;
  }

  /** Queues node `n` (its qty already set) at the back of the level at `price`, creating the level. */
  append(n: number, price: number): void {
    const level = this.#findOrCreate(price);
    const pool = this.#pool;
    const tail = this.#tail[level]!;
    pool.level[n] = level;
    pool.prev[n] = tail;
    pool.next[n] = NIL;
    if (tail === NIL) this.#head[level] = n;
    else pool.next[tail] = n;
    this.#tail[level] = n;
    const q = pool.qty[n]!;
    this.#qty[level] += q;
    this.#orders[level]++;
    this.#restingQty += q;
    this.#orderCount++;
  }

  /** Takes `q` (< its qty) off node `n`, which stays queued. */
  reduce(n: number, q: number): void {
    const pool = this.#pool;
    pool.qty[n] -= q;
    this.#qty[pool.level[n]!] -= q;
    this.#restingQty -= q;
  }

  /** Unqueues node `n` (the caller frees it); removes its level when it empties. */
  unlink(n: number): void {
    const pool = this.#pool;
    const level = pool.level[n]!;
    const prev = pool.prev[n]!;
    const next = pool.next[n]!;
    if (prev === NIL) this.#head[level] = next;
    else pool.next[prev] = next;
    if (next === NIL) this.#tail[level] = prev;
    else pool.prev[next] = prev;
    const q = pool.qty[n]!;
    this.#qty[level] -= q;
    this.#restingQty -= q;
    this.#orderCount--;
    if (--this.#orders[level]! === 0) this.#removeLevel(level);
  }

  /** Forgets every level (the caller clears the pool). */
  clear(): void {
    this.#count = 0;
    this.#freeLevel = NIL;
    this.#levelHighWater = 0;
    this.#restingQty = 0;
    this.#orderCount = 0;
  }

  /** First index whose key is ≥ key. */
  #lowerBound(key: number): number {
    const keys = this.#keys;
    let lo = 0;
    let hi = this.#count;
    if (hi > 0 && keys[hi - 1]! < key) return hi; // new best level: the common case at the top
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #findOrCreate(price: number): number {
    const key = this.#sign * price;
    const pos = this.#lowerBound(key);
    if (pos < this.#count && this.#keys[pos] === key) return this.#levels[pos]!;
    if (this.#count === this.#keys.length) this.#growSorted();
    const level = this.#allocLevel();
    this.#price[level] = price;
    this.#head[level] = NIL;
    this.#tail[level] = NIL;
    this.#qty[level] = 0;
    this.#orders[level] = 0;
    if (pos < this.#count) this.#shiftUp(pos);
    this.#keys[pos] = key;
    this.#levels[pos] = level;
    this.#count++;
    return level;
  }

  #removeLevel(level: number): void {
    const last = this.#count - 1;
    const pos = this.#levels[last] === level ? last : this.#lowerBound(this.#sign * this.#price[level]!);
    if (pos < last) this.#shiftDown(pos);
    this.#count--;
    this.#head[level] = this.#freeLevel;
    this.#freeLevel = level;
  }

  /*
   * Shifting the sorted view: new and emptied levels are mostly near the top, so a move is usually
   * a few entries; a plain loop does those without copyWithin's call into the runtime, which
   * costs more than the copy itself at that size.
   */

  /** Opens index `pos` (entries pos … count-1 move up one). */
  #shiftUp(pos: number): void {
    const keys = this.#keys;
    const levels = this.#levels;
    const count = this.#count;
    if (count - pos > SHORT_SHIFT) {
      keys.copyWithin(pos + 1, pos, count);
      levels.copyWithin(pos + 1, pos, count);
      return;
    }
    for (let i = count; i > pos; i--) {
      keys[i] = keys[i - 1]!;
      levels[i] = levels[i - 1]!;
    }
  }

  /** Closes index `pos` (entries pos+1 … count-1 move down one). */
  #shiftDown(pos: number): void {
    const keys = this.#keys;
    const levels = this.#levels;
    const count = this.#count;
    if (count - pos > SHORT_SHIFT) {
      keys.copyWithin(pos, pos + 1, count);
      levels.copyWithin(pos, pos + 1, count);
      return;
    }
    for (let i = pos + 1; i < count; i++) {
      keys[i - 1] = keys[i]!;
      levels[i - 1] = levels[i]!;
    }
  }

  #allocLevel(): number {
    const l = this.#freeLevel;
    if (l !== NIL) {
      this.#freeLevel = this.#head[l]!;
      return l;
    }
    if (this.#levelHighWater === this.#price.length) {
      const size = this.#price.length * 2;
      this.#price = copy(this.#price, new Float64Array(size));
      this.#head = copy(this.#head, new Int32Array(size));
      this.#tail = copy(this.#tail, new Int32Array(size));
      this.#qty = copy(this.#qty, new Float64Array(size));
      this.#orders = copy(this.#orders, new Int32Array(size));
    }
    return this.#levelHighWater++;
  }

  #growSorted(): void {
    const size = this.#keys.length * 2;
    this.#keys = copy(this.#keys, new Float64Array(size));
    this.#levels = copy(this.#levels, new Int32Array(size));
  }
}

function copy<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}
