/**
 * The exchange engine: for ONE command, in order, risk (checks against live cash, positions and
 * holds), matching and settlement, then execution reports. Running all three steps per command
 * on one thread is what makes decisions independent of batch boundaries: command k+1 always sees
 * the settlement of command k, in a live run, a replay from a snapshot and a replay from scratch.
 *
 * Every input is checked here, whatever path wrote it (translators do not validate): a NaN,
 * fractional, negative or out-of-range value is rejected with a REASON and changes nothing.
 * A rejected command changes no state (not the throttle, not the order ids); its only trace is
 * the REJECTED report (and the report digest).
 *
 * Hot path: process() allocates nothing (amortised growth of the books aside).
 */
import { RingbusError, show } from '../../../src/index.js';
import { CANCEL_REASON, CMD, FLAG, REASON, REPORT, SIDE, TIF } from './codes.js';
import { validateExchangeOptions, type ExchangeOptions } from './config.js';
import { ExchangeCore } from './ExchangeCore.js';
import { NIL } from './Books.js';
import { exchangeSnapshot, restoreExchange, type ExchangeSnapshot } from './exchangeSnapshot.js';
import { hashState } from '../stateHash.js';

/** The input fields of a command (an OrderCommand flyweight, or a plain object). */
export interface ExchangeCommand {
  command: number;
  orderId: number;
  accountId: number;
  symbolId: number;
  side: number;
  price: number;
  qty: number;
  tif: number;
  flags: number;
  /** Event time in ns (the throttle's clock); 0 = use `clock[0]`. */
  time: number;
}

const MAX = Number.MAX_SAFE_INTEGER;
const isId = (v: number): boolean => Number.isSafeInteger(v) && v >= 1;

export class Exchange extends ExchangeCore {
  readonly options: ExchangeOptions;

  constructor(options: unknown) {
    const o = validateExchangeOptions(options);
    super(o);
    this.options = o;
  }

  /** Commands processed. */
  get commands(): number {
    return this.commandIndex;
  }

  /**
   * Event time used for commands whose `time` is 0 (the handler puts the slot's $timestamp here).
   * A typed array: passing a time above 2^30 as an argument would box it on every call.
   */
  readonly clock = new Float64Array(1);

  /** Processes one command (event time: `c.time`, or `clock[0]` when it is 0). Allocation-free. */
  process(c: ExchangeCommand): void {
    this.outReason = 0;
    this.outFilled = 0;
    this.outLeaves = 0;
    this.outTrades = 0;
    this.outComplete = false;
    const command = c.command;
    if (command === CMD.NEW_LIMIT || command === CMD.NEW_MARKET) this.#newOrder(c, command === CMD.NEW_MARKET);
    else if (command === CMD.CANCEL) this.#cancel(c);
    else if (command === CMD.MODIFY) this.#modify(c);
    else if (command === CMD.MASS_CANCEL) this.#massCancel(c);
    else if (command >= CMD.ADD_ACCOUNT && command <= CMD.RESUME) this.#admin(c, command);
    else if (command === CMD.DEPTH) this.#depth(c);
    else this.#reject(c, REASON.UNKNOWN_COMMAND);
    this.commandIndex++;
  }

  /** REJECTED report echoing the command's fields (as numbers; NaN reported as 0). */
  #reject(c: ExchangeCommand, reason: number): void {
    const r = this.report;
    r.clear(REPORT.REJECTED, this.commandIndex);
    r.accountId = num(c.accountId);
    r.orderId = num(c.orderId);
    r.symbolId = num(c.symbolId);
    r.side = num(c.side);
    r.price = num(c.price);
    r.qty = num(c.qty);
    r.reason = reason;
    this.outReason = reason;
    this.emit(r);
  }

  #newOrder(c: ExchangeCommand, market: boolean): void {
    const acc = this.accounts;
    const a = acc.indexOf(c.accountId);
    if (a < 0) return this.#reject(c, REASON.UNKNOWN_ACCOUNT);
    const si = this.symbolIndex.get(c.symbolId);
    if (si === undefined) return this.#reject(c, REASON.UNKNOWN_SYMBOL);
    const s = si;
    const side = c.side;
    if (side !== SIDE.BUY && side !== SIDE.SELL) return this.#reject(c, REASON.INVALID_SIDE);
    const buy = side === SIDE.BUY;
    const orderId = c.orderId;
    if (!isId(orderId)) return this.#reject(c, REASON.INVALID_ORDER_ID);
    let tif = c.tif;
    if (tif === TIF.DEFAULT) tif = market ? TIF.IOC : TIF.GTC;
    if ((tif !== TIF.GTC && tif !== TIF.IOC && tif !== TIF.FOK) || (market && tif === TIF.GTC))
      return this.#reject(c, REASON.INVALID_TIF);
    const flags = c.flags;
    if (flags !== 0 && (flags !== FLAG.POST_ONLY || market || tif !== TIF.GTC))
      return this.#reject(c, REASON.INVALID_FLAGS);
    const qty = c.qty;
    if (!isId(qty)) return this.#reject(c, REASON.INVALID_QTY);
    const price = c.price;
    if (market ? price !== 0 : !isId(price)) return this.#reject(c, REASON.INVALID_PRICE);
    if (acc.suspended[a] === 1) return this.#reject(c, REASON.ACCOUNT_SUSPENDED);
    if (orderId <= acc.lastOrderId[a]!) return this.#reject(c, REASON.DUPLICATE_ORDER_ID);
    const sym = this.symbols[s]!;
    if (qty % sym.lotSize !== 0) return this.#reject(c, REASON.LOT_SIZE);
    if (qty < sym.minQty || qty > sym.maxQty) return this.#reject(c, REASON.QTY_OUT_OF_RANGE);
    if (!market) {
      if (price % sym.tickSize !== 0) return this.#reject(c, REASON.TICK_SIZE);
      const ref = this.ref[s]!;
      if (price < ref - sym.bandWidth || price > ref + sym.bandWidth) return this.#reject(c, REASON.PRICE_BAND);
    }
    const limit = market ? this.collar(s, buy) : price;
    const reason = this.#limits(a, s, buy, limit, qty, 0, 0);
    if (reason !== 0) return this.#reject(c, reason);
    if (acc.burst[a]! > 0) {
      const time = c.time;
      acc.now[0] = time !== 0 ? time : this.clock[0]!;
      if (acc.tokensAt(a) < 1) return this.#reject(c, REASON.THROTTLED);
    }
    if (flags === FLAG.POST_ONLY && this.crosses(s, buy, limit)) return this.#reject(c, REASON.POST_ONLY_WOULD_TRADE);
    // accepted: from here on the command changes state
    if (acc.burst[a]! > 0) acc.take(a);
    acc.lastOrderId[a] = orderId;
    this.#startTaker(a, orderId, s, buy, market ? 0 : price, limit, qty, 0);
    this.takerReport(REPORT.ACCEPTED, qty, 0);
    if (tif === TIF.FOK && !this.fillsInFull(a, s, buy, limit, qty)) {
      this.#endTaker(REPORT.EXPIRED, CANCEL_REASON.FOK);
      return;
    }
    this.#runTaker(tif === TIF.GTC, flags);
  }

  /**
   * Risk limits of an order of `qty` at `price` (limit or collar) on top of what the account
   * already has, when `oldOpen` at `oldPrice` of its own is being replaced. 0 or a REASON.
   */
  #limits(a: number, s: number, buy: boolean, price: number, qty: number, oldPrice: number, oldOpen: number): number {
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

  /** Sets up the taker and takes its hold and open-order slot. */
  #startTaker(
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
  #runTaker(rest: boolean, flags: number): void {
    this.match();
    this.outComplete = this.tkFilled === this.tkQty;
    if (this.tkLeaves === 0) this.accounts.openOrders[this.tkA]--;
    else if (this.tkStp) this.#endTaker(REPORT.CANCELLED, CANCEL_REASON.SELF_TRADE);
    else if (!rest) this.#endTaker(REPORT.EXPIRED, CANCEL_REASON.IOC);
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
  #endTaker(type: number, reason: number): void {
    const left = this.tkLeaves;
    this.releaseHold(this.tkA, this.tkS, this.tkBuy, this.tkHoldPrice, left);
    this.accounts.openOrders[this.tkA]--;
    this.tkLeaves = 0;
    this.takerReport(type, left, reason);
  }

  /** The live order of the command (account, symbol and id must match), or NIL with a reject. */
  #findOrder(c: ExchangeCommand): number {
    const a = this.accounts.indexOf(c.accountId);
    if (a < 0) return (this.#reject(c, REASON.UNKNOWN_ACCOUNT), NIL);
    const s = this.symbolIndex.get(c.symbolId);
    if (s === undefined) return (this.#reject(c, REASON.UNKNOWN_SYMBOL), NIL);
    if (!isId(c.orderId)) return (this.#reject(c, REASON.INVALID_ORDER_ID), NIL);
    const n = this.books.find(a, c.orderId);
    if (n === NIL || this.books.symbol[n] !== s) return (this.#reject(c, REASON.UNKNOWN_ORDER), NIL);
    return n;
  }

  #cancel(c: ExchangeCommand): void {
    const n = this.#findOrder(c);
    if (n === NIL) return;
    const s = this.books.symbol[n]!;
    this.cancelNode(n, CANCEL_REASON.USER);
    this.publishTop(s);
  }

  #modify(c: ExchangeCommand): void {
    const n = this.#findOrder(c);
    if (n === NIL) return;
    const b = this.books;
    const pool = b.pool;
    const qty = c.qty;
    if (!Number.isSafeInteger(qty) || qty < 0) return this.#reject(c, REASON.INVALID_QTY);
    const newPriceIn = c.price;
    if (!Number.isSafeInteger(newPriceIn) || newPriceIn < 0) return this.#reject(c, REASON.INVALID_PRICE);
    const a = pool.account[n]!;
    if (this.accounts.suspended[a] === 1) return this.#reject(c, REASON.ACCOUNT_SUSPENDED);
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
    if (qty % sym.lotSize !== 0) return this.#reject(c, REASON.LOT_SIZE);
    if (qty < sym.minQty || qty > sym.maxQty) return this.#reject(c, REASON.QTY_OUT_OF_RANGE);
    if (price !== oldPrice) {
      if (price % sym.tickSize !== 0) return this.#reject(c, REASON.TICK_SIZE);
      const ref = this.ref[s]!;
      if (price < ref - sym.bandWidth || price > ref + sym.bandWidth) return this.#reject(c, REASON.PRICE_BAND);
    }
    const open = qty - filled;
    const reason = this.#limits(a, s, buy, price, qty, oldPrice, oldOpen);
    if (reason !== 0) return this.#reject(c, reason);
    const flags = b.flags[n]!;
    if (flags === FLAG.POST_ONLY && price !== oldPrice && this.crosses(s, buy, price))
      return this.#reject(c, REASON.POST_ONLY_WOULD_TRADE);
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
    this.#startTaker(a, orderId, s, buy, price, price, qty, filled);
    this.takerReport(REPORT.REPLACED, qty, 0);
    this.#runTaker(true, flags);
  }

  #massCancel(c: ExchangeCommand): void {
    const a = this.accounts.indexOf(c.accountId);
    if (a < 0) return this.#reject(c, REASON.UNKNOWN_ACCOUNT);
    const one = c.symbolId === 0 ? -1 : this.symbolIndex.get(c.symbolId);
    if (one === undefined) return this.#reject(c, REASON.UNKNOWN_SYMBOL);
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
    const side = this.books.side(s, buy);
    const pool = this.books.pool;
    let count = 0;
    let rank = 0;
    while (rank < side.levelCount) {
      const before = side.levelCount;
      for (let n = side.levelHead(side.levelAt(rank)); n !== NIL;) {
        const next = pool.next[n]!;
        if (pool.account[n] === a) {
          this.cancelNode(n, CANCEL_REASON.MASS);
          count++;
        }
        n = next;
      }
      if (side.levelCount === before) rank++;
    }
    return count;
  }

  #admin(c: ExchangeCommand, command: number): void {
    const acc = this.accounts;
    const amount = c.price;
    let a = acc.indexOf(c.accountId);
    if (command === CMD.ADD_ACCOUNT) {
      if (a >= 0) return this.#reject(c, REASON.ACCOUNT_EXISTS);
      if (!isId(c.accountId) || c.accountId > 0xffffffff) return this.#reject(c, REASON.UNKNOWN_ACCOUNT);
      if (!Number.isSafeInteger(amount) || amount < 0) return this.#reject(c, REASON.INVALID_AMOUNT);
      a = acc.add(c.accountId, amount, this.options.accountDefaults);
    } else if (a < 0) return this.#reject(c, REASON.UNKNOWN_ACCOUNT);
    else if (command === CMD.DEPOSIT) {
      if (!isId(amount) || acc.cash[a]! + amount > MAX) return this.#reject(c, REASON.INVALID_AMOUNT);
      acc.cash[a] += amount;
    } else if (command === CMD.WITHDRAW) {
      if (!isId(amount)) return this.#reject(c, REASON.INVALID_AMOUNT);
      if (amount > acc.cash[a]! - acc.cashHeld[a]!) return this.#reject(c, REASON.INSUFFICIENT_CASH);
      acc.cash[a] -= amount;
    } else acc.suspended[a] = command === CMD.SUSPEND ? 1 : 0;
    const r = this.report;
    r.clear(REPORT.ACCEPTED, this.commandIndex);
    r.accountId = c.accountId;
    r.price = command === CMD.ADD_ACCOUNT || command === CMD.DEPOSIT || command === CMD.WITHDRAW ? amount : 0;
    this.emit(r);
  }

  #depth(c: ExchangeCommand): void {
    const s = this.symbolIndex.get(c.symbolId);
    if (s === undefined) return this.#reject(c, REASON.UNKNOWN_SYMBOL);
    const max = c.qty;
    if (!Number.isSafeInteger(max) || max < 0) return this.#reject(c, REASON.INVALID_QTY);
    const levels = this.#depthSide(s, true, max) + this.#depthSide(s, false, max);
    const r = this.report;
    r.clear(REPORT.DONE, this.commandIndex);
    r.symbolId = c.symbolId;
    r.qty = levels;
    this.emit(r);
  }

  #depthSide(s: number, buy: boolean, max: number): number {
    const side = this.books.side(s, buy);
    const n = max === 0 || max > side.levelCount ? side.levelCount : max;
    const r = this.report;
    for (let rank = 0; rank < n; rank++) {
      const l = side.levelAt(rank);
      r.clear(REPORT.DEPTH_LEVEL, this.commandIndex);
      r.symbolId = this.symbols[s]!.symbolId;
      r.side = buy ? SIDE.BUY : SIDE.SELL;
      r.price = side.levelPrice(l);
      r.qty = side.levelQty(l);
      r.orders = side.levelOrders(l);
      this.emit(r);
    }
    return n;
  }

  /** A JSON-serialisable copy of the whole state. Allocates. */
  snapshot(): ExchangeSnapshot {
    return exchangeSnapshot(this.commandIndex, this.tradeId, this.ref, this.accounts, this.books, this.digest);
  }

  /** Replaces the state with a snapshot taken under the same options. */
  restore(state: ExchangeSnapshot): void {
    if (
      typeof state !== 'object' ||
      state === null ||
      !Array.isArray(state.books) ||
      state.books.length !== this.symbols.length
    )
      throw new RingbusError(
        'RINGBUS_ERR_SNAPSHOT_CORRUPT',
        `exchange snapshot must have ${this.symbols.length} books, got ${show(state)}`,
      );
    const restored = restoreExchange(state, this.accounts, this.books, this.digest, this.ref);
    this.commandIndex = restored.commands;
    this.tradeId = restored.tradeId;
    this.syncTops();
  }

  /** sha256 hex of the canonical snapshot. Allocates. */
  stateHash(): string {
    return hashState(this.snapshot());
  }
}

/** A number for a report field: NaN / non-numbers become 0. */
function num(v: unknown): number {
  return typeof v === 'number' && v === v ? v : 0;
}
