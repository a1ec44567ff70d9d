import {
  blockOnce,
  DEFAULT_MAX_BLOCK_MS,
  type WaitChannel,
  type WaitCondition,
  type WaitStrategy,
} from './WaitStrategy.js';

/**
 * Parks the thread with Atomics.wait until a publish (or a stage's progress) notifies it. Uses no
 * CPU while waiting; each wake-up costs the notifier a syscall and the waiter ~40 µs on these
 * machines. For threads > cores, or mostly idle rings. A parked thread still re-checks every
 * `maxBlockMs` so a halt or deadline is never missed.
 */
export class BlockingWaitStrategy implements WaitStrategy {
  readonly options: { readonly type: 'blocking'; readonly maxBlockMs: number };
  readonly #maxBlockMs: number;
  constructor(maxBlockMs = DEFAULT_MAX_BLOCK_MS) {
    this.#maxBlockMs = maxBlockMs;
    this.options = { type: 'blocking', maxBlockMs };
  }
  idle(_iteration: number, channel: WaitChannel, condition: WaitCondition, remainingMs: number): void {
    blockOnce(channel, condition, Math.min(this.#maxBlockMs, remainingMs));
  }
}
