/**
 * Last stage (after the journal and the engine: `exchange`, or `matching` in the first pipeline):
 * acknowledgements. Minimal on purpose: it records the highest sequence it has acknowledged, counts
 * accepted / rejected (riskResult) and outcomes by `status` (STATUS.*); with the option
 * `{ exchangeCounts: true }` (only behind the `exchange` handler, which owns those result fields)
 * also commands by the exchange's `reason` (REASON.*, 0 accepted), trades (`tradeCount`) and
 * traded quantity (`filledQty`, the taker's side of each trade). Exposes them in snapshot(). main.ts may
 * extend it (e.g. publish acks onto an outbound ring — skipped while `ctx.isReplay(sequence)`).
 * onEvent allocates nothing.
 */
import { defineHandler } from '../../../src/processing/Handler.js';
import { RISK, STATUS, STATUS_COUNT, type OrderCommandFlyweight } from '../events.js';
import { REASON_COUNT } from '../exchange/codes.js';
import { hashState } from '../stateHash.js';

export interface AckSnapshot {
  /** Highest sequence acknowledged (-1: none yet). */
  lastSequence: number;
  /** Commands risk accepted. */
  accepted: number;
  /** Commands risk rejected. */
  rejected: number;
  /** Orders filled in full (status FILLED). */
  filled: number;
  /** Commands per status code (index = STATUS.*; one extra last cell for codes out of range). */
  byStatus: number[];
  /** Commands per exchange reason (index = REASON.*, 0 accepted; a last cell for codes out of range); 0s without exchangeCounts. */
  byReason: number[];
  /** Trades and traded quantity the exchange reported in the slot (tradeCount, filledQty). */
  trades: number;
  volume: number;
}

export interface AckOptions {
  /** Count by the exchange's result fields (reason, tradeCount, filledQty); default false. */
  readonly exchangeCounts?: boolean;
}

// options typed unknown: the first pipeline hands every stage its domain options
export default defineHandler<OrderCommandFlyweight, unknown, AckSnapshot>((ctx) => {
  const exchangeCounts = (ctx.options as AckOptions | undefined)?.exchangeCounts === true;
  let lastSequence = -1;
  let accepted = 0;
  let rejected = 0;
  const byStatus = new Float64Array(STATUS_COUNT + 1);
  const byReason = new Float64Array(REASON_COUNT + 1);
  const totals = new Float64Array(2); // trades, volume (typed: no boxed doubles per event)
  const snapshot = (): AckSnapshot => ({
    lastSequence,
    accepted,
    rejected,
    filled: byStatus[STATUS.FILLED]!,
    byStatus: Array.from(byStatus),
    byReason: Array.from(byReason),
    trades: totals[0]!,
    volume: totals[1]!,
  });
  return {
    onEvent(event, sequence) {
      lastSequence = sequence;
      if (event.riskResult === RISK.ACCEPTED) accepted++;
      else rejected++;
      const s = event.status;
      byStatus[s < STATUS_COUNT ? s : STATUS_COUNT]++;
      if (!exchangeCounts) return;
      const r = event.reason;
      byReason[r < REASON_COUNT ? r : REASON_COUNT]++;
      totals[0] += event.tradeCount;
      totals[1] += event.filledQty;
    },
    snapshot,
    restore(state) {
      lastSequence = state.lastSequence;
      accepted = state.accepted;
      rejected = state.rejected;
      byStatus.set(state.byStatus);
      byReason.set(state.byReason);
      totals[0] = state.trades;
      totals[1] = state.volume;
    },
    stateHash: () => hashState(snapshot()),
  };
});
