import { yieldThread, type WaitChannel, type WaitCondition, type WaitStrategy } from './WaitStrategy.js';

/**
 * Spins `spinTries` times, then yields the CPU on every further check (sched_yield through the
 * native addon; a 50 µs nap without it). Threads ≤ cores; gives the core to a neighbour that
 * needs it while staying close to busy-spin latency.
 */
export class YieldingWaitStrategy implements WaitStrategy {
  readonly options: { readonly type: 'yielding'; readonly spinTries: number };
  readonly #spinTries: number;
  constructor(spinTries = 100) {
    this.#spinTries = spinTries;
    this.options = { type: 'yielding', spinTries };
  }
  idle(iteration: number, _channel: WaitChannel, _condition: WaitCondition, _remainingMs: number): void {
    if (iteration >= this.#spinTries) yieldThread();
  }
}
