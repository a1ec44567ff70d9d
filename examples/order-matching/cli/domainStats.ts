/**
 * What the summary says about the exchange, read from the handlers' captured states: commands by
 * outcome (accepted, rejected by the exchange's REASON name), trades and traded quantity from the
 * ack stage's counters (handlers/ack.ts), and the top of each book from the exchange's snapshot
 * (exchange/exchangeSnapshot.ts). The one file that knows those state shapes, so a change of the
 * engine's snapshots changes only this file.
 */
import { REASON } from '../exchange/codes.js';
import type { ExchangeOrder, ExchangeSnapshot } from '../exchange/exchangeSnapshot.js';
import type { AckSnapshot } from '../handlers/ack.js';

export interface TopOfBook {
  readonly symbolId: number;
  /** Best bid price and the quantity resting at it (null: no bids). */
  readonly bid: { readonly price: number; readonly qty: number } | null;
  readonly ask: { readonly price: number; readonly qty: number } | null;
}

export interface DomainStats {
  /** Commands the exchange decided (orders, cancels, modifies, mass cancels, deposits). */
  readonly orders: number;
  readonly accepted: number;
  /** Rejected commands by reason (REASON.* name → count); reasons with 0 left out. */
  readonly rejected: Readonly<Record<string, number>>;
  /** Trades and traded quantity. */
  readonly trades: number;
  readonly volume: number;
  readonly topOfBook: readonly TopOfBook[];
}

const REASONS: Record<number, string> = Object.fromEntries(Object.entries(REASON).map(([name, code]) => [code, name]));

/** Best price of one side (orders in priority order, best level first) and the open quantity at it. */
function best(side: readonly ExchangeOrder[]): { price: number; qty: number } | null {
  if (side.length === 0) return null;
  const price = side[0]![2];
  let qty = 0;
  for (const o of side) {
    if (o[2] !== price) break;
    qty += o[3];
  }
  return { price, qty };
}

/** Reads the stats from captured `states` (by handler name: `exchange`, `ack`). */
export function domainStats(states: Readonly<Record<string, unknown>>, symbolIds: readonly number[]): DomainStats {
  const exchange = states.exchange as ExchangeSnapshot;
  const ack = states.ack as AckSnapshot;
  let orders = 0;
  const rejected: Record<string, number> = {};
  ack.byReason.forEach((n, code) => {
    orders += n;
    if (code !== REASON.NONE && n > 0) rejected[REASONS[code] ?? `CODE_${code}`] = n;
  });
  return {
    orders,
    accepted: ack.byReason[REASON.NONE] ?? 0,
    rejected,
    trades: ack.trades,
    volume: ack.volume,
    topOfBook: exchange.books.map((b, i) => ({ symbolId: symbolIds[i]!, bid: best(b.bids), ask: best(b.asks) })),
  };
}

/** accountId → symbolId → position (signed units), non-zero positions only. */
export type AccountPositions = Record<string, Record<string, number>>;

/** Every account's non-zero positions, from the exchange's captured state (exchange/Accounts.ts snapshot). */
export function accountPositions(
  states: Readonly<Record<string, unknown>>,
  symbolIds: readonly number[],
): AccountPositions {
  const accounts = (states.exchange as ExchangeSnapshot).accounts;
  const out: AccountPositions = {};
  accounts.state.forEach((row, a) => {
    const cells = accounts.positions[a]!; // [position, buyOpen, sellOpen] per symbol
    const held: Record<string, number> = {};
    symbolIds.forEach((symbolId, s) => {
      if (cells[s * 3] !== 0) held[symbolId] = cells[s * 3]!;
    });
    if (Object.keys(held).length > 0) out[row[0]!] = held;
  });
  return out;
}

/** `after − before` for the counters (this run's share when the run resumed a data directory). */
export function statsSince(after: DomainStats, before: DomainStats | null): DomainStats {
  if (before === null) return after;
  const rejected: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.rejected)) {
    const d = v - (before.rejected[k] ?? 0);
    if (d > 0) rejected[k] = d;
  }
  return {
    orders: after.orders - before.orders,
    accepted: after.accepted - before.accepted,
    rejected,
    trades: after.trades - before.trades,
    volume: after.volume - before.volume,
    topOfBook: after.topOfBook,
  };
}
