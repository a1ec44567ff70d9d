/**
 * Codes of the exchange engine (Exchange.ts): commands, time in force, flags, self-trade
 * prevention modes, reject reasons, cancel reasons and execution report types. Every code is
 * documented in examples/order-matching/README.md; values are stable (journals and report streams
 * store them).
 */

/** `command` values. 1..3 keep the meaning they had in the first version of the example. */
export const CMD = Object.freeze({
  /** New limit order: `price` > 0, `tif` GTC (0 or 1), IOC or FOK, `flags` may hold POST_ONLY. */
  NEW_LIMIT: 1,
  /** Cancel the live order `orderId` of `accountId` on `symbolId`. */
  CANCEL: 2,
  /** New market order: `price` 0, `tif` IOC (0 or 2) or FOK; trades no further than the collar. */
  NEW_MARKET: 3,
  /** Modify the live order `orderId`: `price` the new limit (0 = keep), `qty` the new total quantity. */
  MODIFY: 4,
  /** Cancel every live order of `accountId` (`symbolId` 0) or of `accountId` on `symbolId`. */
  MASS_CANCEL: 5,
  /** Add account `accountId` with the default limits and `price` as its starting cash. */
  ADD_ACCOUNT: 6,
  /** Add `price` (> 0) to the cash of `accountId`. */
  DEPOSIT: 7,
  /** Take `price` (> 0, at most the cash not held) from the cash of `accountId`. */
  WITHDRAW: 8,
  /** Suspend trading of `accountId`: new orders and modifies are rejected; cancels still work. */
  SUSPEND: 9,
  /** Resume trading of `accountId`. */
  RESUME: 10,
  /** Report the L2 depth of `symbolId`: at most `qty` levels per side (0 = all). */
  DEPTH: 11,
} as const);

/** `tif` values (time in force). 0 means the default: GTC for limit orders, IOC for market orders. */
export const TIF = Object.freeze({ DEFAULT: 0, GTC: 1, IOC: 2, FOK: 3 } as const);

/** `flags` bits. */
export const FLAG = Object.freeze({
  /** The limit order must not take liquidity: rejected (POST_ONLY_WOULD_TRADE) if it would cross. */
  POST_ONLY: 1,
} as const);

/** Self-trade prevention modes (per account). The TAKER's mode decides. */
export const STP = Object.freeze({
  /** The taker's remainder is cancelled; the resting order stays. */
  CANCEL_TAKER: 1,
  /** The resting order is cancelled; the taker keeps matching. */
  CANCEL_MAKER: 2,
  /** Both the resting order and the taker's remainder are cancelled. */
  CANCEL_BOTH: 3,
  /** Both are reduced by the smaller open quantity (no trade); the one that reaches 0 is cancelled. */
  DECREMENT_AND_CANCEL: 4,
} as const);

/** Reject reasons (`reason` of a REJECTED report; 0 = none). */
export const REASON = Object.freeze({
  NONE: 0,
  UNKNOWN_COMMAND: 1,
  UNKNOWN_ACCOUNT: 2,
  UNKNOWN_SYMBOL: 3,
  INVALID_SIDE: 4,
  INVALID_ORDER_ID: 5,
  INVALID_PRICE: 6,
  INVALID_QTY: 7,
  INVALID_TIF: 8,
  INVALID_FLAGS: 9,
  ACCOUNT_SUSPENDED: 10,
  DUPLICATE_ORDER_ID: 11,
  TICK_SIZE: 12,
  LOT_SIZE: 13,
  QTY_OUT_OF_RANGE: 14,
  PRICE_BAND: 15,
  MAX_ORDER_QTY: 16,
  MAX_NOTIONAL: 17,
  MAX_OPEN_ORDERS: 18,
  MAX_POSITION: 19,
  INSUFFICIENT_CASH: 20,
  INSUFFICIENT_POSITION: 21,
  THROTTLED: 22,
  POST_ONLY_WOULD_TRADE: 23,
  UNKNOWN_ORDER: 24,
  ACCOUNT_EXISTS: 25,
  INVALID_AMOUNT: 26,
} as const);

/** Number of reason codes (for counters indexed by reason). */
export const REASON_COUNT = 27;

/** Why an order left the book without trading (`reason` of CANCELLED / EXPIRED reports). */
export const CANCEL_REASON = Object.freeze({
  /** A CANCEL command. */
  USER: 1,
  /** A MASS_CANCEL command. */
  MASS: 2,
  /** A MODIFY to a quantity at or below the filled quantity. */
  MODIFY: 3,
  /** Self-trade prevention. */
  SELF_TRADE: 4,
  /** IOC remainder (EXPIRED). */
  IOC: 5,
  /** FOK that could not fill in full (EXPIRED, nothing traded). */
  FOK: 6,
} as const);

/** Execution report types (`type` of an ExecutionReport). */
export const REPORT = Object.freeze({
  /** A command was accepted (orders: now live or about to trade; admin: applied). */
  ACCEPTED: 1,
  /** A command was rejected (`reason`); state unchanged. */
  REJECTED: 2,
  /** One side of one fill (`liquidity` MAKER or TAKER, `tradeId` shared by both sides). */
  TRADE: 3,
  /** An order, or part of it (`qty`), was cancelled (`reason` CANCEL_REASON). */
  CANCELLED: 4,
  /** An IOC / FOK / market remainder (`qty`) expired (`reason` IOC or FOK). */
  EXPIRED: 5,
  /** A MODIFY was applied (`price`, `qty` = new total, `leavesQty` = new open quantity). */
  REPLACED: 6,
  /** Top of book of `symbolId` after a command changed it. */
  TOP_OF_BOOK: 7,
  /** One L2 level of a DEPTH request (`side`, `price`, `qty`, `orders`). */
  DEPTH_LEVEL: 8,
  /** End of a MASS_CANCEL (`qty` = orders cancelled) or of a DEPTH answer (`qty` = levels). */
  DONE: 9,
} as const);

/** `liquidity` of a TRADE report. */
export const LIQUIDITY = Object.freeze({ MAKER: 1, TAKER: 2 } as const);

/** `side` values. */
export const SIDE = Object.freeze({ BUY: 1, SELL: 2 } as const);
