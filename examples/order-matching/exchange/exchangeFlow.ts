/**
 * A seeded, deterministic command flow for the exchange engine: the same seed gives the same
 * commands on any machine. Per command (defaults): ~62% limit orders around each symbol's mid (a
 * random walk in ticks; mostly GTC, some IOC, FOK and post-only; some crossing the spread), ~7%
 * market orders (IOC, some FOK), ~18% cancels and ~8% modifies of orders the flow placed earlier
 * (some already gone, so they come back UNKNOWN_ORDER), a few mass cancels and deposits, ~1%
 * malformed or out-of-limit orders. The flow remembers at most 16384 orders and cancels one when
 * that memory is full, so books stay bounded however long it runs. `time` advances 1 µs per command.
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

export class ExchangeFlow {
  readonly #rng: Prng;
  readonly #o: ExchangeOptions;
  readonly #mid: Float64Array;
  readonly #memId = new Float64Array(MEMORY);
  readonly #memAccount = new Uint32Array(MEMORY);
  readonly #memSymbol = new Uint32Array(MEMORY);
  #memCount = 0;
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
      const k = rng.int(this.#memCount);
      t.orderId = this.#memId[k]!;
      t.accountId = this.#memAccount[k]!;
      t.symbolId = this.#memSymbol[k]!;
      t.side = SIDE.BUY;
      if (r < 80) {
        // modify: new price near the mid (0 = keep) and a new total quantity
        const si = rng.int(this.#o.symbols.length);
        t.command = CMD.MODIFY;
        t.symbolId = this.#memSymbol[k]!;
        t.price = rng.int(2) === 0 ? 0 : this.#price(this.#symbolIndex(t.symbolId, si), rng.int(2) === 0);
        t.qty = 1 + rng.int(100);
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
    if (t.tif === 0) this.#remember(t);
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
    const p = buy ? mid - ticks * sym.tickSize : mid + ticks * sym.tickSize;
    return p < sym.tickSize ? sym.tickSize : p;
  }

  #remember(t: ExchangeCommand): void {
    const k = this.#memCount++;
    this.#memId[k] = t.orderId;
    this.#memAccount[k] = t.accountId;
    this.#memSymbol[k] = t.symbolId;
  }

  #forget(k: number): void {
    const last = --this.#memCount;
    this.#memId[k] = this.#memId[last]!;
    this.#memAccount[k] = this.#memAccount[last]!;
    this.#memSymbol[k] = this.#memSymbol[last]!;
  }
}

/** Translator for `publishWith(exchangeFlowTranslator, flow)`: zero-allocation publishing. */
export function exchangeFlowTranslator(event: ExchangeFlowCommand, _sequence: number, flow: ExchangeFlow): void {
  flow.next(event);
}
