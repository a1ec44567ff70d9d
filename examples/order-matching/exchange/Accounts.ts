/**
 * Live account state of the exchange: cash, cash held by open buy orders, positions and open
 * quantities per symbol, limits, suspension, the last order id and the order-rate bucket.
 * Struct-of-arrays indexed by account INDEX (creation order: configured accounts by id, then
 * ADD_ACCOUNT commands in command order); per-symbol cells at index × symbolCount + symbolIndex.
 *
 * Invariants (checked by the tests): cashHeld = Σ price × open of the account's live buys;
 * buyOpen / sellOpen = Σ open of its live buys / sells on the symbol; cashHeld ≤ cash.
 *
 * Allocation: lookups and updates allocate nothing; add() grows the arrays (an admin command).
 */
import type { AccountLimits, ExchangeAccount } from './config.js';
import { IdIndex } from './IdIndex.js';

/** Key of accounts that are one party for self-trade prevention: the group, else the account alone. */
function stpKeyOf(accountId: number, group: number): number {
  return group > 0 ? 4294967296 + group : accountId;
}

export interface AccountsSnapshot {
  /** Per account, in index order: [id, cash, cashHeld, openOrders, suspended, lastOrderId, tokens, tokenTs]. */
  state: number[][];
  /** Per account: its limits in AccountLimits field order. */
  limits: number[][];
  /** Per account: [position, buyOpen, sellOpen] per symbol, flattened. */
  positions: number[][];
}

const LIMIT_FIELDS = [
  'maxOrderQty',
  'maxNotional',
  'maxOpenOrders',
  'maxPosition',
  'shortLimit',
  'stpMode',
  'stpGroup',
  'burst',
  'refillNs',
] as const;

export class Accounts {
  readonly symbolCount: number;
  readonly #byId = new IdIndex();
  /** The current event time (ns) for tokensAt / take, set by the engine (a typed array: no boxing). */
  readonly now = new Float64Array(1);
  id: number[] = [];
  cash: number[] = [];
  cashHeld: number[] = [];
  openOrders: number[] = [];
  suspended: number[] = [];
  lastOrderId: number[] = [];
  tokens: number[] = [];
  tokenTs: number[] = [];
  maxOrderQty: number[] = [];
  maxNotional: number[] = [];
  maxOpenOrders: number[] = [];
  maxPosition: number[] = [];
  shortLimit: number[] = [];
  stpMode: number[] = [];
  stpGroup: number[] = [];
  stpKey: number[] = [];
  burst: number[] = [];
  refillNs: number[] = [];
  /** Per (account, symbol). */
  position: number[] = [];
  buyOpen: number[] = [];
  sellOpen: number[] = [];

  constructor(symbolCount: number, accounts: readonly ExchangeAccount[]) {
    this.symbolCount = symbolCount;
    for (const a of accounts) this.add(a.accountId, a.cash, a);
  }

  get count(): number {
    return this.id.length;
  }

  /** Index of `accountId`, or -1. Allocation-free. */
  indexOf(accountId: number): number {
    return this.#byId.get(accountId);
  }

  /** Adds an account (the caller checked the id is new); returns its index. */
  add(accountId: number, cash: number, l: AccountLimits): number {
    const i = this.id.length;
    this.#byId.set(accountId, i);
    this.id.push(accountId);
    this.cash.push(cash);
    this.cashHeld.push(0);
    this.openOrders.push(0);
    this.suspended.push(0);
    this.lastOrderId.push(0);
    this.tokens.push(l.burst);
    this.tokenTs.push(0);
    this.maxOrderQty.push(l.maxOrderQty);
    this.maxNotional.push(l.maxNotional);
    this.maxOpenOrders.push(l.maxOpenOrders);
    this.maxPosition.push(l.maxPosition);
    this.shortLimit.push(l.shortLimit);
    this.stpMode.push(l.stpMode);
    this.stpGroup.push(l.stpGroup);
    this.stpKey.push(stpKeyOf(accountId, l.stpGroup));
    this.burst.push(l.burst);
    this.refillNs.push(l.refillNs);
    for (let s = 0; s < this.symbolCount; s++) {
      this.position.push(0);
      this.buyOpen.push(0);
      this.sellOpen.push(0);
    }
    return i;
  }

  /**
   * Tokens account `a` would have at event time `now[0]` (the bucket refills one token per
   * refillNs of event time since tokenTs, up to burst). Reads only: take() commits. Allocation-free.
   */
  tokensAt(a: number): number {
    const ts = this.now[0]!;
    const refill = this.refillNs[a]!;
    const elapsed = ts - this.tokenTs[a]!;
    const t = this.tokens[a]! + (elapsed > 0 ? Math.floor(elapsed / refill) : 0);
    const burst = this.burst[a]!;
    return t < burst ? t : burst;
  }

  /** Takes one token at event time `now[0]` (tokensAt(a) ≥ 1 was checked). */
  take(a: number): void {
    const ts = this.now[0]!;
    const refill = this.refillNs[a]!;
    const elapsed = ts - this.tokenTs[a]!;
    const n = elapsed > 0 ? Math.floor(elapsed / refill) : 0;
    const t = this.tokens[a]! + n;
    if (t >= this.burst[a]!) {
      this.tokens[a] = this.burst[a]! - 1;
      this.tokenTs[a] = ts;
    } else {
      this.tokens[a] = t - 1;
      this.tokenTs[a] = this.tokenTs[a]! + n * refill;
    }
  }

  /** A JSON-serialisable copy. Allocates. */
  snapshot(): AccountsSnapshot {
    const n = this.count;
    const k = this.symbolCount;
    const state: number[][] = [];
    const limits: number[][] = [];
    const positions: number[][] = [];
    for (let a = 0; a < n; a++) {
      state.push([
        this.id[a]!,
        this.cash[a]!,
        this.cashHeld[a]!,
        this.openOrders[a]!,
        this.suspended[a]!,
        this.lastOrderId[a]!,
        this.tokens[a]!,
        this.tokenTs[a]!,
      ]);
      limits.push(LIMIT_FIELDS.map((f) => this[f][a]!));
      const p: number[] = [];
      for (let s = 0; s < k; s++)
        p.push(this.position[a * k + s]!, this.buyOpen[a * k + s]!, this.sellOpen[a * k + s]!);
      positions.push(p);
    }
    return { state, limits, positions };
  }

  /** Replaces everything with a snapshot (open quantities and holds are rebuilt by the caller's orders). */
  restore(s: AccountsSnapshot): void {
    this.#byId.clear();
    for (const key of [
      'id',
      'cash',
      'cashHeld',
      'openOrders',
      'suspended',
      'lastOrderId',
      'tokens',
      'tokenTs',
      'stpKey',
      'position',
      'buyOpen',
      'sellOpen',
      ...LIMIT_FIELDS,
    ] as const)
      this[key] = [];
    s.state.forEach((row, a) => {
      const l = Object.fromEntries(LIMIT_FIELDS.map((f, j) => [f, s.limits[a]![j]!])) as unknown as AccountLimits;
      this.add(row[0]!, row[1]!, l);
      this.cashHeld[a] = row[2]!;
      this.openOrders[a] = row[3]!;
      this.suspended[a] = row[4]!;
      this.lastOrderId[a] = row[5]!;
      this.tokens[a] = row[6]!;
      this.tokenTs[a] = row[7]!;
      const p = s.positions[a]!;
      for (let j = 0; j < this.symbolCount; j++) {
        this.position[a * this.symbolCount + j] = p[3 * j]!;
        this.buyOpen[a * this.symbolCount + j] = p[3 * j + 1]!;
        this.sellOpen[a * this.symbolCount + j] = p[3 * j + 2]!;
      }
    });
  }
}
