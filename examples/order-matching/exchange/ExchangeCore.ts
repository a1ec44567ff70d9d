/**
 * The exchange's state and its building blocks: accounts, books, reference prices, report
 * emission, holds, settlement and the matching loop. Exchange.ts adds the commands on top.
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
import { CANCEL_REASON, LIQUIDITY, REPORT, SIDE, STP } from './codes.js';
import type { ExchangeOptions, Instrument } from './config.js';
import { ExecutionReport, ReportDigest, type ReportSink } from './ExecutionReport.js';

export class ExchangeCore {
  protected readonly accounts: Accounts;
  protected readonly books: Books;
  protected readonly symbols: readonly Instrument[];
  protected readonly symbolIndex = new Map<number, number>();
  /** Reference price per symbol: the configured one, then the last trade price. */
  protected readonly ref: number[];
  protected tradeId = 0;
  /** Index of the command being processed (= commands processed before it). */
  protected commandIndex = 0;
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

  protected emit(r: ExecutionReport): void {
    this.digest.onReport(r);
    if (this.sink !== null) this.sink.onReport(r);
  }

  /** A report about the taker (the command's own order). */
  protected takerReport(type: number, qty: number, reason: number): void {
    const r = this.report;
    r.clear(type, this.commandIndex);
    r.accountId = this.accounts.id[this.tkA]!;
    r.orderId = this.tkOrderId;
    r.symbolId = this.symbols[this.tkS]!.symbolId;
    r.side = this.tkBuy ? SIDE.BUY : SIDE.SELL;
    r.price = this.tkPrice;
    r.qty = qty;
    r.leavesQty = this.tkLeaves;
    r.filledQty = this.tkFilled;
    r.reason = reason;
    this.emit(r);
  }

  /** A report about resting order `n` (its leaves/filled as they are now). */
  protected nodeReport(type: number, n: number, qty: number, leaves: number, reason: number): void {
    const pool = this.books.pool;
    const r = this.report;
    r.clear(type, this.commandIndex);
    r.accountId = this.accounts.id[pool.account[n]!]!;
    r.orderId = pool.orderId[n]!;
    r.symbolId = this.symbols[this.books.symbol[n]!]!.symbolId;
    r.side = pool.isBid[n] === 1 ? SIDE.BUY : SIDE.SELL;
    r.price = this.books.price[n]!;
    r.qty = qty;
    r.leavesQty = leaves;
    r.filledQty = this.books.filled[n]!;
    r.reason = reason;
    this.emit(r);
  }

  /** Emits TOP_OF_BOOK for symbol index `s` if its top changed since the last one. */
  protected publishTop(s: number): void {
    if (!this.#readTop(s)) return;
    const r = this.report;
    r.clear(REPORT.TOP_OF_BOOK, this.commandIndex);
    r.symbolId = this.symbols[s]!.symbolId;
    r.bidPrice = this.#topBid[s]!;
    r.bidQty = this.#topBidQty[s]!;
    r.askPrice = this.#topAsk[s]!;
    r.askQty = this.#topAskQty[s]!;
    this.emit(r);
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

  /** Worst price a market order may trade at: reference ± bandWidth, rounded inward to the tick. */
  protected collar(s: number, buy: boolean): number {
    const sym = this.symbols[s]!;
    const tick = sym.tickSize;
    if (buy) return Math.floor((this.ref[s]! + sym.bandWidth) / tick) * tick;
    const low = Math.ceil((this.ref[s]! - sym.bandWidth) / tick) * tick;
    return low < tick ? tick : low;
  }

  /** Whether an order at `limit` would trade against the best opposite level. */
  protected crosses(s: number, buy: boolean, limit: number): boolean {
    const opp = this.books.side(s, !buy);
    const l = opp.best();
    if (l === NIL) return false;
    const p = opp.levelPrice(l);
    return buy ? p <= limit : p >= limit;
  }

  /** FOK: whether `qty` fills in full at `limit` before meeting a resting order of the taker's STP party. */
  protected fillsInFull(a: number, s: number, buy: boolean, limit: number, qty: number): boolean {
    const opp = this.books.side(s, !buy);
    const pool = this.books.pool;
    const key = this.accounts.stpKey[a]!;
    let sum = 0;
    for (let r = 0; r < opp.levelCount; r++) {
      const l = opp.levelAt(r);
      const p = opp.levelPrice(l);
      if (buy ? p > limit : p < limit) return false;
      for (let n = opp.levelHead(l); n !== NIL; n = pool.next[n]!) {
        if (this.accounts.stpKey[pool.account[n]!] === key) return false;
        sum += pool.qty[n]!;
        if (sum >= qty) return true;
      }
    }
    return false;
  }

  /** One fill of q at price p between a buyer and a seller (holds converted). */
  #settle(buyer: number, seller: number, s: number, p: number, q: number, buyHoldPrice: number): void {
    const acc = this.accounts;
    const k = acc.symbolCount;
    acc.cash[buyer] -= p * q;
    acc.cashHeld[buyer] -= buyHoldPrice * q;
    acc.position[buyer * k + s] += q;
    acc.buyOpen[buyer * k + s] -= q;
    acc.cash[seller] += p * q;
    acc.position[seller * k + s] -= q;
    acc.sellOpen[seller * k + s] -= q;
  }

  /**
   * Matches the taker (tk* fields; its hold already taken for tkLeaves) against the opposite side
   * while it crosses tkLimit, applying the taker's STP mode. Leaves tkLeaves = what is left and
   * tkStp = whether STP stopped it. Allocation-free; no fill cap.
   */
  protected match(): void {
    const b = this.books;
    const pool = b.pool;
    const acc = this.accounts;
    const s = this.tkS;
    const buy = this.tkBuy;
    const opp = b.side(s, !buy);
    const limit = this.tkLimit;
    const key = acc.stpKey[this.tkA]!;
    const mode = acc.stpMode[this.tkA]!;
    this.tkStp = false;
    while (this.tkLeaves > 0) {
      const level = opp.best();
      if (level === NIL) break;
      const lp = opp.levelPrice(level);
      if (buy ? lp > limit : lp < limit) break;
      const m = opp.levelHead(level);
      const ma = pool.account[m]!;
      const open = pool.qty[m]!;
      if (acc.stpKey[ma] === key) {
        if (mode === STP.CANCEL_TAKER) {
          this.tkStp = true;
          break;
        }
        if (mode === STP.CANCEL_MAKER) {
          this.cancelNode(m, CANCEL_REASON.SELF_TRADE);
          continue;
        }
        if (mode === STP.CANCEL_BOTH) {
          this.cancelNode(m, CANCEL_REASON.SELF_TRADE);
          this.tkStp = true;
          break;
        }
        // decrement and cancel: both lose the smaller open quantity, nothing trades
        const d = open < this.tkLeaves ? open : this.tkLeaves;
        if (d === open) this.cancelNode(m, CANCEL_REASON.SELF_TRADE);
        else {
          this.nodeReport(REPORT.CANCELLED, m, d, open - d, CANCEL_REASON.SELF_TRADE);
          this.releaseHold(ma, s, !buy, lp, d);
          opp.reduce(m, d);
        }
        this.tkLeaves -= d;
        this.releaseHold(this.tkA, s, buy, this.tkHoldPrice, d);
        this.takerReport(REPORT.CANCELLED, d, CANCEL_REASON.SELF_TRADE);
        continue;
      }
      const q = open < this.tkLeaves ? open : this.tkLeaves;
      const tradeId = ++this.tradeId;
      if (buy) this.#settle(this.tkA, ma, s, lp, q, this.tkHoldPrice);
      else this.#settle(ma, this.tkA, s, lp, q, lp);
      this.tkLeaves -= q;
      this.tkFilled += q;
      this.outFilled += q;
      this.outTrades++;
      b.filled[m] += q;
      this.ref[s] = lp;
      this.#tradeReport(tradeId, lp, q, m, open - q);
      if (q === open) {
        acc.openOrders[ma]--;
        b.remove(m);
      } else opp.reduce(m, q);
    }
  }

  /** The two TRADE reports of one fill: taker first, then maker. */
  #tradeReport(tradeId: number, price: number, q: number, m: number, makerLeaves: number): void {
    const r = this.report;
    const pool = this.books.pool;
    const makerAccount = this.accounts.id[pool.account[m]!]!;
    const makerOrder = pool.orderId[m]!;
    const takerAccount = this.accounts.id[this.tkA]!;
    const symbolId = this.symbols[this.tkS]!.symbolId;
    r.clear(REPORT.TRADE, this.commandIndex);
    r.accountId = takerAccount;
    r.orderId = this.tkOrderId;
    r.symbolId = symbolId;
    r.side = this.tkBuy ? SIDE.BUY : SIDE.SELL;
    r.price = price;
    r.qty = q;
    r.leavesQty = this.tkLeaves;
    r.filledQty = this.tkFilled;
    r.tradeId = tradeId;
    r.liquidity = LIQUIDITY.TAKER;
    r.counterAccountId = makerAccount;
    r.counterOrderId = makerOrder;
    this.emit(r);
    r.clear(REPORT.TRADE, this.commandIndex);
    r.accountId = makerAccount;
    r.orderId = makerOrder;
    r.symbolId = symbolId;
    r.side = this.tkBuy ? SIDE.SELL : SIDE.BUY;
    r.price = price;
    r.qty = q;
    r.leavesQty = makerLeaves;
    r.filledQty = this.books.filled[m]!;
    r.tradeId = tradeId;
    r.liquidity = LIQUIDITY.MAKER;
    r.counterAccountId = takerAccount;
    r.counterOrderId = this.tkOrderId;
    this.emit(r);
  }
}
