/**
 * The matching stage's domain object: one OrderBook per configured symbol. It reads a command and
 * the risk stage's verdict and writes the outcome (status, fills, quantities) back into the same
 * event: every result field it owns is written on every command (fill entries it does not use are
 * zeroed), as the result-field rule in events.ts requires.
 *
 * Hot path: processSlot() allocates nothing (see OrderBook for the amortised growth).
 */
import { RingbusError, show } from '../../src/index.js';
import { COMMAND, RISK, STATUS, writeFills, type OrderCommandInput, type OrderCommandResult } from './events.js';
import { validateOptions, type OrderMatchingOptions } from './config.js';
import { MatchResult } from './MatchResult.js';
import { OrderBook, type OrderBookSnapshot } from './OrderBook.js';
import { hashState } from './stateHash.js';

/** An OrderCommand flyweight, or any object with the same fields (tests use plain objects too). */
export type OrderCommandSlot = OrderCommandInput & OrderCommandResult & Record<string, unknown>;

export interface MatchingSnapshot {
  commands: number;
  /** One per symbol, in symbolId order. */
  books: OrderBookSnapshot[];
}

export class MatchingEngine {
  readonly #books = new Map<number, OrderBook>();
  /** Books in symbolId order (the canonical order of snapshots). */
  readonly #ordered: OrderBook[];
  readonly #result = new MatchResult();
  #commands = 0;

  /** `capacity`: resting orders per book before its pool first grows. */
  constructor(options: OrderMatchingOptions, capacity = 4096) {
    const { symbols } = validateOptions(options);
    this.#ordered = symbols.map((s) => new OrderBook(s.symbolId, capacity));
    for (const b of this.#ordered) this.#books.set(b.symbolId, b);
  }

  /** The book of `symbolId`, or undefined. */
  book(symbolId: number): OrderBook | undefined {
    return this.#books.get(symbolId);
  }

  /** Commands processed. */
  get commands(): number {
    return this.#commands;
  }

  /**
   * Applies one command given as scalars and the risk verdict; writes the outcome into `result`.
   * Not accepted by risk (or no such book) → REJECTED with nothing matched.
   */
  apply(
    command: number,
    orderId: number,
    accountId: number,
    symbolId: number,
    side: number,
    price: number,
    qty: number,
    riskResult: number,
    result: MatchResult,
  ): void {
    this.#commands++;
    const book = this.#books.get(symbolId);
    if (riskResult !== RISK.ACCEPTED || book === undefined) {
      result.reset();
      result.status = STATUS.REJECTED;
    } else if (command === COMMAND.CANCEL) {
      book.cancel(orderId, accountId, result);
    } else {
      book.place(orderId, accountId, side, price, qty, command === COMMAND.NEW_MARKET, result);
    }
  }

  /** Reads the command and riskResult from `event`, matches, and writes every matching result field. Allocation-free. */
  processSlot(event: OrderCommandSlot): void {
    const r = this.#result;
    this.apply(
      event.command,
      event.orderId,
      event.accountId,
      event.symbolId,
      event.side,
      event.price,
      event.qty,
      event.riskResult,
      r,
    );
    event.status = r.status;
    event.filledQty = r.filledQty;
    event.fillNotional = r.fillNotional;
    event.cancelledQty = r.cancelledQty;
    event.fillCount = r.fillCount;
    writeFills(event, r.fillCount, r.makerAccount, r.makerOrder, r.fillQty, r.fillPrice);
  }

  /** A JSON-serialisable deep copy (books in symbolId order). Allocates. */
  snapshot(): MatchingSnapshot {
    return { commands: this.#commands, books: this.#ordered.map((b) => b.snapshot()) };
  }

  /** Replaces the state with a snapshot taken under the same symbols. */
  restore(state: MatchingSnapshot): void {
    if (
      typeof state !== 'object' ||
      state === null ||
      !Array.isArray(state.books) ||
      state.books.length !== this.#ordered.length
    ) {
      throw new RingbusError(
        'RINGBUS_ERR_SNAPSHOT_CORRUPT',
        `matching snapshot must be { commands, books[${this.#ordered.length}] }, got ${show(state)}`,
      );
    }
    state.books.forEach((b, i) => this.#ordered[i]!.restore(b));
    this.#commands = state.commands;
  }

  /** sha256 hex of the canonical snapshot. Allocates. */
  stateHash(): string {
    return hashState(this.snapshot());
  }
}
