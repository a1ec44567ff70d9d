import {
  blockOnce,
  DEFAULT_MAX_BLOCK_MS,
  yieldThread,
  type WaitChannel,
  type WaitCondition,
  type WaitStrategy,
} from './WaitStrategy.js';

/**
 * The default. Spins `spinTries` checks (≈ a few µs), yields `yieldTries` times, then blocks
 * like BlockingWaitStrategy. Under steady load the data arrives during the spin and nobody
 * blocks (so the producer never pays for a notify); when idle it parks and burns nothing. Not
 * for more spinning threads than cores: each spin then holds a core the awaited thread needs
 * (see topology/waitChoice.ts, which picks 'blocking' there).
 */
export class PhasedBackoffWaitStrategy implements WaitStrategy {
  readonly options: {
    readonly type: 'phased';
    readonly spinTries: number;
    readonly yieldTries: number;
    readonly maxBlockMs: number;
  };
  readonly #spin: number;
  readonly #yieldUntil: number;
  readonly #maxBlockMs: number;
  constructor(spinTries = 10_000, yieldTries = 20, maxBlockMs = DEFAULT_MAX_BLOCK_MS) {
    this.#spin = spinTries;
    this.#yieldUntil = spinTries + yieldTries;
    this.#maxBlockMs = maxBlockMs;
    this.options = { type: 'phased', spinTries, yieldTries, maxBlockMs };
  }
  idle(iteration: number, channel: WaitChannel, condition: WaitCondition, remainingMs: number): void {
    if (iteration < this.#spin) return;
    if (iteration < this.#yieldUntil) yieldThread();
    else blockOnce(channel, condition, Math.min(this.#maxBlockMs, remainingMs));
  }
}
