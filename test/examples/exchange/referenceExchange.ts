/**
 * A deliberately simple exchange to check the real one against (as exchange-core keeps a naive
 * book beside its fast one): plain objects, arrays kept in priority order and re-scanned, holds
 * and open quantities DERIVED from the live orders on every check instead of maintained. It
 * implements the rules as the README states them, independently of examples/.../exchange code
 * (only the code tables and option types are shared). Slow on purpose: for tests only.
 */
import {
  CANCEL_REASON,
  CMD,
  FLAG,
  LIQUIDITY,
  REASON,
  REPORT,
  SIDE,
  STP,
  TIF,
} from '../../../examples/order-matching/exchange/codes.js';
import type { AccountLimits, ExchangeOptions } from '../../../examples/order-matching/exchange/config.js';
import type { ExchangeCommand } from '../../../examples/order-matching/exchange/Exchange.js';
import { REPORT_FIELDS, type ReportRecord } from '../../../examples/order-matching/exchange/ExecutionReport.js';

export interface RefOrder {
  account: number;
  id: number;
  buy: boolean;
  price: number;
  open: number;
  orig: number;
  filled: number;
  flags: number;
}

interface RefAccount {
  id: number;
  cash: number;
  suspended: boolean;
  lastId: number;
  tokens: number;
  tokenTs: number;
  limits: AccountLimits;
  position: Map<number, number>;
}

export class ReferenceExchange {
  readonly accounts: RefAccount[] = [];
  /** Per symbol id: bids and asks, each in priority order (index 0 first). */
  readonly books = new Map<number, { bids: RefOrder[]; asks: RefOrder[] }>();
  readonly ref = new Map<number, number>();
  readonly reports: ReportRecord[] = [];
  #tops = new Map<number, string>();
  #cmd = 0;
  #trade = 0;
  #o: ExchangeOptions;

  constructor(o: ExchangeOptions) {
    this.#o = o;
    for (const s of o.symbols) {
      this.books.set(s.symbolId, { bids: [], asks: [] });
      this.ref.set(s.symbolId, s.refPrice);
      this.#tops.set(s.symbolId, '0,0,0,0');
    }
    for (const a of o.accounts) this.#addAccount(a.accountId, a.cash, a);
  }

  #addAccount(id: number, cash: number, limits: AccountLimits): void {
    this.accounts.push({
      id,
      cash,
      suspended: false,
      lastId: 0,
      tokens: limits.burst,
      tokenTs: 0,
      limits,
      position: new Map(),
    });
  }
  account(id: number): RefAccount | undefined {
    return this.accounts.find((a) => a.id === id);
  }
  #key(a: RefAccount): number {
    return a.limits.stpGroup > 0 ? 4294967296 + a.limits.stpGroup : a.id;
  }
  #live(): { s: number; o: RefOrder }[] {
    const out: { s: number; o: RefOrder }[] = [];
    for (const [s, b] of this.books) for (const o of [...b.bids, ...b.asks]) out.push({ s, o });
    return out;
  }
  held(id: number): number {
    return this.#live()
      .filter((x) => x.o.account === id && x.o.buy)
      .reduce((t, x) => t + x.o.price * x.o.open, 0);
  }
  openQty(id: number, s: number, buy: boolean): number {
    return this.#live()
      .filter((x) => x.o.account === id && x.s === s && x.o.buy === buy)
      .reduce((t, x) => t + x.o.open, 0);
  }
  pos(a: RefAccount, s: number): number {
    return a.position.get(s) ?? 0;
  }

  #report(type: number, f: Partial<ReportRecord>): void {
    const r = Object.fromEntries(REPORT_FIELDS.map((k) => [k, 0])) as ReportRecord;
    Object.assign(r, f, { type, command: this.#cmd });
    this.reports.push(r);
  }
  #orderFields(o: RefOrder, s: number): Partial<ReportRecord> {
    return { accountId: o.account, orderId: o.id, symbolId: s, side: o.buy ? SIDE.BUY : SIDE.SELL, price: o.price };
  }

  /** Processes one command; returns the reject reason (0 when accepted). */
  process(c: ExchangeCommand, ts: number): number {
    let reason = 0;
    const reject = (why: number): number => {
      const n = (v: number): number => (typeof v === 'number' && !Number.isNaN(v) ? v : 0);
      this.#report(REPORT.REJECTED, {
        accountId: n(c.accountId),
        orderId: n(c.orderId),
        symbolId: n(c.symbolId),
        side: n(c.side),
        price: n(c.price),
        qty: n(c.qty),
        reason: why,
      });
      return why;
    };
    const touched: number[] = [];
    if (c.command === CMD.NEW_LIMIT || c.command === CMD.NEW_MARKET) reason = this.#new(c, ts, reject, touched);
    else if (c.command === CMD.CANCEL || c.command === CMD.MODIFY) reason = this.#change(c, reject, touched);
    else if (c.command === CMD.MASS_CANCEL) reason = this.#mass(c, reject, touched);
    else if (c.command >= CMD.ADD_ACCOUNT && c.command <= CMD.RESUME) reason = this.#admin(c, reject);
    else if (c.command === CMD.DEPTH) reason = this.#depth(c, reject);
    else reason = reject(REASON.UNKNOWN_COMMAND);
    for (const s of this.#o.symbols.map((x) => x.symbolId)) if (touched.includes(s)) this.#top(s);
    this.#cmd++;
    return reason;
  }

  #top(s: number): void {
    const b = this.books.get(s)!;
    const level = (l: RefOrder[]): [number, number] =>
      l.length === 0 ? [0, 0] : [l[0]!.price, l.filter((o) => o.price === l[0]!.price).reduce((t, o) => t + o.open, 0)];
    const [bp, bq] = level(b.bids);
    const [ap, aq] = level(b.asks);
    const text = `${bp},${bq},${ap},${aq}`;
    if (this.#tops.get(s) === text) return;
    this.#tops.set(s, text);
    this.#report(REPORT.TOP_OF_BOOK, { symbolId: s, bidPrice: bp, bidQty: bq, askPrice: ap, askQty: aq });
  }

  #checks(a: RefAccount, s: number, buy: boolean, price: number, qty: number, replacing?: RefOrder): number {
    const L = a.limits;
    if (qty > L.maxOrderQty) return REASON.MAX_ORDER_QTY;
    if (price * qty > L.maxNotional) return REASON.MAX_NOTIONAL;
    const openOrders = this.#live().filter((x) => x.o.account === a.id).length;
    if (!replacing && openOrders >= L.maxOpenOrders) return REASON.MAX_OPEN_ORDERS;
    const old = replacing ? replacing.open : 0;
    const pos = this.pos(a, s);
    if (buy) {
      if (pos + this.openQty(a.id, s, true) - old + qty > L.maxPosition) return REASON.MAX_POSITION;
      const held = this.held(a.id) - (replacing ? replacing.price * replacing.open : 0);
      if (a.cash - held < price * qty) return REASON.INSUFFICIENT_CASH;
    } else {
      const after = pos - this.openQty(a.id, s, false) + old - qty;
      if (after < -L.maxPosition) return REASON.MAX_POSITION;
      if (after < -L.shortLimit) return REASON.INSUFFICIENT_POSITION;
    }
    return 0;
  }

  #tokens(a: RefAccount, ts: number): { t: number; n: number } {
    const n = ts > a.tokenTs ? Math.floor((ts - a.tokenTs) / a.limits.refillNs) : 0;
    return { t: Math.min(a.limits.burst, a.tokens + n), n };
  }

  #new(c: ExchangeCommand, ts: number, reject: (r: number) => number, touched: number[]): number {
    const market = c.command === CMD.NEW_MARKET;
    const a = this.account(c.accountId);
    if (!a) return reject(REASON.UNKNOWN_ACCOUNT);
    const sym = this.#o.symbols.find((x) => x.symbolId === c.symbolId);
    if (!sym) return reject(REASON.UNKNOWN_SYMBOL);
    if (c.side !== SIDE.BUY && c.side !== SIDE.SELL) return reject(REASON.INVALID_SIDE);
    if (!Number.isSafeInteger(c.orderId) || c.orderId < 1) return reject(REASON.INVALID_ORDER_ID);
    const tif = c.tif === TIF.DEFAULT ? (market ? TIF.IOC : TIF.GTC) : c.tif;
    if (![TIF.GTC, TIF.IOC, TIF.FOK].includes(tif as never) || (market && tif === TIF.GTC))
      return reject(REASON.INVALID_TIF);
    if (c.flags !== 0 && !(c.flags === FLAG.POST_ONLY && !market && tif === TIF.GTC))
      return reject(REASON.INVALID_FLAGS);
    if (!Number.isSafeInteger(c.qty) || c.qty < 1) return reject(REASON.INVALID_QTY);
    if (market ? c.price !== 0 : !Number.isSafeInteger(c.price) || c.price < 1) return reject(REASON.INVALID_PRICE);
    if (a.suspended) return reject(REASON.ACCOUNT_SUSPENDED);
    if (c.orderId <= a.lastId) return reject(REASON.DUPLICATE_ORDER_ID);
    if (c.qty % sym.lotSize !== 0) return reject(REASON.LOT_SIZE);
    if (c.qty < sym.minQty || c.qty > sym.maxQty) return reject(REASON.QTY_OUT_OF_RANGE);
    const ref = this.ref.get(sym.symbolId)!;
    const buy = c.side === SIDE.BUY;
    if (!market && c.price % sym.tickSize !== 0) return reject(REASON.TICK_SIZE);
    if (!market && Math.abs(c.price - ref) > sym.bandWidth) return reject(REASON.PRICE_BAND);
    const t = sym.tickSize;
    const limit = !market
      ? c.price
      : buy
        ? Math.floor((ref + sym.bandWidth) / t) * t
        : Math.max(t, Math.ceil((ref - sym.bandWidth) / t) * t);
    const why = this.#checks(a, sym.symbolId, buy, limit, c.qty);
    if (why) return reject(why);
    if (a.limits.burst > 0 && this.#tokens(a, ts).t < 1) return reject(REASON.THROTTLED);
    const book = this.books.get(sym.symbolId)!;
    const opp = buy ? book.asks : book.bids;
    const crosses = (o: RefOrder): boolean => (buy ? o.price <= limit : o.price >= limit);
    if (c.flags === FLAG.POST_ONLY && opp.length > 0 && crosses(opp[0]!)) return reject(REASON.POST_ONLY_WOULD_TRADE);
    if (a.limits.burst > 0) {
      const { t: tokens, n } = this.#tokens(a, ts);
      if (a.tokens + n >= a.limits.burst) a.tokenTs = ts;
      else a.tokenTs += n * a.limits.refillNs;
      a.tokens = tokens - 1;
    }
    a.lastId = c.orderId;
    const o: RefOrder = {
      account: a.id,
      id: c.orderId,
      buy,
      price: market ? 0 : c.price,
      open: c.qty,
      orig: c.qty,
      filled: 0,
      flags: c.flags,
    };
    this.#report(REPORT.ACCEPTED, { ...this.#orderFields(o, sym.symbolId), qty: c.qty, leavesQty: c.qty });
    if (tif === TIF.FOK) {
      let sum = 0;
      let ok = false;
      for (const m of opp) {
        if (!crosses(m) || this.#key(this.account(m.account)!) === this.#key(a)) break;
        sum += m.open;
        if (sum >= c.qty) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        o.open = 0;
        this.#report(REPORT.EXPIRED, { ...this.#orderFields(o, sym.symbolId), qty: c.qty, reason: CANCEL_REASON.FOK });
        return 0;
      }
    }
    touched.push(sym.symbolId);
    this.#take(a, sym.symbolId, o, limit, tif === TIF.GTC);
    return 0;
  }

  #take(a: RefAccount, s: number, o: RefOrder, limit: number, rest: boolean): void {
    const book = this.books.get(s)!;
    const opp = o.buy ? book.asks : book.bids;
    let stp = false;
    while (o.open > 0 && opp.length > 0 && (o.buy ? opp[0]!.price <= limit : opp[0]!.price >= limit)) {
      const m = opp[0]!;
      const ma = this.account(m.account)!;
      if (this.#key(ma) === this.#key(a)) {
        const mode = a.limits.stpMode;
        if (mode === STP.CANCEL_TAKER) {
          stp = true;
          break;
        }
        if (mode === STP.CANCEL_MAKER || mode === STP.CANCEL_BOTH) {
          opp.shift();
          this.#report(REPORT.CANCELLED, {
            ...this.#orderFields(m, s),
            qty: m.open,
            filledQty: m.filled,
            reason: CANCEL_REASON.SELF_TRADE,
          });
          if (mode === STP.CANCEL_BOTH) {
            stp = true;
            break;
          }
          continue;
        }
        const d = Math.min(m.open, o.open);
        m.open -= d;
        if (m.open === 0) opp.shift();
        this.#report(REPORT.CANCELLED, {
          ...this.#orderFields(m, s),
          qty: d,
          leavesQty: m.open,
          filledQty: m.filled,
          reason: CANCEL_REASON.SELF_TRADE,
        });
        o.open -= d;
        this.#report(REPORT.CANCELLED, {
          ...this.#orderFields(o, s),
          qty: d,
          leavesQty: o.open,
          filledQty: o.filled,
          reason: CANCEL_REASON.SELF_TRADE,
        });
        continue;
      }
      const q = Math.min(m.open, o.open);
      const p = m.price;
      const [buyer, seller] = o.buy ? [a, ma] : [ma, a];
      buyer.cash -= p * q;
      seller.cash += p * q;
      buyer.position.set(s, this.pos(buyer, s) + q);
      seller.position.set(s, this.pos(seller, s) - q);
      m.open -= q;
      m.filled += q;
      o.open -= q;
      o.filled += q;
      if (m.open === 0) opp.shift();
      this.ref.set(s, p);
      const id = ++this.#trade;
      this.#report(REPORT.TRADE, {
        ...this.#orderFields(o, s),
        price: p,
        qty: q,
        leavesQty: o.open,
        filledQty: o.filled,
        tradeId: id,
        liquidity: LIQUIDITY.TAKER,
        counterAccountId: m.account,
        counterOrderId: m.id,
      });
      this.#report(REPORT.TRADE, {
        ...this.#orderFields(m, s),
        qty: q,
        leavesQty: m.open,
        filledQty: m.filled,
        tradeId: id,
        liquidity: LIQUIDITY.MAKER,
        counterAccountId: a.id,
        counterOrderId: o.id,
      });
    }
    if (o.open === 0) return;
    if (stp || !rest) {
      const left = o.open;
      o.open = 0;
      this.#report(stp ? REPORT.CANCELLED : REPORT.EXPIRED, {
        ...this.#orderFields(o, s),
        qty: left,
        filledQty: o.filled,
        reason: stp ? CANCEL_REASON.SELF_TRADE : CANCEL_REASON.IOC,
      });
      return;
    }
    const same = o.buy ? book.bids : book.asks;
    const at = same.findIndex((x) => (o.buy ? x.price < o.price : x.price > o.price));
    same.splice(at < 0 ? same.length : at, 0, o);
  }

  #find(
    c: ExchangeCommand,
    reject: (r: number) => number,
  ): { a: RefAccount; s: number; o: RefOrder; list: RefOrder[] } | number {
    const a = this.account(c.accountId);
    if (!a) return reject(REASON.UNKNOWN_ACCOUNT);
    const book = this.books.get(c.symbolId);
    if (!book) return reject(REASON.UNKNOWN_SYMBOL);
    if (!Number.isSafeInteger(c.orderId) || c.orderId < 1) return reject(REASON.INVALID_ORDER_ID);
    for (const list of [book.bids, book.asks]) {
      const o = list.find((x) => x.account === a.id && x.id === c.orderId);
      if (o) return { a, s: c.symbolId, o, list };
    }
    return reject(REASON.UNKNOWN_ORDER);
  }

  #change(c: ExchangeCommand, reject: (r: number) => number, touched: number[]): number {
    const f = this.#find(c, reject);
    if (typeof f === 'number') return f;
    const { a, s, o, list } = f;
    const remove = (reason: number): void => {
      list.splice(list.indexOf(o), 1);
      this.#report(REPORT.CANCELLED, { ...this.#orderFields(o, s), qty: o.open, filledQty: o.filled, reason });
      touched.push(s);
    };
    if (c.command === CMD.CANCEL) return (remove(CANCEL_REASON.USER), 0);
    if (!Number.isSafeInteger(c.qty) || c.qty < 0) return reject(REASON.INVALID_QTY);
    if (!Number.isSafeInteger(c.price) || c.price < 0) return reject(REASON.INVALID_PRICE);
    if (a.suspended) return reject(REASON.ACCOUNT_SUSPENDED);
    if (c.qty <= o.filled) return (remove(CANCEL_REASON.MODIFY), 0);
    const sym = this.#o.symbols.find((x) => x.symbolId === s)!;
    const price = c.price === 0 ? o.price : c.price;
    if (c.qty % sym.lotSize !== 0) return reject(REASON.LOT_SIZE);
    if (c.qty < sym.minQty || c.qty > sym.maxQty) return reject(REASON.QTY_OUT_OF_RANGE);
    if (price !== o.price && price % sym.tickSize !== 0) return reject(REASON.TICK_SIZE);
    if (price !== o.price && Math.abs(price - this.ref.get(s)!) > sym.bandWidth) return reject(REASON.PRICE_BAND);
    const why = this.#checks(a, s, o.buy, price, c.qty, o);
    if (why) return reject(why);
    const book = this.books.get(s)!;
    const opp = o.buy ? book.asks : book.bids;
    if (
      o.flags === FLAG.POST_ONLY &&
      price !== o.price &&
      opp.length > 0 &&
      (o.buy ? opp[0]!.price <= price : opp[0]!.price >= price)
    )
      return reject(REASON.POST_ONLY_WOULD_TRADE);
    const open = c.qty - o.filled;
    touched.push(s);
    o.orig = c.qty;
    if (price === o.price && open <= o.open) {
      o.open = open;
      this.#report(REPORT.REPLACED, { ...this.#orderFields(o, s), qty: c.qty, leavesQty: open, filledQty: o.filled });
      return 0;
    }
    list.splice(list.indexOf(o), 1);
    o.price = price;
    o.open = open;
    this.#report(REPORT.REPLACED, { ...this.#orderFields(o, s), qty: c.qty, leavesQty: open, filledQty: o.filled });
    this.#take(a, s, o, price, true);
    return 0;
  }

  #mass(c: ExchangeCommand, reject: (r: number) => number, touched: number[]): number {
    const a = this.account(c.accountId);
    if (!a) return reject(REASON.UNKNOWN_ACCOUNT);
    if (c.symbolId !== 0 && !this.books.has(c.symbolId)) return reject(REASON.UNKNOWN_SYMBOL);
    let count = 0;
    for (const sym of this.#o.symbols) {
      if (c.symbolId !== 0 && sym.symbolId !== c.symbolId) continue;
      const book = this.books.get(sym.symbolId)!;
      for (const list of [book.bids, book.asks])
        for (const o of [...list])
          if (o.account === a.id) {
            list.splice(list.indexOf(o), 1);
            this.#report(REPORT.CANCELLED, {
              ...this.#orderFields(o, sym.symbolId),
              qty: o.open,
              filledQty: o.filled,
              reason: CANCEL_REASON.MASS,
            });
            count++;
          }
      touched.push(sym.symbolId);
    }
    this.#report(REPORT.DONE, { accountId: c.accountId, symbolId: c.symbolId, qty: count });
    return 0;
  }

  #admin(c: ExchangeCommand, reject: (r: number) => number): number {
    let a = this.account(c.accountId);
    const amount = c.price;
    const positive = Number.isSafeInteger(amount) && amount >= 1;
    if (c.command === CMD.ADD_ACCOUNT) {
      if (a) return reject(REASON.ACCOUNT_EXISTS);
      if (!Number.isSafeInteger(c.accountId) || c.accountId < 1 || c.accountId > 0xffffffff)
        return reject(REASON.UNKNOWN_ACCOUNT);
      if (!Number.isSafeInteger(amount) || amount < 0) return reject(REASON.INVALID_AMOUNT);
      this.#addAccount(c.accountId, amount, this.#o.accountDefaults);
      a = this.account(c.accountId)!;
    } else if (!a) return reject(REASON.UNKNOWN_ACCOUNT);
    else if (c.command === CMD.DEPOSIT) {
      if (!positive || a.cash + amount > Number.MAX_SAFE_INTEGER) return reject(REASON.INVALID_AMOUNT);
      a.cash += amount;
    } else if (c.command === CMD.WITHDRAW) {
      if (!positive) return reject(REASON.INVALID_AMOUNT);
      if (amount > a.cash - this.held(a.id)) return reject(REASON.INSUFFICIENT_CASH);
      a.cash -= amount;
    } else a.suspended = c.command === CMD.SUSPEND;
    const money = c.command === CMD.ADD_ACCOUNT || c.command === CMD.DEPOSIT || c.command === CMD.WITHDRAW;
    this.#report(REPORT.ACCEPTED, { accountId: c.accountId, price: money ? amount : 0 });
    return 0;
  }

  #depth(c: ExchangeCommand, reject: (r: number) => number): number {
    const book = this.books.get(c.symbolId);
    if (!book) return reject(REASON.UNKNOWN_SYMBOL);
    if (!Number.isSafeInteger(c.qty) || c.qty < 0) return reject(REASON.INVALID_QTY);
    let levels = 0;
    for (const [side, list] of [
      [SIDE.BUY, book.bids],
      [SIDE.SELL, book.asks],
    ] as const) {
      const prices = [...new Set(list.map((o) => o.price))];
      for (const p of c.qty === 0 ? prices : prices.slice(0, c.qty)) {
        const at = list.filter((o) => o.price === p);
        this.#report(REPORT.DEPTH_LEVEL, {
          symbolId: c.symbolId,
          side,
          price: p,
          qty: at.reduce((t, o) => t + o.open, 0),
          orders: at.length,
        });
        levels++;
      }
    }
    this.#report(REPORT.DONE, { symbolId: c.symbolId, qty: levels });
    return 0;
  }
}
