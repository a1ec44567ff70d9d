/**
 * Order entry (layer 3 of the engine, on Matching; see ExchangeState for the layers): NEW_LIMIT
 * and NEW_MARKET. The checks run in a fixed order and the first failure is the REASON of the
 * REJECTED report: account, symbol, side, order id, time in force, flags, quantity, price (for a
 * market order: 0), suspension, duplicate id, lot size, quantity range, tick size, price band,
 * risk limits (limits()), the order-rate throttle, post-only. A rejected command changes no state
 * (not the throttle, not the last order id); from the first state change on, the order is accepted.
 *
 * Every input is checked here, whatever path wrote it (translators do not validate): a NaN,
 * fractional, negative or out-of-range value is rejected with a REASON and changes nothing.
 *
 * Hot path: allocation-free.
 */
import { CANCEL_REASON, FLAG, REASON, REPORT, SIDE, TIF } from './codes.js';
import { isId, num, type ExchangeCommand } from './ExchangeCommand.js';
import { Matching } from './Matching.js';

export class OrderEntry extends Matching {
  /** REJECTED report echoing the command's fields (as numbers; NaN reported as 0). */
  protected reject(c: ExchangeCommand, reason: number): void {
    const r = this.report;
    r.startOrder(REPORT.REJECTED, this.commandIndex);
    r.accountId = num(c.accountId);
    r.orderId = num(c.orderId);
    r.symbolId = num(c.symbolId);
    r.side = num(c.side);
    r.price = num(c.price);
    r.qty = num(c.qty);
    r.leavesQty = 0;
    r.filledQty = 0;
    r.reason = reason;
    this.outReason = reason;
    this.emitOrder(r);
  }

  protected newOrder(c: ExchangeCommand, market: boolean): void {
    const acc = this.accounts;
    const a = acc.indexOf(c.accountId);
    if (a < 0) return this.reject(c, REASON.UNKNOWN_ACCOUNT);
    const s = this.symbolIndex.get(c.symbolId);
    if (s < 0) return this.reject(c, REASON.UNKNOWN_SYMBOL);
    const side = c.side;
    if (side !== SIDE.BUY && side !== SIDE.SELL) return this.reject(c, REASON.INVALID_SIDE);
    const buy = side === SIDE.BUY;
    const orderId = c.orderId;
    if (!isId(orderId)) return this.reject(c, REASON.INVALID_ORDER_ID);
    let tif = c.tif;
    if (tif === TIF.DEFAULT) tif = market ? TIF.IOC : TIF.GTC;
    if ((tif !== TIF.GTC && tif !== TIF.IOC && tif !== TIF.FOK) || (market && tif === TIF.GTC))
      return this.reject(c, REASON.INVALID_TIF);
    const flags = c.flags;
    if (flags !== 0 && (flags !== FLAG.POST_ONLY || market || tif !== TIF.GTC))
      return this.reject(c, REASON.INVALID_FLAGS);
    const qty = c.qty;
    if (!isId(qty)) return this.reject(c, REASON.INVALID_QTY);
    const price = c.price;
    if (market ? price !== 0 : !isId(price)) return this.reject(c, REASON.INVALID_PRICE);
    if (acc.suspended[a] === 1) return this.reject(c, REASON.ACCOUNT_SUSPENDED);
    if (orderId <= acc.lastOrderId[a]!) return this.reject(c, REASON.DUPLICATE_ORDER_ID);
    const sym = this.symbols[s]!;
    if (qty % sym.lotSize !== 0) return this.reject(c, REASON.LOT_SIZE);
    if (qty < sym.minQty || qty > sym.maxQty) return this.reject(c, REASON.QTY_OUT_OF_RANGE);
    if (!market) {
      if (price % sym.tickSize !== 0) return this.reject(c, REASON.TICK_SIZE);
      const ref = this.ref[s]!;
      if (price < ref - sym.bandWidth || price > ref + sym.bandWidth) return this.reject(c, REASON.PRICE_BAND);
    }
    const limit = market ? this.collar(s, buy) : price;
    const reason = this.limits(a, s, buy, limit, qty, 0, 0);
    if (reason !== 0) return this.reject(c, reason);
    if (acc.burst[a]! > 0) {
      const time = c.time;
      acc.now[0] = time !== 0 ? time : this.clock[0]!;
      if (acc.tokensAt(a) < 1) return this.reject(c, REASON.THROTTLED);
    }
    if (flags === FLAG.POST_ONLY && this.crosses(s, buy, limit)) return this.reject(c, REASON.POST_ONLY_WOULD_TRADE);
    // accepted: from here on the command changes state
    if (acc.burst[a]! > 0) acc.take(a);
    acc.lastOrderId[a] = orderId;
    this.startTaker(a, orderId, s, buy, market ? 0 : price, limit, qty, 0);
    this.takerReport(REPORT.ACCEPTED, qty, 0);
    if (tif === TIF.FOK && !this.fillsInFull(a, s, buy, limit, qty)) {
      this.endTaker(REPORT.EXPIRED, CANCEL_REASON.FOK);
      return;
    }
    this.runTaker(tif === TIF.GTC, flags);
  }

  /**
   * Risk limits of an order of `qty` at `price` (limit or collar) on top of what the account
   * already has, when `oldOpen` at `oldPrice` of its own is being replaced. 0 or a REASON.
   */
  protected limits(
    a: number,
    s: number,
    buy: boolean,
    price: number,
    qty: number,
    oldPrice: number,
    oldOpen: number,
  ): number {
    const acc = this.accounts;
    if (qty > acc.maxOrderQty[a]!) return REASON.MAX_ORDER_QTY;
    if (price * qty > acc.maxNotional[a]!) return REASON.MAX_NOTIONAL;
    if (oldOpen === 0 && acc.openOrders[a]! >= acc.maxOpenOrders[a]!) return REASON.MAX_OPEN_ORDERS;
    const k = a * acc.symbolCount + s;
    const pos = acc.position[k]!;
    if (buy) {
      if (pos + acc.buyOpen[k]! - oldOpen + qty > acc.maxPosition[a]!) return REASON.MAX_POSITION;
      if (acc.cash[a]! - acc.cashHeld[a]! + oldPrice * oldOpen < price * qty) return REASON.INSUFFICIENT_CASH;
    } else {
      if (pos - acc.sellOpen[k]! + oldOpen - qty < -acc.maxPosition[a]!) return REASON.MAX_POSITION;
      if (pos - acc.sellOpen[k]! + oldOpen - qty < -acc.shortLimit[a]!) return REASON.INSUFFICIENT_POSITION;
    }
    return 0;
  }
}
