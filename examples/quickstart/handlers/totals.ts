import { defineHandler } from 'ringbus';

// Stage 2: reads what stage 1 wrote; keeps a running total (its state can be snapshotted).
export default defineHandler(() => {
  let total = 0;
  let count = 0;
  return {
    onEvent(event) {
      total += event.notional as number;
      count++;
    },
    snapshot: () => ({ total, count }),
    restore: (s: { total: number; count: number }) => ({ total, count } = s),
  };
});
