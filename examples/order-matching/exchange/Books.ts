/**
 * The exchange's order storage and books: one node pool shared by every symbol (OrderPool, with
 * `account` holding the account INDEX), per-node extras (symbol, limit price, original and filled
 * quantity, flags), one bid and one ask BookSide per symbol, and the live-order index keyed by
 * (account index, order id).
 *
 * Each account's resting orders are also linked in one list per account (any symbol or side), and
 * each node carries its arrival sequence, so MASS_CANCEL visits only the account's own orders
 * (accountSide) instead of walking every order of the books: the cancels must come in priority
 * order, which is (price, arrival) since a level's FIFO is arrival order. Mass cancels were a
 * seventh of the engine's time on the bench flow with whole-book walks.
 *
 * Allocation: none per order, except amortised doubling of the pools, the index, the per-account
 * heads and the scratch list.
 */
import { BookSide } from '../BookSide.js';
import { NIL, OrderPool } from '../OrderPool.js';
import { LiveOrderIndex } from './LiveOrderIndex.js';

export class Books {
  readonly pool: OrderPool;
  readonly index: LiveOrderIndex;
  readonly bids: BookSide[] = [];
  readonly asks: BookSide[] = [];
  /** Per node: symbol index, limit price, original quantity, filled quantity, FLAG bits. */
  symbol: Int32Array;
  price: Float64Array;
  orig: Float64Array;
  filled: Float64Array;
  flags: Uint8Array;
  /** Per node: arrival sequence (a level's FIFO order), and the links of its account's list. */
  seq: Float64Array;
  accountNext: Int32Array;
  accountPrev: Int32Array;
  /** First node of each account's list (by account index), NIL when it has none. */
  #accountHead = new Int32Array(16).fill(NIL);
  /** Next arrival sequence (a typed array: no boxing once past 2^30). */
  readonly #nextSeq = new Float64Array(1);
  /** accountSide() writes the nodes here; valid until the next call. */
  scratch = new Int32Array(64);

  constructor(symbolCount: number, capacity: number) {
    this.pool = new OrderPool(capacity);
    this.index = new LiveOrderIndex(capacity);
    for (let s = 0; s < symbolCount; s++) {
      this.bids.push(new BookSide(this.pool, true));
      this.asks.push(new BookSide(this.pool, false));
    }
    this.symbol = new Int32Array(capacity);
    this.price = new Float64Array(capacity);
    this.orig = new Float64Array(capacity);
    this.filled = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.seq = new Float64Array(capacity);
    this.accountNext = new Int32Array(capacity);
    this.accountPrev = new Int32Array(capacity);
  }

  side(s: number, buy: boolean): BookSide {
    return buy ? this.bids[s]! : this.asks[s]!;
  }

  /** Queues a new resting order at the back of its level; returns its node. */
  rest(
    a: number,
    orderId: number,
    s: number,
    buy: boolean,
    price: number,
    open: number,
    orig: number,
    filled: number,
    flags: number,
  ): number {
    const pool = this.pool;
    const n = pool.alloc();
    if (n >= this.symbol.length) this.#grow(pool.capacity);
    pool.orderId[n] = orderId;
    pool.account[n] = a;
    pool.qty[n] = open;
    pool.isBid[n] = buy ? 1 : 0;
    this.symbol[n] = s;
    this.price[n] = price;
    this.orig[n] = orig;
    this.filled[n] = filled;
    this.flags[n] = flags;
    this.seq[n] = this.#nextSeq[0]++;
    this.#linkAccount(a, n);
    this.side(s, buy).append(n, price);
    this.index.set(a, orderId, n);
    return n;
  }

  /** Unqueues, unindexes and frees node `n`. */
  remove(n: number): void {
    const pool = this.pool;
    this.side(this.symbol[n]!, pool.isBid[n] === 1).unlink(n);
    this.index.delete(pool.account[n]!, pool.orderId[n]!);
    this.#unlinkAccount(pool.account[n]!, n);
    pool.free(n);
  }

  /**
   * The resting orders of account `a` on one side of symbol `s`, in priority order (best price
   * first, then arrival), into `scratch`; returns how many. Visits only the account's orders.
   */
  accountSide(a: number, s: number, buy: boolean): number {
    if (a >= this.#accountHead.length) return 0;
    const pool = this.pool;
    const bid = buy ? 1 : 0;
    let k = 0;
    for (let n = this.#accountHead[a]!; n !== NIL; n = this.accountNext[n]!) {
      if (this.symbol[n] !== s || pool.isBid[n] !== bid) continue;
      if (k === this.scratch.length) {
        const bigger = new Int32Array(k * 2);
        bigger.set(this.scratch);
        this.scratch = bigger;
      }
      this.scratch[k++] = n;
    }
    this.#sortByPriority(k, buy);
    return k;
  }

  /** Node of the live order (a, orderId), or NIL. */
  find(a: number, orderId: number): number {
    return this.index.get(a, orderId);
  }

  /** Forgets every order (keeps the arrays). */
  clear(): void {
    this.#accountHead.fill(NIL);
    this.#nextSeq[0] = 0;
    this.pool.clear();
    this.index.clear();
    for (const b of this.bids) b.clear();
    for (const b of this.asks) b.clear();
  }

  #grow(size: number): void {
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(size);
      b.set(a as never);
      return b;
    };
    this.symbol = grow(this.symbol, Int32Array);
    this.price = grow(this.price, Float64Array);
    this.orig = grow(this.orig, Float64Array);
    this.filled = grow(this.filled, Float64Array);
    this.flags = grow(this.flags, Uint8Array);
    this.seq = grow(this.seq, Float64Array);
    this.accountNext = grow(this.accountNext, Int32Array);
    this.accountPrev = grow(this.accountPrev, Int32Array);
  }

  #linkAccount(a: number, n: number): void {
    if (a >= this.#accountHead.length) {
      let size = this.#accountHead.length * 2;
      while (size <= a) size *= 2;
      const heads = new Int32Array(size).fill(NIL);
      heads.set(this.#accountHead);
      this.#accountHead = heads;
    }
    const head = this.#accountHead[a]!;
    this.accountPrev[n] = NIL;
    this.accountNext[n] = head;
    if (head !== NIL) this.accountPrev[head] = n;
    this.#accountHead[a] = n;
  }

  #unlinkAccount(a: number, n: number): void {
    const prev = this.accountPrev[n]!;
    const next = this.accountNext[n]!;
    if (prev === NIL) this.#accountHead[a] = next;
    else this.accountNext[prev] = next;
    if (next !== NIL) this.accountPrev[next] = prev;
  }

  /** Whether node x comes before node y in priority on a side (bids: higher price first). */
  #before(x: number, y: number, buy: boolean): boolean {
    const px = this.price[x]!;
    const py = this.price[y]!;
    if (px !== py) return buy ? px > py : px < py;
    return this.seq[x]! < this.seq[y]!;
  }

  /** Heap sort of scratch[0 … k) into priority order: in place, no allocation, O(k log k). */
  #sortByPriority(k: number, buy: boolean): void {
    const a = this.scratch;
    for (let i = (k >> 1) - 1; i >= 0; i--) this.#siftDown(i, k, buy);
    for (let end = k - 1; end > 0; end--) {
      const t = a[0]!;
      a[0] = a[end]!;
      a[end] = t;
      this.#siftDown(0, end, buy);
    }
  }

  /** Max-heap on "comes later": the root is the order that goes last. */
  #siftDown(i: number, k: number, buy: boolean): void {
    const a = this.scratch;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= k) return;
      let c = l;
      if (l + 1 < k && this.#before(a[l]!, a[l + 1]!, buy)) c = l + 1;
      if (!this.#before(a[i]!, a[c]!, buy)) return;
      const t = a[i]!;
      a[i] = a[c]!;
      a[c] = t;
      i = c;
    }
  }
}

export { NIL };
