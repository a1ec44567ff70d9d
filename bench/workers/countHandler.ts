/**
 * Handler of the topology throughput scenarios: adds every event's value to a sum and counts
 * events (allocation-free); its snapshot { count, sum } lets the scenario check that every stage
 * saw every event exactly once.
 */
import { defineHandler } from '../../src/index.js';
import type { CountFlyweight } from './countEvent.js';

export interface CountSnapshot {
  readonly count: number;
  readonly sum: number;
}

export default defineHandler<CountFlyweight, unknown, CountSnapshot>(() => {
  let count = 0;
  let sum = 0;
  return {
    onEvent(e) {
      sum += e.value;
      count++;
    },
    snapshot() {
      return { count, sum };
    },
  };
});
