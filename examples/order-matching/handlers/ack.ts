/**
 * Last stage (after matching; may run beside portfolio): acknowledgements. Minimal on purpose:
 * it records the highest sequence it has acknowledged, counts accepted / rejected (riskResult) and
 * outcomes by `status` (STATUS.*), and exposes them in snapshot(). No options needed. main.ts may
 * extend it (e.g. publish acks onto an outbound ring — skipped while `ctx.isReplay(sequence)`).
 * onEvent allocates nothing.
 */
import { defineHandler } from '../../../src/processing/Handler.js';
import { RISK, STATUS, STATUS_COUNT, type OrderCommandFlyweight } from '../events.js';
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
}

export default defineHandler<OrderCommandFlyweight, unknown, AckSnapshot>(() => {
  let lastSequence = -1;
  let accepted = 0;
  let rejected = 0;
  const byStatus = new Float64Array(STATUS_COUNT + 1);
  const snapshot = (): AckSnapshot => ({
    lastSequence,
    accepted,
    rejected,
    filled: byStatus[STATUS.FILLED]!,
    byStatus: Array.from(byStatus),
  });
  return {
    onEvent(event, sequence) {
      lastSequence = sequence;
      if (event.riskResult === RISK.ACCEPTED) accepted++;
      else rejected++;
      const s = event.status;
      byStatus[s < STATUS_COUNT ? s : STATUS_COUNT]++;
    },
    snapshot,
    restore(state) {
      lastSequence = state.lastSequence;
      accepted = state.accepted;
      rejected = state.rejected;
      byStatus.set(state.byStatus);
    },
    stateHash: () => hashState(snapshot()),
  };
});
