/**
 * Per-account cash, positions and P&L, built from the fills the matching stage wrote into each
 * slot: the taker is the command's account and side, each maker is makerAccount_i on the other
 * side, trading fillQty_i at fillPrice_i.
 *
 * Money is integer ticks × units, kept in JS numbers (exact below 2^53).
 *
 * Average-cost method, exact in integers. Per account and symbol: `position` (signed units),
 * `costBasis` (signed ticks·units paid for the open position; same sign as the position) and
 * `realised`. A trade that grows the position (or opens one) adds qty × price to the cost basis.
 * A trade that reduces it by q removes floor(|costBasis| × q / |position|) (signed like the
 * position) from the cost basis and realises the difference to the trade value; flooring leaves
 * the rounding remainder in the open position's cost basis, and closing the position in full
 * removes the whole basis, so no tick is created or lost. A trade through zero closes, then opens
 * the rest at the trade price. Invariant per account, at all times:
 *
 *     cash + Σ costBasis − Σ realised = starting cash
 *
 * and across accounts cash moves and positions per symbol are zero-sum. Unrealised P&L at a mark
 * price m is position × m − costBasis (inspection only).
 *
 * Hot path: processSlot() allocates nothing (Map lookups by id, typed arrays by index), unless a
 * cost-basis proration passes 2^53 (see mulDivFloor).
 */
import { RingbusError, show } from '../../src/index.js';
import { fillPriceAt, fillQtyAt, makerAccountAt, SIDE, type OrderCommandInput } from './events.js';
import { validateOptions, type OrderMatchingOptions } from './config.js';
import { mulDivFloor } from './integerMath.js';
import { hashState } from './stateHash.js';

/** Per symbol in a snapshot: [symbolId, position, costBasis, realised]. */
export type PositionEntry = [number, number, number, number];

export interface PortfolioSnapshot {
  /** Fills applied (each fill once). */
  fills: number;
  /** Fills ignored (account or symbol not configured). */
  unknownFills: number;
  /** Per account in id order: [accountId, cash, positions in symbolId order]. */
  accounts: [number, number, PositionEntry[]][];
}

/** The fields processSlot reads. */
export type FilledSlot = Pick<OrderCommandInput, 'accountId' | 'symbolId' | 'side'> & { fillCount: number } & Record<
    string,
    unknown
  >;

export class Portfolio {
  readonly #accountIndex = new Map<number, number>();
  readonly #symbolIndex = new Map<number, number>();
  readonly #accountIds: number[];
  readonly #symbolIds: number[];
  readonly #startCash: Float64Array;
  readonly #cash: Float64Array;
  /** [account × symbols + symbol] */
  readonly #position: Float64Array;
  readonly #cost: Float64Array;
  readonly #realised: Float64Array;
  #fills = 0;
  #unknown = 0;

  constructor(options: OrderMatchingOptions) {
    const { accounts, symbols } = validateOptions(options);
    this.#accountIds = accounts.map((a) => a.accountId);
    this.#symbolIds = symbols.map((s) => s.symbolId);
    accounts.forEach((a, i) => this.#accountIndex.set(a.accountId, i));
    symbols.forEach((s, i) => this.#symbolIndex.set(s.symbolId, i));
    this.#startCash = Float64Array.from(accounts, (a) => a.cash);
    this.#cash = Float64Array.from(this.#startCash);
    const cells = accounts.length * symbols.length;
    this.#position = new Float64Array(cells);
    this.#cost = new Float64Array(cells);
    this.#realised = new Float64Array(cells);
  }

  /** Applies the fills of one processed command. Allocation-free. */
  processSlot(event: FilledSlot): void {
    const n = event.fillCount;
    if (n === 0) return;
    const taker = event.accountId;
    const symbolId = event.symbolId;
    const buy = event.side === SIDE.BUY;
    for (let i = 0; i < n; i++) {
      const maker = makerAccountAt(event, i);
      const qty = fillQtyAt(event, i);
      const price = fillPriceAt(event, i);
      if (buy) this.applyTrade(taker, maker, symbolId, qty, price);
      else this.applyTrade(maker, taker, symbolId, qty, price);
    }
  }

  /** Books one trade. Returns false (and counts it) when an account or the symbol is not configured. */
  applyTrade(buyer: number, seller: number, symbolId: number, qty: number, price: number): boolean {
    const b = this.#accountIndex.get(buyer);
    const s = this.#accountIndex.get(seller);
    const sym = this.#symbolIndex.get(symbolId);
    if (b === undefined || s === undefined || sym === undefined) {
      this.#unknown++;
      return false;
    }
    const value = qty * price;
    this.#cash[b] -= value;
    this.#cash[s] += value;
    const width = this.#symbolIds.length;
    this.#move(b * width + sym, qty, price);
    this.#move(s * width + sym, -qty, price);
    this.#fills++;
    return true;
  }

  /** Position cell `c` trades `dq` (signed) at `price`. */
  #move(c: number, dq: number, price: number): void {
    const pos = this.#position[c]!;
    if (pos === 0 || pos > 0 === dq > 0) {
      this.#position[c] = pos + dq;
      this.#cost[c] += dq * price;
      return;
    }
    const absPos = pos < 0 ? -pos : pos;
    const absDq = dq < 0 ? -dq : dq;
    const close = absDq < absPos ? absDq : absPos;
    const cost = this.#cost[c]!;
    const sign = pos > 0 ? 1 : -1;
    const removed = close === absPos ? cost : sign * mulDivFloor(sign * cost, close, absPos);
    this.#realised[c] += sign * close * price - removed;
    const rest = absDq - close;
    if (rest === 0) {
      this.#position[c] = pos - sign * close;
      this.#cost[c] = cost - removed;
    } else {
      this.#position[c] = -sign * rest;
      this.#cost[c] = -sign * rest * price;
    }
  }

  #account(accountId: number): number {
    const a = this.#accountIndex.get(accountId);
    if (a === undefined)
      throw new RingbusError('RINGBUS_ERR_INVALID_OPTION', `portfolio: account ${show(accountId)} is not configured`);
    return a;
  }

  #cell(accountId: number, symbolId: number): number {
    const s = this.#symbolIndex.get(symbolId);
    if (s === undefined)
      throw new RingbusError('RINGBUS_ERR_INVALID_OPTION', `portfolio: symbol ${show(symbolId)} is not configured`);
    return this.#account(accountId) * this.#symbolIds.length + s;
  }

  /** Cash of an account (ticks × units). */
  cash(accountId: number): number {
    return this.#cash[this.#account(accountId)]!;
  }
  position(accountId: number, symbolId: number): number {
    return this.#position[this.#cell(accountId, symbolId)]!;
  }
  costBasis(accountId: number, symbolId: number): number {
    return this.#cost[this.#cell(accountId, symbolId)]!;
  }
  /** Realised P&L of one symbol, or of all symbols when symbolId is omitted. */
  realisedPnl(accountId: number, symbolId?: number): number {
    if (symbolId !== undefined) return this.#realised[this.#cell(accountId, symbolId)]!;
    let sum = 0;
    for (const s of this.#symbolIds) sum += this.#realised[this.#cell(accountId, s)]!;
    return sum;
  }
  /** position × mark − costBasis: what closing at `markPrice` would realise. */
  unrealisedPnl(accountId: number, symbolId: number, markPrice: number): number {
    const c = this.#cell(accountId, symbolId);
    return this.#position[c]! * markPrice - this.#cost[c]!;
  }
  /** Fills applied. */
  get fills(): number {
    return this.#fills;
  }
  /** Fills ignored because an account or symbol was not configured. */
  get unknownFills(): number {
    return this.#unknown;
  }
  /** Configured account ids, ascending. */
  get accountIds(): readonly number[] {
    return this.#accountIds;
  }
  /** Starting cash of an account. */
  startingCash(accountId: number): number {
    return this.#startCash[this.#account(accountId)]!;
  }

  /** A JSON-serialisable deep copy (accounts and symbols in id order). Allocates. */
  snapshot(): PortfolioSnapshot {
    const w = this.#symbolIds.length;
    return {
      fills: this.#fills,
      unknownFills: this.#unknown,
      accounts: this.#accountIds.map((id, a) => [
        id,
        this.#cash[a]!,
        this.#symbolIds.map((sid, s): PositionEntry => [
          sid,
          this.#position[a * w + s]!,
          this.#cost[a * w + s]!,
          this.#realised[a * w + s]!,
        ]),
      ]),
    };
  }

  /** Replaces the state with a snapshot taken under the same accounts and symbols. */
  restore(state: PortfolioSnapshot): void {
    const w = this.#symbolIds.length;
    if (
      typeof state !== 'object' ||
      state === null ||
      !Array.isArray(state.accounts) ||
      state.accounts.length !== this.#accountIds.length
    ) {
      throw new RingbusError(
        'RINGBUS_ERR_SNAPSHOT_CORRUPT',
        `portfolio snapshot must be { fills, accounts[${this.#accountIds.length}] }, got ${show(state)}`,
      );
    }
    for (const [id, cash, positions] of state.accounts) {
      const a = this.#accountIndex.get(id);
      if (a === undefined || !Array.isArray(positions) || positions.length !== w)
        throw new RingbusError(
          'RINGBUS_ERR_SNAPSHOT_CORRUPT',
          `portfolio snapshot: account ${show(id)} is not configured or has ${show(positions?.length)} positions, expected ${w}`,
        );
      this.#cash[a] = cash;
      for (const [sid, position, cost, realised] of positions) {
        const s = this.#symbolIndex.get(sid);
        if (s === undefined)
          throw new RingbusError(
            'RINGBUS_ERR_SNAPSHOT_CORRUPT',
            `portfolio snapshot: symbol ${show(sid)} is not configured`,
          );
        this.#position[a * w + s] = position;
        this.#cost[a * w + s] = cost;
        this.#realised[a * w + s] = realised;
      }
    }
    this.#fills = state.fills;
    this.#unknown = state.unknownFills;
  }

  /** sha256 hex of the canonical snapshot. Allocates. */
  stateHash(): string {
    return hashState(this.snapshot());
  }
}
