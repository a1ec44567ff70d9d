/**
 * The exchange engine's state (bottom layer of the engine; each layer is one file):
 *
 *   ExchangeState    accounts, books, reference prices, the taker being matched, report emission,
 *                    holds, cancelling a resting order                               (this file)
 *   Matching         collar, crossing and FOK checks, the matching loop, settlement, the taker's
 *                    life cycle (start, match, rest / cancel / expire)
 *   OrderEntry       NEW_LIMIT / NEW_MARKET: validation, risk limits, throttle, then Matching
 *   OrderAmendments  CANCEL, MODIFY, MASS_CANCEL
 *   Exchange         the public engine: process() dispatch, account admin, DEPTH, snapshots
 *
 * One class per layer, each extending the one below, so the hot path reads fields of a single
 * concrete class (monomorphic) while each file stays readable on its own.
 *
 * Holds: a live buy holds limit price × open quantity of cash (a market buy holds at its collar);
 * a live sell holds its open quantity of position (sellOpen). A fill converts the hold: the buyer
 * pays the trade price and the hold at its own price is released; a cancel, expiry or reject
 * releases it. So cash is conserved across accounts, cashHeld ≤ cash, and cash never goes negative.
 *
 * Hot path: everything here allocates nothing (one ExecutionReport object is refilled for each
 * report), apart from the amortised growth of the books.
 */
import { Accounts } from './Accounts.js';
import { Books, NIL } from './Books.js';
import { REPORT, SIDE } from './codes.js';
import type { ExchangeOptions, Instrument } from './config.js';
import { IdIndex } from './IdIndex.js';
import { ExecutionReport, type ReportSink } from './ExecutionReport.js';
import { ReportDigest } from './ReportDigest.js';

export class ExchangeState {
  protected readonly accounts: Accounts;
  protected readonly books: Books;
  protected readonly symbols: readonly Instrument[];
  /** symbolId → symbol index (-1: unknown). */
  protected readonly symbolIndex = new IdIndex();
  /** Reference price per symbol: the configured one, then the last trade price. */
  protected readonly ref: number[];
  protected tradeId = 0;
  /** Index of the command being processed (= commands processed before it). */
  protected commandIndex = 0;
  /**
   * Event time used for commands whose `time` is 0 (the handler puts the slot's $timestamp here).
   * A typed array: passing a time above 2^30 as an argument would box it on every call.
   */
  readonly clock = new Float64Array(1);
  protected readonly report = new ExecutionReport();
  /** The one report object every report is written into (a sink may keep a reference to read it in onReport). */
  get currentReport(): ExecutionReport {
    return this.report;
  }
  /** Running digest of every report since the engine started (part of the state). */
  readonly digest = new ReportDigest();
  /** Where reports go besides the digest (null: nowhere). */
  sink: ReportSink | null = null;
  // top of book last reported per symbol
  readonly #topBid: Float64Array;
  readonly #topBidQty: Float64Array;
  readonly #topAsk: Float64Array;
  readonly #topAskQty: Float64Array;
  // the taker being matched
  protected tkA = 0;
  protected tkOrderId = 0;
  protected tkS = 0;
  protected tkBuy = true;
  /** Price shown in the taker's reports (0 for market orders). */
  protected tkPrice = 0;
  /** Worst price the taker may trade at (its limit, or the collar). */
  protected tkLimit = 0;
  /** Price its cash hold was taken at (buys). */
  protected tkHoldPrice = 0;
  protected tkQty = 0;
  protected tkLeaves = 0;
  protected tkFilled = 0;
  /** Self-trade prevention stopped the taker (its remainder is cancelled). */
  protected tkStp = false;
  // outcome of the current command (the handler writes it into the slot)
  /** REASON.* of a rejected command, 0 when accepted. */
  outReason = 0;
  /** Quantity the command's order traded. */
  outFilled = 0;
  /** Open quantity the command's order has at the end (0 unless it rests). */
  outLeaves = 0;
  /** Trades the command made. */
  outTrades = 0;
  /** The command's order is now filled in full. */
  outComplete = false;

  constructor(o: ExchangeOptions) {
    this.symbols = o.symbols;
    o.symbols.forEach((s, i) => this.symbolIndex.set(s.symbolId, i));
    this.ref = o.symbols.map((s) => s.refPrice);
    this.accounts = new Accounts(o.symbols.length, o.accounts);
    this.books = new Books(o.symbols.length, o.bookCapacity ?? 4096);
    const n = o.symbols.length;
    this.#topBid = new Float64Array(n);
    this.#topBidQty = new Float64Array(n);
    this.#topAsk = new Float64Array(n);
    this.#topAskQty = new Float64Array(n);
  }

  /** Hands a report to the digest and the sink (any shape: r.clear() then the fields). */
  protected emit(r: ExecutionReport): void {
    this.digest.onReport(r);
    if (this.sink !== null) this.sink.onReport(r);
  }

  /** emit() for the order shape (r.startOrder(), then accountId … reason). */
  protected emitOrder(r: ExecutionReport): void {
    this.digest.onOrderReport(r);
    if (this.sink !== null) this.sink.onReport(r);
  }

  /** emit() for the trade shape (r.startTrade(), then accountId … counterOrderId). */
  protected emitTrade(r: ExecutionReport): void {
    this.digest.onTradeReport(r);
    if (this.sink !== null) this.sink.onReport(r);
  }

  /** A report about the taker (the command's own order). */
  protected takerReport(type: number, qty: number, reason: number): void {
    const r = this.report;
    r.startOrder(type, this.commandIndex);
    r.accountId = this.accounts.id[this.tkA]!;
    r.orderId = this.tkOrderId;
    r.symbolId = this.symbols[this.tkS]!.symbolId;
    r.side = this.tkBuy ? SIDE.BUY : SIDE.SELL;
    r.price = this.tkPrice;
    r.qty = qty;
    r.leavesQty = this.tkLeaves;
    r.filledQty = this.tkFilled;
    r.reason = reason;
    this.emitOrder(r);
  }

  /** A report about resting order `n` (its leaves/filled as they are now). */
  protected nodeReport(type: number, n: number, qty: number, leaves: number, reason: number): void {
    const pool = this.books.pool;
    const r = this.report;
    r.startOrder(type, this.commandIndex);
    r.accountId = this.accounts.id[pool.account[n]!]!;
    r.orderId = pool.orderId[n]!;
    r.symbolId = this.symbols[this.books.symbol[n]!]!.symbolId;
    r.side = pool.isBid[n] === 1 ? SIDE.BUY : SIDE.SELL;
    r.price = this.books.price[n]!;
    r.qty = qty;
    r.leavesQty = leaves;
    r.filledQty = this.books.filled[n]!;
    r.reason = reason;
    this.emitOrder(r);
  }

  /** Emits TOP_OF_BOOK for symbol index `s` if its top changed since the last one. */
  protected publishTop(s: number): void {
    if (!this.#readTop(s)) return;
    const r = this.report;
    r.startTop(this.commandIndex);
    r.symbolId = this.symbols[s]!.symbolId;
    r.bidPrice = this.#topBid[s]!;
    r.bidQty = this.#topBidQty[s]!;
    r.askPrice = this.#topAsk[s]!;
    r.askQty = this.#topAskQty[s]!;
    this.digest.onTopReport(r);
    if (this.sink !== null) this.sink.onReport(r);
  }

  /** Stores the current top of symbol `s`; returns whether it differs from the stored one. */
  #readTop(s: number): boolean {
    const bids = this.books.bids[s]!;
    const asks = this.books.asks[s]!;
    const bl = bids.best();
    const al = asks.best();
    const bp = bl === NIL ? 0 : bids.levelPrice(bl);
    const bq = bl === NIL ? 0 : bids.levelQty(bl);
    const ap = al === NIL ? 0 : asks.levelPrice(al);
    const aq = al === NIL ? 0 : asks.levelQty(al);
    if (bp === this.#topBid[s] && bq === this.#topBidQty[s] && ap === this.#topAsk[s] && aq === this.#topAskQty[s])
      return false;
    this.#topBid[s] = bp;
    this.#topBidQty[s] = bq;
    this.#topAsk[s] = ap;
    this.#topAskQty[s] = aq;
    return true;
  }

  /** Re-reads every top of book without reporting (after restore: the last report showed the current top). */
  protected syncTops(): void {
    for (let s = 0; s < this.symbols.length; s++) this.#readTop(s);
  }

  protected addHold(a: number, s: number, buy: boolean, price: number, q: number): void {
    const k = a * this.accounts.symbolCount + s;
    if (buy) {
      this.accounts.cashHeld[a] += price * q;
      this.accounts.buyOpen[k] += q;
    } else this.accounts.sellOpen[k] += q;
  }

  protected releaseHold(a: number, s: number, buy: boolean, price: number, q: number): void {
    const k = a * this.accounts.symbolCount + s;
    if (buy) {
      this.accounts.cashHeld[a] -= price * q;
      this.accounts.buyOpen[k] -= q;
    } else this.accounts.sellOpen[k] -= q;
  }

  /** Cancels resting order `n` in full: report, release its hold, free it. */
  protected cancelNode(n: number, reason: number): void {
    const pool = this.books.pool;
    const a = pool.account[n]!;
    const open = pool.qty[n]!;
    this.nodeReport(REPORT.CANCELLED, n, open, 0, reason);
    this.releaseHold(a, this.books.symbol[n]!, pool.isBid[n] === 1, this.books.price[n]!, open);
    this.accounts.openOrders[a]--;
    this.books.remove(n);
  }
}
