/**
 * The order-matching example's one input event, `OrderCommand`, and its constants.
 *
 * One ring, one slot per command. The producer writes the INPUT fields; the stages write the
 * RESULT fields in the same slot, and later stages read what earlier stages wrote:
 *
 * ```
 *  producer ─▶ [risk] writes riskResult
 *                 └─▶ [matching] reads riskResult, writes status, fillCount, filledQty,
 *                                fillNotional, cancelledQty and the fill entries 0..fillCount-1
 *                        └─▶ [portfolio] reads the fills      [ack] reads status / riskResult
 * ```
 *
 * Result-field rule (what makes replay exact): the stage that owns a result field overwrites it on
 * EVERY event, whatever the command and whatever the outcome (risk always writes `riskResult`;
 * matching always writes all of its fields, zeroing the fill entries it does not use, also for
 * risk-rejected commands). So a slot whose result fields hold stale bytes (a ring slot reused by
 * a translator that writes only the inputs) is processed exactly like a fresh one. The result fields
 * are `transient`: laid out after the inputs, not journaled (a journal record is the 40 input
 * bytes), reset to zero on replay. The producer never writes them (transient fields default to
 * zero, so `publishEvent` with only the inputs is valid).
 *
 * MAX_FILLS rule: a taker records at most MAX_FILLS maker fills inline in the slot. When a taker
 * still has quantity left after MAX_FILLS fills and the book still offers a crossing maker, it stops
 * matching and its remainder is cancelled: `status === STATUS.MAX_FILLS_CANCELLED`,
 * `cancelledQty` = the remainder. A limit order whose remainder no longer crosses after MAX_FILLS
 * fills rests normally.
 *
 * Units: prices are integer ticks (> 0; 0 for market orders), quantities integer units, notionals
 * ticks × units. All stay exact JS integers (below 2^53) within the risk limits.
 */
import { defineEvent, type Flyweight } from '../../src/index.js';

/** Maker fills recorded inline per taker. */
export const MAX_FILLS = 8;

/** `command` values. */
export const COMMAND = Object.freeze({
  /** New limit order: rests whatever does not fill. */
  NEW_LIMIT: 1,
  /** Cancel the live order `orderId` of `accountId` on `symbolId`. */
  CANCEL: 2,
  /** New market order, immediate-or-cancel: never rests. `price` must be 0. */
  NEW_MARKET: 3,
} as const);

/** `side` values. */
export const SIDE = Object.freeze({ BUY: 1, SELL: 2 } as const);

/** `riskResult` values: 0 pending (default), 1 accepted, 2+ reject reasons. */
export const RISK = Object.freeze({
  PENDING: 0,
  ACCEPTED: 1,
  /** accountId is not configured. */
  UNKNOWN_ACCOUNT: 2,
  /** symbolId is not configured. */
  UNKNOWN_SYMBOL: 3,
  /** malformed: unknown command or side, qty 0, limit price ≤ 0, market price ≠ 0. */
  INVALID_ORDER: 4,
  /** qty above the account's maxOrderQty. */
  QTY_LIMIT: 5,
  /** price × qty above the account's maxNotional (market orders valued at the symbol's maxPrice). */
  NOTIONAL_LIMIT: 6,
  /** limit price outside the symbol's [minPrice, maxPrice] band. */
  PRICE_BAND: 7,
  /** buy notional above the account's configured cash (buying power). */
  INSUFFICIENT_CASH: 8,
  /** the account's order-rate bucket is empty. */
  THROTTLED: 9,
} as const);

/** `status` values, written by the matching stage. */
export const STATUS = Object.freeze({
  PENDING: 0,
  /** New limit order rests in full (no fill). */
  RESTING: 1,
  /** Filled in full. */
  FILLED: 2,
  /** Partially filled; the remainder rests. */
  PARTIAL_RESTING: 3,
  /** Cancel command: the order was removed; cancelledQty = its remaining quantity. */
  CANCELLED: 4,
  /** Rejected by risk (riskResult holds the reason); nothing matched. */
  REJECTED: 5,
  /** Market order could not fill in full; the remainder (cancelledQty) was cancelled. */
  EXPIRED: 6,
  /** The MAX_FILLS rule cancelled the remainder (cancelledQty). */
  MAX_FILLS_CANCELLED: 7,
  /** Self-trade prevention cancelled the taker's remainder (cancelledQty). */
  SELF_TRADE_CANCELLED: 8,
  /** Cancel command: no live order with that id, account and symbol. */
  UNKNOWN_ORDER: 9,
  /** New order whose orderId is already live on the symbol; nothing matched. */
  DUPLICATE_ORDER: 10,
} as const);

/** Number of status codes (for counters indexed by status). */
export const STATUS_COUNT = 11;

type Digit = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;
export type MakerAccountField = `makerAccount${Digit}`;
export type MakerOrderField = `makerOrder${Digit}`;
export type FillQtyField = `fillQty${Digit}`;
export type FillPriceField = `fillPrice${Digit}`;

function names<T extends string>(prefix: string): readonly T[] {
  return Object.freeze(Array.from({ length: MAX_FILLS }, (_, i) => `${prefix}${i}` as T));
}

/** Field names of fill entry i, precomputed once (no string building per event). Hot paths use the accessors below. */
export const MAKER_ACCOUNT_FIELDS = names<MakerAccountField>('makerAccount');
export const MAKER_ORDER_FIELDS = names<MakerOrderField>('makerOrder');
export const FILL_QTY_FIELDS = names<FillQtyField>('fillQty');
export const FILL_PRICE_FIELDS = names<FillPriceField>('fillPrice');

/**
 * Fast access to fill entry i. Indexing a flyweight with a computed name (`event[FILL_QTY_FIELDS[i]]`)
 * is a keyed access to an accessor property, which V8 serves through a slow generic path (measured
 * here: writing the 32 fill fields that way cost ≈ 5 µs per event, 20× the whole matching step).
 * These functions are generated once, at load, as straight-line code / a switch with static
 * property names, so every access is a monomorphic named getter/setter call. Allocation-free.
 */
type FillSource = ArrayLike<number>;

function generated<T>(params: string[], body: string): T {
  return new Function(...params, body) as T;
}

function reader(names: readonly string[]): (event: object, i: number) => number {
  return generated(
    ['e', 'i'],
    `switch (i) { ${names.map((n, i) => `case ${i}: return e.${n};`).join(' ')} default: return 0; }`,
  );
}

/** Maker account of fill entry i (0 ≤ i < MAX_FILLS). */
export const makerAccountAt = reader(MAKER_ACCOUNT_FIELDS);
/** Maker order id of fill entry i. */
export const makerOrderAt = reader(MAKER_ORDER_FIELDS);
/** Quantity of fill entry i. */
export const fillQtyAt = reader(FILL_QTY_FIELDS);
/** Price of fill entry i. */
export const fillPriceAt = reader(FILL_PRICE_FIELDS);

/**
 * Writes all MAX_FILLS fill entries: entries below `count` from the four arrays, the rest zeroed
 * (the matching stage owns them and overwrites them on every event). Allocation-free.
 */
export const writeFills: (
  event: object,
  count: number,
  accounts: FillSource,
  orders: FillSource,
  qtys: FillSource,
  prices: FillSource,
) => void = generated(
  ['e', 'n', 'a', 'o', 'q', 'p'],
  Array.from(
    { length: MAX_FILLS },
    (_, i) =>
      `if (${i} < n) { e.${MAKER_ACCOUNT_FIELDS[i]} = a[${i}]; e.${MAKER_ORDER_FIELDS[i]} = o[${i}]; e.${FILL_QTY_FIELDS[i]} = q[${i}]; e.${FILL_PRICE_FIELDS[i]} = p[${i}]; } ` +
      `else { e.${MAKER_ACCOUNT_FIELDS[i]} = 0; e.${MAKER_ORDER_FIELDS[i]} = 0; e.${FILL_QTY_FIELDS[i]} = 0; e.${FILL_PRICE_FIELDS[i]} = 0; }`,
  ).join('\n'),
);

/** The input fields a producer writes. */
export interface OrderCommandInput {
  command: number;
  orderId: number;
  accountId: number;
  symbolId: number;
  side: number;
  price: number;
  qty: number;
  /** Exchange engine: TIF.* (0 = default). The first pipeline ignores it. */
  tif?: number;
  /** Exchange engine: FLAG.* bits. The first pipeline ignores it. */
  flags?: number;
  /** Exchange engine: event time in ns (the throttle's clock); 0 or absent = the slot's $timestamp. */
  time?: number;
}

/** Result fields (stages write them; the producer does not). */
export interface OrderCommandResult {
  riskResult: number;
  status: number;
  fillCount: number;
  filledQty: number;
  fillNotional: number;
  cancelledQty: number;
  reason: number;
  leavesQty: number;
  tradeCount: number;
}

type FillFields = { [K in MakerAccountField | MakerOrderField | FillQtyField | FillPriceField]: number };

/** The flyweight over an OrderCommand slot: one getter/setter per field. */
export type OrderCommandFlyweight = Flyweight &
  OrderCommandInput & { tif: number; flags: number; time: number } & OrderCommandResult &
  FillFields;

function fields(): Record<string, unknown> {
  const f: Record<string, unknown> = {
    command: 'u8',
    orderId: 'i53',
    accountId: 'u32',
    symbolId: 'u32',
    side: 'u8',
    price: 'i53',
    qty: 'u32',
    // exchange engine inputs (exchange/codes.ts): time in force and flags; 0 = defaults
    tif: { type: 'u8', default: 0 },
    flags: { type: 'u8', default: 0 },
    // exchange engine: event time in ns from the gateway (the throttle's clock); 0 = the slot's $timestamp
    time: { type: 'i53', default: 0 },
    // result fields: transient, so the journal records only the 40 bytes of input above
    riskResult: { type: 'u8', transient: true },
    status: { type: 'u8', transient: true },
    fillCount: { type: 'u8', transient: true },
    filledQty: { type: 'u32', transient: true },
    fillNotional: { type: 'i53', transient: true },
    cancelledQty: { type: 'u32', transient: true },
    // written by the exchange handler (handlers/exchange.ts): REASON.* (0 accepted), open qty left, trades made
    reason: { type: 'u8', transient: true },
    leavesQty: { type: 'u32', transient: true },
    tradeCount: { type: 'u32', transient: true },
  };
  for (let i = 0; i < MAX_FILLS; i++) {
    f[MAKER_ACCOUNT_FIELDS[i]!] = { type: 'u32', transient: true };
    f[MAKER_ORDER_FIELDS[i]!] = { type: 'i53', transient: true };
    f[FILL_QTY_FIELDS[i]!] = { type: 'u32', transient: true };
    f[FILL_PRICE_FIELDS[i]!] = { type: 'i53', transient: true };
  }
  return f;
}

/** The OrderCommand event type (slot layout, flyweight, validator). */
export const OrderCommand = defineEvent<OrderCommandFlyweight>('OrderCommand', fields() as never);
