/**
 * Options of the order-matching handlers. Every handler (risk, matching, portfolio) takes the same
 * plain, structured-cloneable object, so main.ts can hand one value to all of them.
 */
import { RingbusRangeError, RingbusTypeError, show } from '../../src/index.js';

export interface AccountConfig {
  /** u32 account id. */
  readonly accountId: number;
  /** Starting cash in ticks × units; also the risk stage's buying power per order. */
  readonly cash: number;
  /** Largest qty of one order. */
  readonly maxOrderQty: number;
  /** Largest price × qty of one order (market orders valued at the symbol's maxPrice). */
  readonly maxNotional: number;
  /** Order-rate bucket size (new orders); omit for no throttle. */
  readonly burst?: number;
  /** One token comes back every `refillEvery` commands the risk stage sees (any account). */
  readonly refillEvery?: number;
}

export interface SymbolConfig {
  /** u32 symbol id. */
  readonly symbolId: number;
  /** Lowest acceptable limit price (ticks, ≥ 1). */
  readonly minPrice: number;
  /** Highest acceptable limit price (ticks); also the worst-case price of a market order. */
  readonly maxPrice: number;
  /** Starting mid price for generators and marks (ticks, within the band). */
  readonly refPrice: number;
}

/** `ctx.options` of handlers/risk.ts, handlers/matching.ts and handlers/portfolio.ts. */
export interface OrderMatchingOptions {
  readonly accounts: readonly AccountConfig[];
  readonly symbols: readonly SymbolConfig[];
}

function fail(path: string, expected: string, value: unknown, range = true): never {
  const message = `order-matching options: ${path} must be ${expected}, got ${show(value)}`;
  throw range
    ? new RingbusRangeError('RINGBUS_ERR_INVALID_OPTION', message)
    : new RingbusTypeError('RINGBUS_ERR_INVALID_OPTION', message);
}

function int(path: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') fail(path, `an integer in [${min}, ${max}]`, value, false);
  if (!Number.isInteger(value) || value < min || value > max) fail(path, `an integer in [${min}, ${max}]`, value);
  return value;
}

const U32 = 0xffffffff;

/**
 * Checks the options and returns them with accounts and symbols sorted by id (the canonical order
 * every snapshot uses). Throws RINGBUS_ERR_INVALID_OPTION naming the field and the value.
 */
export function validateOptions(options: unknown): OrderMatchingOptions {
  if (typeof options !== 'object' || options === null)
    fail('options', 'an object { accounts, symbols }', options, false);
  const o = options as Record<string, unknown>;
  if (!Array.isArray(o.accounts) || o.accounts.length === 0) fail('accounts', 'a non-empty array', o.accounts, false);
  if (!Array.isArray(o.symbols) || o.symbols.length === 0) fail('symbols', 'a non-empty array', o.symbols, false);
  const accounts = (o.accounts as unknown[]).map((a, i): AccountConfig => {
    if (typeof a !== 'object' || a === null) fail(`accounts[${i}]`, 'an object', a, false);
    const r = a as Record<string, unknown>;
    const out: AccountConfig = {
      accountId: int(`accounts[${i}].accountId`, r.accountId, 0, U32),
      cash: int(`accounts[${i}].cash`, r.cash, 0, Number.MAX_SAFE_INTEGER),
      maxOrderQty: int(`accounts[${i}].maxOrderQty`, r.maxOrderQty, 1, U32),
      maxNotional: int(`accounts[${i}].maxNotional`, r.maxNotional, 1, Number.MAX_SAFE_INTEGER),
    };
    if (r.burst !== undefined || r.refillEvery !== undefined) {
      return {
        ...out,
        burst: int(`accounts[${i}].burst`, r.burst, 1, U32),
        refillEvery: int(`accounts[${i}].refillEvery`, r.refillEvery, 1, U32),
      };
    }
    return out;
  });
  const symbols = (o.symbols as unknown[]).map((s, i): SymbolConfig => {
    if (typeof s !== 'object' || s === null) fail(`symbols[${i}]`, 'an object', s, false);
    const r = s as Record<string, unknown>;
    const minPrice = int(`symbols[${i}].minPrice`, r.minPrice, 1, Number.MAX_SAFE_INTEGER);
    const maxPrice = int(`symbols[${i}].maxPrice`, r.maxPrice, minPrice, Number.MAX_SAFE_INTEGER);
    return {
      symbolId: int(`symbols[${i}].symbolId`, r.symbolId, 0, U32),
      minPrice,
      maxPrice,
      refPrice: int(`symbols[${i}].refPrice`, r.refPrice, minPrice, maxPrice),
    };
  });
  accounts.sort((a, b) => a.accountId - b.accountId);
  symbols.sort((a, b) => a.symbolId - b.symbolId);
  for (let i = 1; i < accounts.length; i++)
    if (accounts[i]!.accountId === accounts[i - 1]!.accountId)
      fail('accounts', 'unique accountIds', accounts[i]!.accountId);
  for (let i = 1; i < symbols.length; i++)
    if (symbols[i]!.symbolId === symbols[i - 1]!.symbolId) fail('symbols', 'unique symbolIds', symbols[i]!.symbolId);
  return { accounts, symbols };
}

/**
 * A ready-made configuration for demos, tests and benchmarks: `accounts` accounts (ids 1..n) with
 * ample cash, `symbols` symbols (ids 1..m) with reference prices 10_000, 20_000, ... ticks.
 */
export function demoOptions({
  accounts = 8,
  symbols = 4,
}: { accounts?: number; symbols?: number } = {}): OrderMatchingOptions {
  return validateOptions({
    accounts: Array.from({ length: accounts }, (_, i) => ({
      accountId: i + 1,
      cash: 50_000_000_000,
      maxOrderQty: 1_000,
      maxNotional: 200_000_000,
    })),
    symbols: Array.from({ length: symbols }, (_, i) => ({
      symbolId: i + 1,
      minPrice: 1,
      maxPrice: 200_000 * (i + 1),
      refPrice: 10_000 * (i + 1),
    })),
  });
}
