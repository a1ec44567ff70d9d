/**
 * Matching and the taker's life cycle (layer 2 of the engine, on ExchangeState; see there for the
 * layers): the market-order collar, the post-only crossing test, the FOK fill test, the matching
 * loop with self-trade prevention and settlement of each fill, and start / run / end of the taker
 * (the command's own order: a new order, or a modify that lost its priority).
 *
 * Settlement converts holds (see ExchangeState): the buyer pays the trade price and releases its
 * hold at its own price; the seller's sellOpen hold becomes the position change.
 *
 * Hot path: allocation-free (amortised book growth aside).
 */
import { NIL } from './Books.js';
import { CANCEL_REASON, LIQUIDITY, REPORT, SIDE, STP } from './codes.js';
import { ExchangeState } from './ExchangeState.js';

export class Matching extends ExchangeState {
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
    r.startTrade(this.commandIndex);
    r.accountId = takerAccount;
    r.orderId = this.tkOrderId;
    r.symbolId = symbolId;
    r.side = this.tkBuy ? SIDE.BUY : SIDE.SELL;
    r.price = price;
    r.qty = q;
    r.leavesQty = this.tkLeaves;
    r.filledQty = this.tkFilled;
    r.reason = 0;
    r.tradeId = tradeId;
    r.liquidity = LIQUIDITY.TAKER;
    r.counterAccountId = makerAccount;
    r.counterOrderId = makerOrder;
    this.emitTrade(r);
    r.startTrade(this.commandIndex);
    r.accountId = makerAccount;
    r.orderId = makerOrder;
    r.symbolId = symbolId;
    r.side = this.tkBuy ? SIDE.SELL : SIDE.BUY;
    r.price = price;
    r.qty = q;
    r.leavesQty = makerLeaves;
    r.filledQty = this.books.filled[m]!;
    r.reason = 0;
    r.tradeId = tradeId;
    r.liquidity = LIQUIDITY.MAKER;
    r.counterAccountId = takerAccount;
    r.counterOrderId = this.tkOrderId;
    this.emitTrade(r);
  }

  /** Sets up the taker and takes its hold and open-order slot. */
  protected startTaker(
    a: number,
    orderId: number,
    s: number,
    buy: boolean,
    price: number,
    limit: number,
    qty: number,
    filled: number,
  ): void {
    this.tkA = a;
    this.tkOrderId = orderId;
    this.tkS = s;
    this.tkBuy = buy;
    this.tkPrice = price;
    this.tkLimit = limit;
    this.tkHoldPrice = limit;
    this.tkQty = qty;
    this.tkFilled = filled;
    this.tkLeaves = qty - filled;
    this.addHold(a, s, buy, limit, this.tkLeaves);
    this.accounts.openOrders[a]++;
  }

  /** Matches the taker, then rests (GTC), cancels (STP) or expires (IOC / FOK) what is left. */
  protected runTaker(rest: boolean, flags: number): void {
    this.match();
    this.outComplete = this.tkFilled === this.tkQty;
    if (this.tkLeaves === 0) this.accounts.openOrders[this.tkA]--;
    else if (this.tkStp) this.endTaker(REPORT.CANCELLED, CANCEL_REASON.SELF_TRADE);
    else if (!rest) this.endTaker(REPORT.EXPIRED, CANCEL_REASON.IOC);
    else {
      this.books.rest(
        this.tkA,
        this.tkOrderId,
        this.tkS,
        this.tkBuy,
        this.tkPrice,
        this.tkLeaves,
        this.tkQty,
        this.tkFilled,
        flags,
      );
      this.outLeaves = this.tkLeaves;
    }
    this.publishTop(this.tkS);
  }

  /** Releases the taker's remainder with a CANCELLED or EXPIRED report. */
  protected endTaker(type: number, reason: number): void {
    const left = this.tkLeaves;
    this.releaseHold(this.tkA, this.tkS, this.tkBuy, this.tkHoldPrice, left);
    this.accounts.openOrders[this.tkA]--;
    this.tkLeaves = 0;
    this.takerReport(type, left, reason);
  }
}
