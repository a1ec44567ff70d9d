/**
 * A seeded, deterministic command flow for the exchange engine: the same seed gives the same
 * commands on any machine. Per command (defaults): ~62% limit orders around each symbol's mid (a
 * random walk in ticks; mostly GTC, some IOC, FOK and post-only; a quarter crossing the spread),
 * ~7% market orders (IOC, some FOK), ~18% cancels and ~8% modifies of resting orders the flow
 * placed earlier, a few mass cancels and deposits, ~1% malformed or out-of-limit orders.
 *
 * The flow is open loop (it never sees the engine's reports, so it stays deterministic), but it
 * aims its cancels and modifies at orders that should still be live: it remembers only GTC orders
 * placed on the passive side of the mid, forgets what a mass cancel took and what a modify
 * repriced through the mid, and picks a recent order three times in four (as a quoting trader
 * replaces its latest quotes). What remains UNKNOWN_ORDER (about 6% of commands with the demo
 * options, a fifth of the cancels and modifies) are orders filled meanwhile: a cancel that loses
 * the race with a fill, as on a real exchange. It remembers at most 16384 orders and cancels one
 * when that memory is full, so books stay bounded however long it runs. `time` advances 1 µs per
 * command.
 *
 * `next(target)` writes every input field of one command into `target` (a reusable plain object or
 * an OrderCommand flyweight: see exchangeFlowTranslator). Allocation-free per command.
 */
import { Prng } from '../Prng.js';
import { CMD, FLAG, SIDE, TIF } from './codes.js';
import type { ExchangeOptions } from './config.js';
import type { ExchangeCommand } from './Exchange.js';

export interface ExchangeFlowOptions {
  /** u32 seed. */
  readonly seed: number;
  readonly exchange: ExchangeOptions;
  /** First order id (default 1); ids then increase by one per new order. */
  readonly firstOrderId?: number;
  /** First event time in ns (default 1_000). */
  readonly firstTime?: number;
}

export type ExchangeFlowCommand = ExchangeCommand;

const MEMORY = 16384;
/** Cancels and modifies pick among the RECENT newest remembered orders three times in four. */
const RECENT = 256;

export class ExchangeFlow {
  readonly #rng: Prng;
  readonly #o: ExchangeOptions;
  readonly #mid: Float64Array;
  readonly #memId = new Float64Array(MEMORY);
  readonly #memAccount = new Uint32Array(MEMORY);
  readonly #memSymbol = new Uint32Array(MEMORY);
  readonly #memSide = new Uint8Array(MEMORY);
  #memCount = 0;
  /** Whether the last #price() was on the passive side of the mid (the order should rest). */
  #passive = false;
  #nextId: number;
  /** Event time (a typed array: a time above 2^30 in a field would be boxed on every update). */
  readonly #time = new Float64Array(1);
  #count = 0;

  constructor(o: ExchangeFlowOptions) {
    if (!o.exchange.accounts.length || !o.exchange.symbols.length)
      throw new TypeError('ExchangeFlow needs at least one account and one symbol');
    this.#rng = new Prng(o.seed);
    this.#o = o.exchange;
    this.#mid = Float64Array.from(o.exchange.symbols, (s) => s.refPrice);
    this.#nextId = o.firstOrderId ?? 1;
    this.#time[0] = o.firstTime ?? 1_000;
  }

  /** Commands generated so far. */
  get count(): number {
    return this.#count;
  }

  next(t: ExchangeFlowCommand): void {
    const rng = this.#rng;
    this.#count++;
    this.#time[0] += 1_000;
    t.time = this.#time[0]!;
    t.tif = 0;
    t.flags = 0;
    const r = rng.int(1000);
    if ((r < 260 && this.#memCount > 0) || this.#memCount === MEMORY) {
      // mostly a recent order (as a quoting trader replaces its latest quotes), sometimes any
      const n = this.#memCount;
      const k = rng.int(4) === 0 ? rng.int(n) : n - 1 - rng.int(Math.min(n, RECENT));
      t.orderId = this.#memId[k]!;
      t.accountId = this.#memAccount[k]!;
      t.symbolId = this.#memSymbol[k]!;
      t.side = this.#memSide[k]!;
      if (r < 80) {
        // modify: new price near the mid (0 = keep) and a new total quantity
        const si = rng.int(this.#o.symbols.length);
        t.command = CMD.MODIFY;
        t.symbolId = this.#memSymbol[k]!;
        const buy = t.side === SIDE.BUY;
        t.price = rng.int(2) === 0 ? 0 : this.#price(this.#symbolIndex(t.symbolId, si), buy);
        t.qty = 1 + rng.int(100);
        if (t.price !== 0 && !this.#passive) this.#forget(k); // repriced through the mid: it trades
        return;
      }
      t.command = CMD.CANCEL;
      t.price = 0;
      t.qty = 0;
      this.#forget(k);
      return;
    }
    const si = rng.int(this.#o.symbols.length);
    const sym = this.#o.symbols[si]!;
    const acc = this.#o.accounts[rng.int(this.#o.accounts.length)]!;
    t.accountId = acc.accountId;
    t.symbolId = sym.symbolId;
    if (r < 262) {
      t.command = CMD.MASS_CANCEL;
      t.symbolId = rng.int(2) === 0 ? 0 : sym.symbolId;
      t.orderId = 0;
      t.side = 0;
      t.price = 0;
      t.qty = 0;
      this.#forgetAll(t.accountId, t.symbolId);
      return;
    }
    if (r < 264) {
      t.command = CMD.DEPOSIT;
      t.orderId = 0;
      t.side = 0;
      t.price = 1_000_000;
      t.qty = 0;
      return;
    }
    const buy = rng.int(2) === 0;
    t.side = buy ? SIDE.BUY : SIDE.SELL;
    t.orderId = this.#nextId++;
    const maxQty = Math.min(sym.maxQty, acc.maxOrderQty);
    if (r < 334) {
      t.command = CMD.NEW_MARKET;
      t.price = 0;
      t.tif = rng.int(5) === 0 ? TIF.FOK : TIF.IOC;
      t.qty = Math.max(
        sym.minQty,
        sym.lotSize * (1 + rng.int(Math.max(1, Math.floor(Math.min(maxQty, 200) / sym.lotSize)))),
      );
      return;
    }
    t.command = CMD.NEW_LIMIT;
    t.price = this.#price(si, buy);
    t.qty = Math.max(
      sym.minQty,
      sym.lotSize * (1 + rng.int(Math.max(1, Math.floor(Math.min(maxQty, 100) / sym.lotSize)))),
    );
    const kind = rng.int(100);
    if (kind < 5) t.tif = TIF.IOC;
    else if (kind < 8) t.tif = TIF.FOK;
    else if (kind < 13) t.flags = FLAG.POST_ONLY;
    if (r >= 990) {
      // out of limits or malformed
      const spoil = rng.int(4);
      if (spoil === 0) t.accountId = 0xfffffff0;
      else if (spoil === 1) t.qty = sym.maxQty + sym.lotSize;
      else if (spoil === 2) t.price = sym.refPrice + sym.bandWidth * 3 + sym.tickSize;
      else t.side = 7;
      return;
    }
    // remember only orders placed to rest (GTC, not post-only-rejected, not crossing): the
    // crossing ones mostly trade at once, and a cancel of a filled order is an UNKNOWN_ORDER
    if (t.tif === 0 && this.#passive) this.#remember(t);
  }

  #symbolIndex(symbolId: number, fallback: number): number {
    const symbols = this.#o.symbols;
    for (let i = 0; i < symbols.length; i++) if (symbols[i]!.symbolId === symbolId) return i;
    return fallback;
  }

  /** A limit price for symbol index `si`: mostly passive, sometimes crossing by a few ticks. */
  #price(si: number, buy: boolean): number {
    const rng = this.#rng;
    const sym = this.#o.symbols[si]!;
    const step = rng.int(10);
    let mid = this.#mid[si]!;
    if (step === 0) mid -= sym.tickSize;
    else if (step === 1) mid += sym.tickSize;
    const margin = Math.floor(sym.bandWidth / 4 / sym.tickSize) * sym.tickSize;
    mid = Math.min(sym.refPrice + margin, Math.max(sym.refPrice - margin, mid));
    this.#mid[si] = mid;
    const ticks = rng.int(4) === 0 ? -rng.int(4) : 1 + rng.int(rng.int(8) === 0 ? 100 : 20);
    this.#passive = ticks > 0;
    const p = buy ? mid - ticks * sym.tickSize : mid + ticks * sym.tickSize;
    return p < sym.tickSize ? sym.tickSize : p;
  }

  #remember(t: ExchangeCommand): void {
    const k = this.#memCount++;
    this.#memId[k] = t.orderId;
    this.#memAccount[k] = t.accountId;
    this.#memSymbol[k] = t.symbolId;
    this.#memSide[k] = t.side;
  }

  /** Forgets every remembered order of `accountId` (of `symbolId`, unless 0): a mass cancel took them. */
  #forgetAll(accountId: number, symbolId: number): void {
    for (let k = this.#memCount - 1; k >= 0; k--)
      if (this.#memAccount[k] === accountId && (symbolId === 0 || this.#memSymbol[k] === symbolId)) this.#forget(k);
  }

  #forget(k: number): void {
    const last = --this.#memCount;
    this.#memId[k] = this.#memId[last]!;
    this.#memAccount[k] = this.#memAccount[last]!;
    this.#memSymbol[k] = this.#memSymbol[last]!;
    this.#memSide[k] = this.#memSide[last]!;
  }
}

/** Translator for `publishWith(exchangeFlowTranslator, flow)`: zero-allocation publishing. */
export function exchangeFlowTranslator(event: ExchangeFlowCommand, _sequence: number, flow: ExchangeFlow): void {
  flow.next(event);
}
