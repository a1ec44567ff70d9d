/**
 * The exchange engine: for ONE command, in order, risk (checks against live cash, positions and
 * holds), matching and settlement, then execution reports. Running all three steps per command
 * on one thread is what makes decisions independent of batch boundaries: command k+1 always sees
 * the settlement of command k, in a live run, a replay from a snapshot and a replay from scratch.
 *
 * This file is the top layer (see ExchangeState for all of them): process() dispatches each
 * command to its layer; account admin (ADD_ACCOUNT, DEPOSIT, WITHDRAW, SUSPEND, RESUME), DEPTH and
 * snapshot / restore / stateHash live here. A rejected command changes no state (not the
 * throttle, not the order ids); its only trace is the REJECTED report (and the report digest).
 *
 * Hot path: process() allocates nothing (amortised growth of the books aside).
 */
import { RingbusError, show } from '../../../src/index.js';
import { CMD, REASON, REPORT, SIDE } from './codes.js';
import { validateExchangeOptions, type ExchangeOptions } from './config.js';
import { isId, type ExchangeCommand } from './ExchangeCommand.js';
import { OrderAmendments } from './OrderAmendments.js';
import { exchangeSnapshot, restoreExchange, type ExchangeSnapshot } from './exchangeSnapshot.js';
import { hashState } from '../stateHash.js';

export type { ExchangeCommand } from './ExchangeCommand.js';

const MAX = Number.MAX_SAFE_INTEGER;

export class Exchange extends OrderAmendments {
  readonly options: ExchangeOptions;

  constructor(options: unknown) {
    const o = validateExchangeOptions(options);
    super(o);
    this.options = o;
  }

  /** Commands processed. */
  get commands(): number {
    return this.commandIndex;
  }

  /** Processes one command (event time: `c.time`, or `clock[0]` when it is 0). Allocation-free. */
  process(c: ExchangeCommand): void {
    this.outReason = 0;
    this.outFilled = 0;
    this.outLeaves = 0;
    this.outTrades = 0;
    this.outComplete = false;
    const command = c.command;
    if (command === CMD.NEW_LIMIT || command === CMD.NEW_MARKET) this.newOrder(c, command === CMD.NEW_MARKET);
    else if (command === CMD.CANCEL) this.cancel(c);
    else if (command === CMD.MODIFY) this.modify(c);
    else if (command === CMD.MASS_CANCEL) this.massCancel(c);
    else if (command >= CMD.ADD_ACCOUNT && command <= CMD.RESUME) this.#admin(c, command);
    else if (command === CMD.DEPTH) this.#depth(c);
    else this.reject(c, REASON.UNKNOWN_COMMAND);
    this.commandIndex++;
  }

  #admin(c: ExchangeCommand, command: number): void {
    const acc = this.accounts;
    const amount = c.price;
    let a = acc.indexOf(c.accountId);
    if (command === CMD.ADD_ACCOUNT) {
      if (a >= 0) return this.reject(c, REASON.ACCOUNT_EXISTS);
      if (!isId(c.accountId) || c.accountId > 0xffffffff) return this.reject(c, REASON.UNKNOWN_ACCOUNT);
      if (!Number.isSafeInteger(amount) || amount < 0) return this.reject(c, REASON.INVALID_AMOUNT);
      a = acc.add(c.accountId, amount, this.options.accountDefaults);
    } else if (a < 0) return this.reject(c, REASON.UNKNOWN_ACCOUNT);
    else if (command === CMD.DEPOSIT) {
      if (!isId(amount) || acc.cash[a]! + amount > MAX) return this.reject(c, REASON.INVALID_AMOUNT);
      acc.cash[a] += amount;
    } else if (command === CMD.WITHDRAW) {
      if (!isId(amount)) return this.reject(c, REASON.INVALID_AMOUNT);
      if (amount > acc.cash[a]! - acc.cashHeld[a]!) return this.reject(c, REASON.INSUFFICIENT_CASH);
      acc.cash[a] -= amount;
    } else acc.suspended[a] = command === CMD.SUSPEND ? 1 : 0;
    const r = this.report;
    r.clear(REPORT.ACCEPTED, this.commandIndex);
    r.accountId = c.accountId;
    r.price = command === CMD.ADD_ACCOUNT || command === CMD.DEPOSIT || command === CMD.WITHDRAW ? amount : 0;
    this.emit(r);
  }

  #depth(c: ExchangeCommand): void {
    const s = this.symbolIndex.get(c.symbolId);
    if (s < 0) return this.reject(c, REASON.UNKNOWN_SYMBOL);
    const max = c.qty;
    if (!Number.isSafeInteger(max) || max < 0) return this.reject(c, REASON.INVALID_QTY);
    const levels = this.#depthSide(s, true, max) + this.#depthSide(s, false, max);
    const r = this.report;
    r.clear(REPORT.DONE, this.commandIndex);
    r.symbolId = c.symbolId;
    r.qty = levels;
    this.emit(r);
  }

  #depthSide(s: number, buy: boolean, max: number): number {
    const side = this.books.side(s, buy);
    const n = max === 0 || max > side.levelCount ? side.levelCount : max;
    const r = this.report;
    for (let rank = 0; rank < n; rank++) {
      const l = side.levelAt(rank);
      r.clear(REPORT.DEPTH_LEVEL, this.commandIndex);
      r.symbolId = this.symbols[s]!.symbolId;
      r.side = buy ? SIDE.BUY : SIDE.SELL;
      r.price = side.levelPrice(l);
      r.qty = side.levelQty(l);
      r.orders = side.levelOrders(l);
      this.emit(r);
    }
    return n;
  }

  /** A JSON-serialisable copy of the whole state. Allocates. */
  snapshot(): ExchangeSnapshot {
    return exchangeSnapshot(this.commandIndex, this.tradeId, this.ref, this.accounts, this.books, this.digest);
  }

  /** Replaces the state with a snapshot taken under the same options. */
  restore(state: ExchangeSnapshot): void {
    if (
      typeof state !== 'object' ||
      state === null ||
      !Array.isArray(state.books) ||
      state.books.length !== this.symbols.length
    )
      throw new RingbusError(
        'RINGBUS_ERR_SNAPSHOT_CORRUPT',
        `exchange snapshot must have ${this.symbols.length} books, got ${show(state)}`,
      );
    const restored = restoreExchange(state, this.accounts, this.books, this.digest, this.ref);
    this.commandIndex = restored.commands;
    this.tradeId = restored.tradeId;
    this.syncTops();
  }

  /** sha256 hex of the canonical snapshot. Allocates. */
  stateHash(): string {
    return hashState(this.snapshot());
  }
}
