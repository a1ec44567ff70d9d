/**
 * Pre-trade risk: accepts or rejects each command with a reason code (RISK.*).
 *
 * What it can decide, and why only that: the risk stage runs BEFORE matching, so when it checks
 * command N it cannot know how commands N-1, N-2, ... matched (matching may not have reached them
 * yet, and never in the same order on every run). Its decisions therefore depend only on the
 * command itself, the configuration, and its own state built from the command stream alone:
 *
 *  - per command: account and symbol configured; well-formed (command, side, qty > 0, limit price
 *    > 0, market price = 0, orderId ≥ 0); qty ≤ maxOrderQty; limit price within the symbol's band;
 *    notional ≤ maxNotional (market orders valued at the symbol's maxPrice, the worst case); for
 *    buys notional ≤ the account's configured cash (buying power per order, not live cash — live
 *    cash is the portfolio stage's business);
 *  - stateful: an order-rate token bucket per account (`burst` tokens, one back every
 *    `refillEvery` commands of the stream), plus accept/reject counters. Its clock is the number of
 *    commands it has checked, so live runs and replays agree.
 *
 * Open-position limits are NOT checked here: they need fills, which only exist after matching.
 * Cancels are accepted for any configured account and symbol (ownership is checked by matching)
 * and never throttled.
 *
 * Hot path: check() allocates nothing (typed arrays indexed through a Map of account → index).
 */
import { RingbusError, show } from '../../src/index.js';
import { COMMAND, RISK, SIDE } from './events.js';
import { validateOptions, type OrderMatchingOptions } from './config.js';
import { hashState } from './stateHash.js';

/** Number of riskResult codes (counters are indexed by code). */
const RISK_CODES = 10;

export interface RiskSnapshot {
  clock: number;
  /** Per account, sorted by id: [accountId, tokens, lastRefill, accepted, rejected]. */
  accounts: [number, number, number, number, number][];
  /** Count per riskResult code. */
  results: number[];
}

export class RiskEngine {
  readonly #accountIndex = new Map<number, number>();
  readonly #symbolIndex = new Map<number, number>();
  readonly #accountIds: Float64Array;
  readonly #cash: Float64Array;
  readonly #maxQty: Float64Array;
  readonly #maxNotional: Float64Array;
  readonly #burst: Float64Array;
  readonly #refillEvery: Float64Array;
  readonly #minPrice: Float64Array;
  readonly #maxPrice: Float64Array;
  readonly #tokens: Float64Array;
  readonly #lastRefill: Float64Array;
  readonly #accepted: Float64Array;
  readonly #rejected: Float64Array;
  readonly #results = new Float64Array(RISK_CODES);
  #clock = 0;

  constructor(options: OrderMatchingOptions) {
    const { accounts, symbols } = validateOptions(options);
    const n = accounts.length;
    this.#accountIds = new Float64Array(n);
    this.#cash = new Float64Array(n);
    this.#maxQty = new Float64Array(n);
    this.#maxNotional = new Float64Array(n);
    this.#burst = new Float64Array(n);
    this.#refillEvery = new Float64Array(n);
    this.#tokens = new Float64Array(n);
    this.#lastRefill = new Float64Array(n);
    this.#accepted = new Float64Array(n);
    this.#rejected = new Float64Array(n);
    accounts.forEach((a, i) => {
      this.#accountIndex.set(a.accountId, i);
      this.#accountIds[i] = a.accountId;
      this.#cash[i] = a.cash;
      this.#maxQty[i] = a.maxOrderQty;
      this.#maxNotional[i] = a.maxNotional;
      this.#burst[i] = a.burst ?? 0;
      this.#refillEvery[i] = a.refillEvery ?? 1;
      this.#tokens[i] = a.burst ?? 0;
    });
    this.#minPrice = new Float64Array(symbols.length);
    this.#maxPrice = new Float64Array(symbols.length);
    symbols.forEach((s, i) => {
      this.#symbolIndex.set(s.symbolId, i);
      this.#minPrice[i] = s.minPrice;
      this.#maxPrice[i] = s.maxPrice;
    });
  }

  /** Checks one command; returns RISK.ACCEPTED or a reject reason. Allocation-free. */
  check(
    command: number,
    orderId: number,
    accountId: number,
    symbolId: number,
    side: number,
    price: number,
    qty: number,
  ): number {
    this.#clock++;
    const result = this.#decide(command, orderId, accountId, symbolId, side, price, qty);
    this.#results[result]++;
    const a = this.#accountIndex.get(accountId);
    if (a !== undefined) {
      if (result === RISK.ACCEPTED) this.#accepted[a]++;
      else this.#rejected[a]++;
    }
    return result;
  }

  #decide(
    command: number,
    orderId: number,
    accountId: number,
    symbolId: number,
    side: number,
    price: number,
    qty: number,
  ): number {
    const a = this.#accountIndex.get(accountId);
    if (a === undefined) return RISK.UNKNOWN_ACCOUNT;
    const s = this.#symbolIndex.get(symbolId);
    if (s === undefined) return RISK.UNKNOWN_SYMBOL;
    if (!(orderId >= 0)) return RISK.INVALID_ORDER;
    if (command === COMMAND.CANCEL) return RISK.ACCEPTED;
    const market = command === COMMAND.NEW_MARKET;
    if (!market && command !== COMMAND.NEW_LIMIT) return RISK.INVALID_ORDER;
    if ((side !== SIDE.BUY && side !== SIDE.SELL) || qty <= 0) return RISK.INVALID_ORDER;
    if (market ? price !== 0 : price <= 0) return RISK.INVALID_ORDER;
    if (qty > this.#maxQty[a]!) return RISK.QTY_LIMIT;
    if (!market && (price < this.#minPrice[s]! || price > this.#maxPrice[s]!)) return RISK.PRICE_BAND;
    const notional = (market ? this.#maxPrice[s]! : price) * qty;
    if (notional > this.#maxNotional[a]!) return RISK.NOTIONAL_LIMIT;
    if (side === SIDE.BUY && notional > this.#cash[a]!) return RISK.INSUFFICIENT_CASH;
    const burst = this.#burst[a]!;
    if (burst > 0) {
      const every = this.#refillEvery[a]!;
      const refill = Math.floor((this.#clock - this.#lastRefill[a]!) / every);
      if (refill > 0) {
        this.#tokens[a] = Math.min(burst, this.#tokens[a]! + refill);
        this.#lastRefill[a] = this.#lastRefill[a]! + refill * every;
      }
      if (this.#tokens[a]! < 1) return RISK.THROTTLED;
      this.#tokens[a]!--;
    }
    return RISK.ACCEPTED;
  }

  /** Commands checked so far (the throttle's clock). */
  get clock(): number {
    return this.#clock;
  }

  /** How many commands got riskResult `code`. */
  count(code: number): number {
    return this.#results[code] ?? 0;
  }

  /** A JSON-serialisable deep copy of the state (accounts in id order). Allocates. */
  snapshot(): RiskSnapshot {
    const accounts: RiskSnapshot['accounts'] = [];
    for (let i = 0; i < this.#accountIds.length; i++) {
      accounts.push([
        this.#accountIds[i]!,
        this.#tokens[i]!,
        this.#lastRefill[i]!,
        this.#accepted[i]!,
        this.#rejected[i]!,
      ]);
    }
    return { clock: this.#clock, accounts, results: Array.from(this.#results) };
  }

  /** Replaces the state with one taken by snapshot() under the same configuration. */
  restore(state: RiskSnapshot): void {
    if (
      typeof state !== 'object' ||
      state === null ||
      !Array.isArray(state.accounts) ||
      !Array.isArray(state.results) ||
      state.results.length !== RISK_CODES
    ) {
      throw new RingbusError(
        'RINGBUS_ERR_SNAPSHOT_CORRUPT',
        `risk snapshot must be { clock, accounts, results[${RISK_CODES}] }, got ${show(state)}`,
      );
    }
    if (state.accounts.length !== this.#accountIds.length) {
      throw new RingbusError(
        'RINGBUS_ERR_SNAPSHOT_CORRUPT',
        `risk snapshot has ${state.accounts.length} accounts, the configuration ${this.#accountIds.length}`,
      );
    }
    for (const [accountId, tokens, lastRefill, accepted, rejected] of state.accounts) {
      const a = this.#accountIndex.get(accountId);
      if (a === undefined)
        throw new RingbusError(
          'RINGBUS_ERR_SNAPSHOT_CORRUPT',
          `risk snapshot: account ${show(accountId)} is not configured`,
        );
      this.#tokens[a] = tokens;
      this.#lastRefill[a] = lastRefill;
      this.#accepted[a] = accepted;
      this.#rejected[a] = rejected;
    }
    this.#results.set(state.results);
    this.#clock = state.clock;
  }

  /** sha256 hex of the canonical snapshot. Allocates. */
  stateHash(): string {
    return hashState(this.snapshot());
  }
}
