/**
 * The stateful handler of the `journal` benchmark's recovery runs: folds every BenchOrder into a
 * PositionState; snapshot/restore make it recoverable from a snapshot + the journal tail.
 * onEvent allocates nothing.
 */
import { defineHandler } from '../../src/index.js';
import { PositionState, type BenchOrderFlyweight, type PositionSnapshot } from './journalEvent.js';

export default defineHandler<BenchOrderFlyweight, unknown, PositionSnapshot>(() => {
  const state = new PositionState();
  return {
    onEvent(event) {
      state.apply(event);
    },
    snapshot: () => state.snapshot(),
    restore: (s) => state.restore(s),
  };
});
