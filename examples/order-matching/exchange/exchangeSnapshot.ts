/**
 * The exchange's snapshot: a canonical, JSON-serialisable copy of its whole state (accounts in
 * index order, books in symbol order, each side best level first and FIFO within a level), and
 * its restore. Equal states give equal JSON, so the state hash is the sha256 of this text.
 * Not a hot path: allocates.
 */
import type { Accounts, AccountsSnapshot } from './Accounts.js';
import { NIL, type Books } from './Books.js';
import type { ReportDigest } from './ReportDigest.js';
import type { BookSide } from '../BookSide.js';

/** A resting order: [accountId, orderId, price, open qty, original qty, filled qty, flags]. */
export type ExchangeOrder = [number, number, number, number, number, number, number];

export interface ExchangeSnapshot {
  commands: number;
  tradeId: number;
  /** Reference price per symbol (symbol order). */
  ref: number[];
  /** The report digest's state: [laneA, laneB, count]. */
  reports: number[];
  accounts: AccountsSnapshot;
  /** Per symbol: bids and asks in priority order. */
  books: { bids: ExchangeOrder[]; asks: ExchangeOrder[] }[];
}

function orders(side: BookSide, accounts: Accounts, books: Books): ExchangeOrder[] {
  const pool = books.pool;
  const out: ExchangeOrder[] = [];
  for (let r = 0; r < side.levelCount; r++) {
    const l = side.levelAt(r);
    for (let n = side.levelHead(l); n !== NIL; n = pool.next[n]!)
      out.push([
        accounts.id[pool.account[n]!]!,
        pool.orderId[n]!,
        books.price[n]!,
        pool.qty[n]!,
        books.orig[n]!,
        books.filled[n]!,
        books.flags[n]!,
      ]);
  }
  return out;
}

export function exchangeSnapshot(
  commands: number,
  tradeId: number,
  ref: readonly number[],
  accounts: Accounts,
  books: Books,
  digest: ReportDigest,
): ExchangeSnapshot {
  return {
    commands,
    tradeId,
    ref: [...ref],
    reports: digest.state(),
    accounts: accounts.snapshot(),
    books: books.bids.map((bids, s) => ({
      bids: orders(bids, accounts, books),
      asks: orders(books.asks[s]!, accounts, books),
    })),
  };
}

/** Restores accounts, books, digest and reference prices; returns the counters for the engine. */
export function restoreExchange(
  state: ExchangeSnapshot,
  accounts: Accounts,
  books: Books,
  digest: ReportDigest,
  ref: number[],
): { commands: number; tradeId: number } {
  accounts.restore(state.accounts);
  books.clear();
  state.books.forEach((book, s) => {
    for (const [buy, list] of [
      [true, book.bids],
      [false, book.asks],
    ] as const)
      for (const [accountId, orderId, price, open, orig, filled, flags] of list)
        books.rest(accounts.indexOf(accountId), orderId, s, buy, price, open, orig, filled, flags);
  });
  digest.setState(state.reports);
  state.ref.forEach((p, s) => (ref[s] = p));
  return { commands: state.commands, tradeId: state.tradeId };
}
