/**
 * A seeded, deterministic order flow: the same seed gives the same command stream, on any machine.
 *
 * Mix per command (by default): ~71% limit orders priced around each symbol's mid (which takes a
 * random walk in ticks), a few of them crossing the spread; ~20% cancels of orders this flow placed
 * earlier (some already filled, so they come back UNKNOWN_ORDER); the flow remembers at most 16384
 * limit orders and cancels one whenever that memory is full, so books stay bounded (a few thousand
 * live orders per symbol) however long it runs; ~7.5% market orders, some large
 * enough to hit the MAX_FILLS rule; ~1.5% orders built to fail risk (unknown account or symbol,
 * qty above the limit, price outside the band).
 *
 * `next(target)` writes the input fields of one command into `target`: a reusable plain object
 * (for publishEvent) or an OrderCommand flyweight (for publishWith — see `orderFlowTranslator`).
 * Allocation-free per command. It never writes result fields.
 */
import { COMMAND, SIDE, type OrderCommandInput } from './events.js';
import type { AccountConfig, SymbolConfig } from './config.js';
import { Prng } from './Prng.js';

export interface OrderFlowOptions {
  /** u32 seed. */
  readonly seed: number;
  readonly accounts: readonly AccountConfig[];
  readonly symbols: readonly SymbolConfig[];
  /** Share of commands that are cancels (default 0.2). */
  readonly cancelRate?: number;
  /** Share of commands that are market orders (default 0.075). */
  readonly marketRate?: number;
  /** Share of commands built to fail risk (default 0.015). */
  readonly rejectRate?: number;
  /** First order id (default 1). */
  readonly firstOrderId?: number;
}

export interface OrderFlow {
  /** Writes the next command's input fields into `target`. */
  next(target: OrderCommandInput): void;
  /** Commands generated so far. */
  readonly count: number;
}

/** Orders the flow remembers as cancel candidates; when full, the next command is a cancel. */
const MEMORY = 16384;

class SeededOrderFlow implements OrderFlow {
  readonly #rng: Prng;
  readonly #accounts: readonly AccountConfig[];
  readonly #symbols: readonly SymbolConfig[];
  readonly #mid: Float64Array;
  readonly #cancelRate: number;
  readonly #marketRate: number;
  readonly #rejectRate: number;
  // remembered orders (cancel candidates): a bag with swap-remove
  readonly #memId = new Float64Array(MEMORY);
  readonly #memAccount = new Uint32Array(MEMORY);
  readonly #memSymbol = new Uint32Array(MEMORY);
  readonly #memSide = new Uint8Array(MEMORY);
  #memCount = 0;
  #nextId: number;
  #count = 0;

  constructor(o: OrderFlowOptions) {
    if (!o.accounts?.length || !o.symbols?.length)
      throw new TypeError('createOrderFlow needs non-empty accounts and symbols');
    this.#rng = new Prng(o.seed);
    this.#accounts = o.accounts;
    this.#symbols = o.symbols;
    this.#mid = Float64Array.from(o.symbols, (s) => s.refPrice);
    this.#cancelRate = o.cancelRate ?? 0.2;
    this.#marketRate = o.marketRate ?? 0.075;
    this.#rejectRate = o.rejectRate ?? 0.015;
    this.#nextId = o.firstOrderId ?? 1;
  }

  get count(): number {
    return this.#count;
  }

  next(t: OrderCommandInput): void {
    const rng = this.#rng;
    this.#count++;
    const r = rng.float();
    if ((r < this.#cancelRate && this.#memCount > 0) || this.#memCount === MEMORY) {
      const k = rng.int(this.#memCount);
      t.command = COMMAND.CANCEL;
      t.orderId = this.#memId[k]!;
      t.accountId = this.#memAccount[k]!;
      t.symbolId = this.#memSymbol[k]!;
      t.side = this.#memSide[k]!;
      t.price = 0;
      t.qty = 0;
      this.#forget(k);
      return;
    }
    const si = rng.int(this.#symbols.length);
    const sym = this.#symbols[si]!;
    const acc = this.#accounts[rng.int(this.#accounts.length)]!;
    const mid = this.#walk(si, sym);
    const buy = rng.int(2) === 0;
    t.orderId = this.#nextId++;
    t.accountId = acc.accountId;
    t.symbolId = sym.symbolId;
    t.side = buy ? SIDE.BUY : SIDE.SELL;
    if (r < this.#cancelRate + this.#marketRate) {
      // market order: mostly small, one in five big enough to sweep several levels
      const cap = Math.max(1, Math.min(acc.maxOrderQty, Math.floor(acc.maxNotional / sym.maxPrice)));
      t.command = COMMAND.NEW_MARKET;
      t.price = 0;
      t.qty = 1 + rng.int(rng.int(5) === 0 ? cap : Math.min(cap, 40));
      return;
    }
    // limit order: a distance from the mid, mostly passive, sometimes crossing by a few ticks
    const offset = rng.int(4) === 0 ? -rng.int(4) : 1 + rng.int(rng.int(8) === 0 ? 200 : 20);
    const price = buy ? mid - offset : mid + offset;
    t.command = COMMAND.NEW_LIMIT;
    t.price = Math.min(sym.maxPrice, Math.max(sym.minPrice, price));
    t.qty = 1 + rng.int(rng.int(10) === 0 ? Math.min(acc.maxOrderQty, 500) : Math.min(acc.maxOrderQty, 100));
    if (r >= 1 - this.#rejectRate) {
      this.#spoil(t, acc, sym);
      return;
    }
    this.#remember(t);
  }

  /** Moves the mid of symbol `si` by at most one tick, keeping it well inside the band. */
  #walk(si: number, sym: SymbolConfig): number {
    const step = this.#rng.int(10);
    let mid = this.#mid[si]!;
    if (step === 0) mid -= 1;
    else if (step === 1) mid += 1;
    const margin = Math.min(250, Math.floor((sym.maxPrice - sym.minPrice) / 4));
    mid = Math.min(sym.maxPrice - margin, Math.max(sym.minPrice + margin, mid));
    this.#mid[si] = mid;
    return mid;
  }

  /** Makes the order fail one risk check. */
  #spoil(t: OrderCommandInput, acc: AccountConfig, sym: SymbolConfig): void {
    const kind = this.#rng.int(4);
    if (kind === 0) t.accountId = 0xfffffff0;
    else if (kind === 1) t.symbolId = 0xfffffff0;
    else if (kind === 2) t.qty = acc.maxOrderQty + 1;
    else t.price = sym.maxPrice + 1;
  }

  #remember(t: OrderCommandInput): void {
    const k = this.#memCount++;
    this.#memId[k] = t.orderId;
    this.#memAccount[k] = t.accountId;
    this.#memSymbol[k] = t.symbolId;
    this.#memSide[k] = t.side;
  }

  #forget(k: number): void {
    const last = --this.#memCount;
    this.#memId[k] = this.#memId[last]!;
    this.#memAccount[k] = this.#memAccount[last]!;
    this.#memSymbol[k] = this.#memSymbol[last]!;
    this.#memSide[k] = this.#memSide[last]!;
  }
}

/** A deterministic order flow from `seed` over the given accounts and symbols. */
export function createOrderFlow(options: OrderFlowOptions): OrderFlow {
  return new SeededOrderFlow(options);
}

/** Translator for `ring.publishWith(orderFlowTranslator, flow)`: zero-allocation publishing. */
export function orderFlowTranslator(event: OrderCommandInput, _sequence: number, flow: OrderFlow): void {
  flow.next(event);
}
