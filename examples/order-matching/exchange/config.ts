/**
 * Options of the exchange engine: accounts (cash and limits), instruments (symbols with their
 * rules), defaults for accounts added by command, and the book's initial capacity. A plain,
 * structured-cloneable object, validated here with coded errors that name the field and value.
 */
import { RingbusRangeError, RingbusTypeError, show } from '../../../src/index.js';
import { STP } from './codes.js';

/** Limits and risk settings of an account (everything except its id and cash). */
export interface AccountLimits {
  /** Largest quantity of one order. */
  readonly maxOrderQty: number;
  /** Largest price × qty of one order (market orders valued at the collar price). */
  readonly maxNotional: number;
  /** Most live orders at once (all symbols). */
  readonly maxOpenOrders: number;
  /** Most |position| per symbol, counting open orders on the side that would grow it. */
  readonly maxPosition: number;
  /** How far below zero a position may go per symbol, counting open sells (0 = no short selling). */
  readonly shortLimit: number;
  /** STP.* mode applied when this account's order would take its own (or its group's) resting order. */
  readonly stpMode: number;
  /** Accounts with the same non-zero group are one party for self-trade prevention; 0 = the account alone. */
  readonly stpGroup: number;
  /** Order-rate bucket: at most `burst` new orders at once, one more every `refillNs` of event time; 0 = no throttle. */
  readonly burst: number;
  readonly refillNs: number;
}

export interface ExchangeAccount extends AccountLimits {
  /** u32 account id (≥ 1). */
  readonly accountId: number;
  /** Starting cash (price units × lots). */
  readonly cash: number;
}

export interface Instrument {
  /** u32 symbol id (≥ 1). */
  readonly symbolId: number;
  /** Prices are multiples of tickSize. */
  readonly tickSize: number;
  /** Quantities are multiples of lotSize. */
  readonly lotSize: number;
  readonly minQty: number;
  readonly maxQty: number;
  /** Starting reference price; afterwards the last trade price. */
  readonly refPrice: number;
  /** Accepted limit prices: reference ± bandWidth (and ≥ tickSize); market orders trade within it (the collar). */
  readonly bandWidth: number;
}

export interface ExchangeOptions {
  readonly accounts: readonly ExchangeAccount[];
  readonly symbols: readonly Instrument[];
  /** Limits of accounts created by ADD_ACCOUNT. */
  readonly accountDefaults: AccountLimits;
  /** Live orders the engine holds before its pools first grow (default 4096). */
  readonly bookCapacity?: number;
}

function fail(path: string, expected: string, value: unknown, range = true): never {
  const message = `exchange options: ${path} must be ${expected}, got ${show(value)}`;
  throw range
    ? new RingbusRangeError('RINGBUS_ERR_INVALID_OPTION', message)
    : new RingbusTypeError('RINGBUS_ERR_INVALID_OPTION', message);
}

function int(path: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') fail(path, `an integer in [${min}, ${max}]`, value, false);
  if (!Number.isInteger(value) || value < min || value > max) fail(path, `an integer in [${min}, ${max}]`, value);
  return value;
}

function object(path: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value, false);
  return value as Record<string, unknown>;
}

const U32 = 0xffffffff;
const MAX = Number.MAX_SAFE_INTEGER;

function limits(path: string, r: Record<string, unknown>): AccountLimits {
  const burst = int(`${path}.burst`, r.burst, 0, U32);
  if (burst > 0) int(`${path}.refillNs (burst > 0)`, r.refillNs, 1, MAX);
  return {
    maxOrderQty: int(`${path}.maxOrderQty`, r.maxOrderQty, 1, U32),
    maxNotional: int(`${path}.maxNotional`, r.maxNotional, 1, MAX),
    maxOpenOrders: int(`${path}.maxOpenOrders`, r.maxOpenOrders, 1, U32),
    maxPosition: int(`${path}.maxPosition`, r.maxPosition, 1, MAX),
    shortLimit: int(`${path}.shortLimit`, r.shortLimit, 0, MAX),
    stpMode: int(`${path}.stpMode`, r.stpMode, STP.CANCEL_TAKER, STP.DECREMENT_AND_CANCEL),
    stpGroup: int(`${path}.stpGroup`, r.stpGroup, 0, U32),
    burst,
    refillNs: int(`${path}.refillNs`, r.refillNs, 0, MAX),
  };
}

/** Checks the options; returns a copy with accounts and symbols sorted by id. Throws RINGBUS_ERR_INVALID_OPTION. */
export function validateExchangeOptions(options: unknown): ExchangeOptions {
  const o = object('options', options);
  if (!Array.isArray(o.accounts)) fail('accounts', 'an array', o.accounts, false);
  if (!Array.isArray(o.symbols) || o.symbols.length === 0) fail('symbols', 'a non-empty array', o.symbols, false);
  const accountDefaults = limits('accountDefaults', object('accountDefaults', o.accountDefaults));
  const accounts = (o.accounts as unknown[]).map((a, i): ExchangeAccount => {
    const r = object(`accounts[${i}]`, a);
    return {
      accountId: int(`accounts[${i}].accountId`, r.accountId, 1, U32),
      cash: int(`accounts[${i}].cash`, r.cash, 0, MAX),
      ...limits(`accounts[${i}]`, { ...accountDefaults, ...r }),
    };
  });
  const symbols = (o.symbols as unknown[]).map((s, i): Instrument => {
    const r = object(`symbols[${i}]`, s);
    const tickSize = int(`symbols[${i}].tickSize`, r.tickSize, 1, MAX);
    const lotSize = int(`symbols[${i}].lotSize`, r.lotSize, 1, U32);
    const minQty = int(`symbols[${i}].minQty`, r.minQty, lotSize, U32);
    const refPrice = int(`symbols[${i}].refPrice`, r.refPrice, tickSize, MAX);
    if (refPrice % tickSize !== 0) fail(`symbols[${i}].refPrice`, `a multiple of tickSize ${tickSize}`, refPrice);
    return {
      symbolId: int(`symbols[${i}].symbolId`, r.symbolId, 1, U32),
      tickSize,
      lotSize,
      minQty,
      maxQty: int(`symbols[${i}].maxQty`, r.maxQty, minQty, U32),
      refPrice,
      bandWidth: int(`symbols[${i}].bandWidth`, r.bandWidth, 0, MAX),
    };
  });
  const bookCapacity = o.bookCapacity === undefined ? 4096 : int('bookCapacity', o.bookCapacity, 1, 1 << 24);
  accounts.sort((a, b) => a.accountId - b.accountId);
  symbols.sort((a, b) => a.symbolId - b.symbolId);
  for (let i = 1; i < accounts.length; i++)
    if (accounts[i]!.accountId === accounts[i - 1]!.accountId)
      fail('accounts', 'unique accountIds', accounts[i]!.accountId);
  for (let i = 1; i < symbols.length; i++)
    if (symbols[i]!.symbolId === symbols[i - 1]!.symbolId) fail('symbols', 'unique symbolIds', symbols[i]!.symbolId);
  return { accounts, symbols, accountDefaults, bookCapacity };
}

/** Generous limits for demos, tests and benchmarks. */
export const DEMO_LIMITS: AccountLimits = Object.freeze({
  maxOrderQty: 1_000,
  maxNotional: 1_000_000_000,
  maxOpenOrders: 1_000_000,
  maxPosition: 1_000_000_000,
  shortLimit: 1_000_000_000,
  stpMode: STP.CANCEL_TAKER,
  stpGroup: 0,
  burst: 0,
  refillNs: 0,
});

/**
 * A ready configuration: `accounts` accounts (ids 1..n) with ample cash, `symbols` symbols (ids
 * 1..m; reference 10_000 × id, tick 1, lot 1, band ± 5_000 × id).
 */
export function demoExchangeOptions({
  accounts = 8,
  symbols = 4,
}: { accounts?: number; symbols?: number } = {}): ExchangeOptions {
  return validateExchangeOptions({
    accounts: Array.from({ length: accounts }, (_, i) => ({ accountId: i + 1, cash: 1e15, ...DEMO_LIMITS })),
    symbols: Array.from({ length: symbols }, (_, i) => ({
      symbolId: i + 1,
      tickSize: 1,
      lotSize: 1,
      minQty: 1,
      maxQty: 1_000,
      refPrice: 10_000 * (i + 1),
      bandWidth: 5_000 * (i + 1),
    })),
    accountDefaults: DEMO_LIMITS,
  });
}
