/**
 * The event and the state of the `journal` benchmark, shared by the scenario (main thread), the
 * NDJSON baseline and the bus handler (bench/workers/journalHandler.ts, in a worker).
 *
 * `BenchOrder` is a small order command: 31 bytes of fields, so a journal record is 32 + 31 bytes
 * padded to 64. Its field values for sequence i come from `orderFields(i)`-style arithmetic
 * (deterministic, no PRNG state), so any thread can rebuild event i. `PositionState` is what the
 * recovery measurement rebuilds: net position and traded notional per account, folded from every
 * order; the baseline applies the very same code to parsed JSON lines.
 */
import { defineEvent, type Flyweight } from '../../src/index.js';

export interface BenchOrderFields {
  orderId: number;
  price: number;
  accountId: number;
  symbolId: number;
  qty: number;
  side: number;
  ordType: number;
  tif: number;
}

export type BenchOrderFlyweight = Flyweight & BenchOrderFields;

/** 31 bytes of fields; the i53 fields first, so nothing needs padding between fields. */
export const BenchOrder = defineEvent<BenchOrderFlyweight>('BenchOrder', {
  orderId: 'i53',
  price: 'i53',
  accountId: 'u32',
  symbolId: 'u32',
  qty: 'u32',
  side: 'u8',
  ordType: 'u8',
  tif: 'u8',
});

/** Accounts the generator spreads orders over (the state has one position cell per account). */
export const ACCOUNTS = 1024;

/** Writes the fields of event `i` into `target` (a flyweight or a plain object). Allocation-free. */
export function fillOrder(target: BenchOrderFields, i: number): void {
  const h = Math.imul(i ^ (i >>> 15), 0x2c1b3c6d) >>> 0;
  target.orderId = 1_000_000 + i;
  target.price = 10_000 + (h % 2_001);
  target.accountId = (h >>> 11) % ACCOUNTS;
  target.symbolId = 1 + ((h >>> 21) & 7);
  target.qty = 1 + ((h >>> 3) % 500);
  target.side = 1 + (h & 1);
  target.ordType = 1 + ((h >>> 1) & 1);
  target.tif = (h >>> 2) & 3;
}

/** Translator for `publishWith(fillOrderTranslator, i)`. */
export function fillOrderTranslator(event: BenchOrderFlyweight, _sequence: number, i: number): void {
  fillOrder(event, i);
}

export interface PositionSnapshot {
  count: number;
  lastOrderId: number;
  position: number[];
  notional: number[];
}

/**
 * Per-account net position (buys minus sells) and traded notional, folded from orders. Exact:
 * every value stays an integer far below 2^53. `apply` allocates nothing.
 */
export class PositionState {
  readonly #position = new Float64Array(ACCOUNTS);
  readonly #notional = new Float64Array(ACCOUNTS);
  #count = 0;
  #lastOrderId = 0;

  apply(o: BenchOrderFields): void {
    const a = o.accountId;
    this.#position[a] += o.side === 1 ? o.qty : -o.qty;
    this.#notional[a] += o.qty * o.price;
    this.#count++;
    this.#lastOrderId = o.orderId;
  }

  get count(): number {
    return this.#count;
  }

  snapshot(): PositionSnapshot {
    return {
      count: this.#count,
      lastOrderId: this.#lastOrderId,
      position: Array.from(this.#position),
      notional: Array.from(this.#notional),
    };
  }

  restore(s: PositionSnapshot): void {
    this.#count = s.count;
    this.#lastOrderId = s.lastOrderId;
    this.#position.set(s.position);
    this.#notional.set(s.notional);
  }
}

/** The state after events 0 … n-1 (computed here, to check what a recovery rebuilt). */
export function expectedState(n: number): PositionSnapshot {
  const state = new PositionState();
  const o: BenchOrderFields = { orderId: 0, price: 0, accountId: 0, symbolId: 0, qty: 0, side: 0, ordType: 0, tif: 0 };
  for (let i = 0; i < n; i++) {
    fillOrder(o, i);
    state.apply(o);
  }
  return state.snapshot();
}
