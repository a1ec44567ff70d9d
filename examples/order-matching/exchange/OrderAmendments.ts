/**
 * Changes to live orders (layer 4 of the engine, on OrderEntry; see ExchangeState for the layers):
 * CANCEL, MODIFY and MASS_CANCEL. An order is found by (account, order id) in the live-order
 * index and must be on the command's symbol, else UNKNOWN_ORDER (also for orders already filled
 * or cancelled).
 *
 * MODIFY keeps time priority only when the price is unchanged and the open quantity does not grow
 * (the order is reduced in place); a new price or a larger quantity takes the order out of the
 * book and runs it again as a taker (it may trade), as on most venues. A quantity at or below what
 * is already filled cancels the rest.
 *
 * Hot path: allocation-free. MASS_CANCEL visits only the account's own orders (Books.accountSide).
 */
import { NIL } from './Books.js';
import { CANCEL_REASON, FLAG, REASON, REPORT } from './codes.js';
import { isId, type ExchangeCommand } from './ExchangeCommand.js';
import { OrderEntry } from './OrderEntry.js';

export class OrderAmendments extends OrderEntry {
  /** The live order of the command (account, symbol and id must match), or NIL with a reject. */
  protected findOrder(c: ExchangeCommand): number {
    const a = this.accounts.indexOf(c.accountId);
    if (a < 0) return (this.reject(c, REASON.UNKNOWN_ACCOUNT), NIL);
    const s = this.symbolIndex.get(c.symbolId);
    if (s < 0) return (this.reject(c, REASON.UNKNOWN_SYMBOL), NIL);
    if (!isId(c.orderId)) return (this.reject(c, REASON.INVALID_ORDER_ID), NIL);
    const n = this.books.find(a, c.orderId);
    if (n === NIL || this.books.symbol[n] !== s) return (this.reject(c, REASON.UNKNOWN_ORDER), NIL);
    return n;
  }

  protected cancel(c: ExchangeCommand): void {
    const n = this.findOrder(c);
    if (n === NIL) return;
    const s = this.books.symbol[n]!;
    this.cancelNode(n, CANCEL_REASON.USER);
    this.publishTop(s);
  }

  protected modify(c: ExchangeCommand): void {
    const n = this.findOrder(c);
    if (n === NIL) return;
    const b = this.books;
    const pool = b.pool;
    const qty = c.qty;
    if (!Number.isSafeInteger(qty) || qty < 0) return this.reject(c, REASON.INVALID_QTY);
    const newPriceIn = c.price;
    if (!Number.isSafeInteger(newPriceIn) || newPriceIn < 0) return this.reject(c, REASON.INVALID_PRICE);
    const a = pool.account[n]!;
    if (this.accounts.suspended[a] === 1) return this.reject(c, REASON.ACCOUNT_SUSPENDED);
    const s = b.symbol[n]!;
    const buy = pool.isBid[n] === 1;
    const filled = b.filled[n]!;
    const oldPrice = b.price[n]!;
    const oldOpen = pool.qty[n]!;
    if (qty <= filled) {
      this.cancelNode(n, CANCEL_REASON.MODIFY);
      return this.publishTop(s);
    }
    const price = newPriceIn === 0 ? oldPrice : newPriceIn;
    const sym = this.symbols[s]!;
    if (qty % sym.lotSize !== 0) return this.reject(c, REASON.LOT_SIZE);
    if (qty < sym.minQty || qty > sym.maxQty) return this.reject(c, REASON.QTY_OUT_OF_RANGE);
    if (price !== oldPrice) {
      if (price % sym.tickSize !== 0) return this.reject(c, REASON.TICK_SIZE);
      const ref = this.ref[s]!;
      if (price < ref - sym.bandWidth || price > ref + sym.bandWidth) return this.reject(c, REASON.PRICE_BAND);
    }
    const open = qty - filled;
    const reason = this.limits(a, s, buy, price, qty, oldPrice, oldOpen);
    if (reason !== 0) return this.reject(c, reason);
    const flags = b.flags[n]!;
    if (flags === FLAG.POST_ONLY && price !== oldPrice && this.crosses(s, buy, price))
      return this.reject(c, REASON.POST_ONLY_WOULD_TRADE);
    const orderId = pool.orderId[n]!;
    if (price === oldPrice && open <= oldOpen) {
      // a decrease (or no change) keeps time priority
      if (open < oldOpen) {
        this.releaseHold(a, s, buy, price, oldOpen - open);
        b.side(s, buy).reduce(n, oldOpen - open);
      }
      b.orig[n] = qty;
      this.nodeReport(REPORT.REPLACED, n, qty, open, 0);
      this.outLeaves = open;
      return this.publishTop(s);
    }
    // a price change or an increase loses priority: out of the book, back in as a taker
    this.releaseHold(a, s, buy, oldPrice, oldOpen);
    this.accounts.openOrders[a]--;
    b.remove(n);
    this.startTaker(a, orderId, s, buy, price, price, qty, filled);
    this.takerReport(REPORT.REPLACED, qty, 0);
    this.runTaker(true, flags);
  }

  protected massCancel(c: ExchangeCommand): void {
    const a = this.accounts.indexOf(c.accountId);
    if (a < 0) return this.reject(c, REASON.UNKNOWN_ACCOUNT);
    const one = c.symbolId === 0 ? -1 : this.symbolIndex.get(c.symbolId);
    if (one < 0 && c.symbolId !== 0) return this.reject(c, REASON.UNKNOWN_SYMBOL);
    let count = 0;
    for (let s = 0; s < this.symbols.length; s++)
      if (one < 0 || s === one) count += this.#cancelSide(a, s, true) + this.#cancelSide(a, s, false);
    const r = this.report;
    r.clear(REPORT.DONE, this.commandIndex);
    r.accountId = c.accountId;
    r.symbolId = c.symbolId;
    r.qty = count;
    this.emit(r);
    for (let s = 0; s < this.symbols.length; s++) if (one < 0 || s === one) this.publishTop(s);
  }

  /** Cancels every order of account `a` on one side, in priority order; returns how many. */
  #cancelSide(a: number, s: number, buy: boolean): number {
    const b = this.books;
    const count = b.accountSide(a, s, buy);
    // cancelNode emits reports and frees nodes, but never rests one: scratch stays as it is
    for (let i = 0; i < count; i++) this.cancelNode(b.scratch[i]!, CANCEL_REASON.MASS);
    return count;
  }
}
