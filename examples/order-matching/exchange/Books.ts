/**
 * The exchange's order storage and books: one node pool shared by every symbol (OrderPool, with
 * `account` holding the account INDEX), per-node extras (symbol, limit price, original and filled
 * quantity, flags), one bid and one ask BookSide per symbol, and the live-order index keyed by
 * (account index, order id).
 *
 * Allocation: none per order, except amortised doubling of the pools and the index.
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
    this.side(s, buy).append(n, price);
    this.index.set(a, orderId, n);
    return n;
  }

  /** Unqueues, unindexes and frees node `n`. */
  remove(n: number): void {
    const pool = this.pool;
    this.side(this.symbol[n]!, pool.isBid[n] === 1).unlink(n);
    this.index.delete(pool.account[n]!, pool.orderId[n]!);
    pool.free(n);
  }

  /** Node of the live order (a, orderId), or NIL. */
  find(a: number, orderId: number): number {
    return this.index.get(a, orderId);
  }

  /** Forgets every order (keeps the arrays). */
  clear(): void {
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
  }
}

export { NIL };
