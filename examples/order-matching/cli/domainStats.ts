/**
 * What the summary says about the exchange, read from the handlers' captured states (risk,
 * matching): commands by risk outcome, trades, volume and the top of each book. The one file that
 * knows those state shapes, so a change of the engine's snapshots changes only this file.
 */
import { RISK } from '../events.js';
import type { MatchingSnapshot } from '../MatchingEngine.js';
import type { RiskSnapshot } from '../RiskEngine.js';

export interface TopOfBook {
  readonly symbolId: number;
  /** Best bid price and the quantity resting at it (null: no bids). */
  readonly bid: { readonly price: number; readonly qty: number } | null;
  readonly ask: { readonly price: number; readonly qty: number } | null;
}

export interface DomainStats {
  /** Commands risk decided (orders and cancels). */
  readonly orders: number;
  readonly accepted: number;
  /** Rejected commands by reason (RISK code name → count); reasons with 0 left out. */
  readonly rejected: Readonly<Record<string, number>>;
  /** Trades (maker fills) and traded quantity. */
  readonly trades: number;
  readonly volume: number;
  readonly topOfBook: readonly TopOfBook[];
}

const REASONS: Record<number, string> = Object.fromEntries(Object.entries(RISK).map(([name, code]) => [code, name]));

function best(side: readonly [number, number, number, number][]): { price: number; qty: number } | null {
  if (side.length === 0) return null;
  const price = side[0]![2];
  let qty = 0;
  for (const o of side) {
    if (o[2] !== price) break;
    qty += o[3];
  }
  return { price, qty };
}

/** Reads the stats from captured `states` (by handler name). */
export function domainStats(states: Readonly<Record<string, unknown>>): DomainStats {
  const risk = states.risk as RiskSnapshot;
  const matching = states.matching as MatchingSnapshot;
  let orders = 0;
  const rejected: Record<string, number> = {};
  risk.results.forEach((n, code) => {
    orders += n;
    if (code !== RISK.ACCEPTED && code !== RISK.PENDING && n > 0) rejected[REASONS[code] ?? `CODE_${code}`] = n;
  });
  let trades = 0;
  let volume = 0;
  for (const b of matching.books) {
    volume += b.stats[1];
    trades += b.stats[2];
  }
  return {
    orders,
    accepted: risk.results[RISK.ACCEPTED] ?? 0,
    rejected,
    trades,
    volume,
    topOfBook: matching.books.map((b) => ({ symbolId: b.symbolId, bid: best(b.bids), ask: best(b.asks) })),
  };
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
