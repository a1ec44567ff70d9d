/**
 * A limit order book for one symbol with price-time priority: a taker trades first against the
 * best price, and at one price against the order that arrived first. Trades happen at the resting
 * (maker) order's price.
 *
 * Rules (each is tested):
 *  - limit orders trade while they cross, then rest (status RESTING / PARTIAL_RESTING / FILLED);
 *  - market orders are immediate-or-cancel: they never rest; an unfilled remainder is cancelled
 *    (EXPIRED);
 *  - MAX_FILLS: after MAX_FILLS maker fills, if the taker has quantity left and the book still offers
 *    a crossing maker, the remainder is cancelled (MAX_FILLS_CANCELLED);
 *  - self-trade prevention, "cancel taker": when the next maker in priority belongs to the taker's
 *    own account, matching stops and the taker's remainder is cancelled (SELF_TRADE_CANCELLED);
 *    fills before that stand, the resting order is untouched;
 *  - order ids are unique among the book's LIVE orders: a new order whose id is live is rejected
 *    (DUPLICATE_ORDER, nothing changes); ids of dead orders may be reused;
 *  - cancel(orderId, accountId) removes the live order if that account owns it, else UNKNOWN_ORDER.
 *
 * Conservation: placedQty = restingQty + 2 × tradedQty + cancelledQty at all times (a fill takes
 * its quantity from both the taker and the maker).
 *
 * Hot path: place() and cancel() allocate nothing, apart from amortised growth (doubling) of the
 * node pool, the level pools and the order-id index (OrderIndex, an open-addressing table).
 */
import { RingbusError, show } from '../../src/index.js';
import { MAX_FILLS, SIDE, STATUS } from './events.js';
import { BookSide } from './BookSide.js';
import type { MatchResult } from './MatchResult.js';
import { NIL, OrderPool } from './OrderPool.js';
import { OrderIndex } from './OrderIndex.js';
import { hashState } from './stateHash.js';

/** Price returned by bestBid/bestAsk when that side is empty (real prices are ≥ 1). */
export const NO_PRICE = 0;

/** A resting order in a snapshot: [orderId, accountId, price, open qty]. */
export type RestingOrder = [number, number, number, number];

export interface OrderBookSnapshot {
  symbolId: number;
  /** Bids best first, FIFO within a level. */
  bids: RestingOrder[];
  /** Asks best first, FIFO within a level. */
  asks: RestingOrder[];
  /** [placedQty, tradedQty, tradeCount, cancelledQty] */
  stats: [number, number, number, number];
}

/** One level of depth(): allocates, for inspection only. */
export interface DepthLevel {
  price: number;
  qty: number;
  orders: number;
}

export class OrderBook {
  readonly symbolId: number;
  readonly #pool: OrderPool;
  readonly #bids: BookSide;
  readonly #asks: BookSide;
  readonly #byId: OrderIndex;
  #placedQty = 0;
  #tradedQty = 0;
  #tradeCount = 0;
  #cancelledQty = 0;

  /** `capacity`: resting orders the node pool holds before it first grows. */
  constructor(symbolId: number, capacity = 1024) {
    this.symbolId = symbolId;
    this.#pool = new OrderPool(capacity);
    this.#byId = new OrderIndex(capacity);
    this.#bids = new BookSide(this.#pool, true);
    this.#asks = new BookSide(this.#pool, false);
  }

  /**
   * Matches a new order (limit, or market when `market`; `price` is ignored for market orders) and
   * rests a limit remainder. Writes the outcome into `result`. Allocation-free (see class doc).
   */
  place(
    orderId: number,
    accountId: number,
    side: number,
    price: number,
    qty: number,
    market: boolean,
    result: MatchResult,
  ): void {
    result.reset();
    if (this.#byId.get(orderId) !== NIL) {
      result.status = STATUS.DUPLICATE_ORDER;
      return;
    }
    this.#placedQty += qty;
    const buy = side === SIDE.BUY;
    const opposite = buy ? this.#asks : this.#bids;
    const pool = this.#pool;
    let remaining = qty;
    let stop: number = STATUS.PENDING;
    while (remaining > 0) {
      const level = opposite.best();
      if (level === NIL) break;
      const levelPrice = opposite.levelPrice(level);
      if (!market && (buy ? levelPrice > price : levelPrice < price)) break;
      const maker = opposite.levelHead(level);
      if (pool.account[maker] === accountId) {
        stop = STATUS.SELF_TRADE_CANCELLED;
        break;
      }
      const i = result.fillCount;
      if (i === MAX_FILLS) {
        stop = STATUS.MAX_FILLS_CANCELLED;
        break;
      }
      const open = pool.qty[maker]!;
      const q = open < remaining ? open : remaining;
      result.makerAccount[i] = pool.account[maker]!;
      result.makerOrder[i] = pool.orderId[maker]!;
      result.fillQty[i] = q;
      result.fillPrice[i] = levelPrice;
      result.fillCount = i + 1;
      result.filledQty += q;
      result.fillNotional += q * levelPrice;
      remaining -= q;
      if (q === open) {
        this.#byId.delete(pool.orderId[maker]!);
        opposite.unlink(maker);
        pool.free(maker);
      } else {
        opposite.reduce(maker, q);
      }
    }
    this.#tradedQty += result.filledQty;
    this.#tradeCount += result.fillCount;
    if (remaining === 0) {
      result.status = STATUS.FILLED;
    } else if (stop !== STATUS.PENDING || market) {
      result.status = stop !== STATUS.PENDING ? stop : STATUS.EXPIRED;
      result.cancelledQty = remaining;
      this.#cancelledQty += remaining;
    } else {
      this.#rest(orderId, accountId, buy, price, remaining);
      result.status = result.fillCount > 0 ? STATUS.PARTIAL_RESTING : STATUS.RESTING;
    }
  }

  /** Cancels live order `orderId` if `accountId` owns it (CANCELLED, cancelledQty = its open qty), else UNKNOWN_ORDER. */
  cancel(orderId: number, accountId: number, result: MatchResult): void {
    result.reset();
    const n = this.#byId.get(orderId);
    const pool = this.#pool;
    if (n === NIL || pool.account[n] !== accountId) {
      result.status = STATUS.UNKNOWN_ORDER;
      return;
    }
    const open = pool.qty[n]!;
    (pool.isBid[n] === 1 ? this.#bids : this.#asks).unlink(n);
    pool.free(n);
    this.#byId.delete(orderId);
    this.#cancelledQty += open;
    result.status = STATUS.CANCELLED;
    result.cancelledQty = open;
  }

  #rest(orderId: number, accountId: number, buy: boolean, price: number, qty: number): void {
    const pool = this.#pool;
    const n = pool.alloc();
    pool.orderId[n] = orderId;
    pool.account[n] = accountId;
    pool.qty[n] = qty;
    pool.isBid[n] = buy ? 1 : 0;
    (buy ? this.#bids : this.#asks).append(n, price);
    this.#byId.set(orderId, n);
  }

  /** Best bid price, or NO_PRICE. */
  bestBid(): number {
    const l = this.#bids.best();
    return l === NIL ? NO_PRICE : this.#bids.levelPrice(l);
  }

  /** Best ask price, or NO_PRICE. */
  bestAsk(): number {
    const l = this.#asks.best();
    return l === NIL ? NO_PRICE : this.#asks.levelPrice(l);
  }

  /** Number of live orders. */
  get orderCount(): number {
    return this.#byId.size;
  }

  /** Open quantity resting on both sides. */
  get restingQty(): number {
    return this.#bids.restingQty + this.#asks.restingQty;
  }

  /** Quantity of every order that entered the book (duplicates excluded). */
  get placedQty(): number {
    return this.#placedQty;
  }
  /** Quantity traded (each fill counted once). */
  get tradedQty(): number {
    return this.#tradedQty;
  }
  /** Number of fills. */
  get tradeCount(): number {
    return this.#tradeCount;
  }
  /** Quantity removed without trading (cancels, IOC / MAX_FILLS / self-trade remainders). */
  get cancelledQty(): number {
    return this.#cancelledQty;
  }

  /** Open qty of live order `orderId`, or 0. */
  openQty(orderId: number): number {
    const n = this.#byId.get(orderId);
    return n === NIL ? 0 : this.#pool.qty[n]!;
  }

  /** The best `maxLevels` levels of one side, best first. Allocates: inspection only. */
  depth(side: number, maxLevels = Infinity): DepthLevel[] {
    const s = side === SIDE.BUY ? this.#bids : this.#asks;
    const out: DepthLevel[] = [];
    for (let r = 0; r < s.levelCount && r < maxLevels; r++) {
      const l = s.levelAt(r);
      out.push({ price: s.levelPrice(l), qty: s.levelQty(l), orders: s.levelOrders(l) });
    }
    return out;
  }

  #orders(s: BookSide): RestingOrder[] {
    const pool = this.#pool;
    const out: RestingOrder[] = [];
    for (let r = 0; r < s.levelCount; r++) {
      const l = s.levelAt(r);
      const price = s.levelPrice(l);
      for (let n = s.levelHead(l); n !== NIL; n = pool.next[n]!)
        out.push([pool.orderId[n]!, pool.account[n]!, price, pool.qty[n]!]);
    }
    return out;
  }

  /** A JSON-serialisable deep copy: live orders in priority order, and the counters. Allocates. */
  snapshot(): OrderBookSnapshot {
    return {
      symbolId: this.symbolId,
      bids: this.#orders(this.#bids),
      asks: this.#orders(this.#asks),
      stats: [this.#placedQty, this.#tradedQty, this.#tradeCount, this.#cancelledQty],
    };
  }

  /** Replaces the state with a snapshot of a book of the same symbol; priority order is kept. */
  restore(state: OrderBookSnapshot): void {
    if (
      typeof state !== 'object' ||
      state === null ||
      state.symbolId !== this.symbolId ||
      !Array.isArray(state.bids) ||
      !Array.isArray(state.asks) ||
      !Array.isArray(state.stats)
    ) {
      throw new RingbusError(
        'RINGBUS_ERR_SNAPSHOT_CORRUPT',
        `order book snapshot for symbol ${this.symbolId} must be { symbolId: ${this.symbolId}, bids, asks, stats }, got ${show(state)}`,
      );
    }
    this.#pool.clear();
    this.#bids.clear();
    this.#asks.clear();
    this.#byId.clear();
    for (const [orderId, accountId, price, qty] of state.bids) this.#rest(orderId, accountId, true, price, qty);
    for (const [orderId, accountId, price, qty] of state.asks) this.#rest(orderId, accountId, false, price, qty);
    [this.#placedQty, this.#tradedQty, this.#tradeCount, this.#cancelledQty] = state.stats;
  }

  /** sha256 hex of the canonical snapshot. Allocates. */
  stateHash(): string {
    return hashState(this.snapshot());
  }
}
