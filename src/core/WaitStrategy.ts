/**
 * Wait strategies decide what a thread does while the sequence it needs is not yet there: a
 * consumer waiting for data, or a producer waiting for space. The loop that re-checks the
 * condition lives in the barrier / sequencer; a strategy only implements one idle step.
 *
 * Strategies are described by plain, structured-cloneable objects (`WaitStrategyOptions`) so that
 * a worker thread can rebuild the same strategy over the same ring.
 *
 * Choosing one (threads = threads that wait on the ring at once, cores = CPUs they may use):
 *   - 'busy-spin'    threads ≤ cores, each pinned, lowest latency, burns its core even when idle.
 *   - 'yielding'     spin, then yield the CPU; threads ≤ cores, a little kinder to neighbours.
 *   - 'sleeping'     spin, yield, then sleep in short naps; the producer pays nothing to wake it.
 *   - 'blocking'     Atomics.wait until notified; threads > cores or mostly idle, ~40 µs wake-up.
 *   - 'phased'       (the ring's default) spin for a while, yield a little, then block: latency
 *                    close to spinning under load, no burned cores when idle. Only while the
 *                    threads that may spin ≤ cores: with more, spinners hold the cores the
 *                    awaited thread needs and each wait lasts a scheduler slice (measured 14×
 *                    slower than 'blocking', 4 producers + 1 consumer on 2 cores). RingBus picks
 *                    per thread from its placement (topology/waitChoice.ts).
 */

/** Where a blocked waiter parks: a waiter count and a futex word, both int32 words of `ctl`. */
export interface WaitChannel {
  readonly ctl: Int32Array;
  readonly waitersIndex: number;
  readonly signalIndex: number;
}

/** What a waiter waits for. `isSatisfied()` must not allocate. */
export interface WaitCondition {
  isSatisfied(): boolean;
}

/** Options that describe a wait strategy; every field but `type` has a default. */
export type WaitStrategyOptions =
  | { type: 'busy-spin' }
  | { type: 'yielding'; spinTries?: number }
  | { type: 'sleeping'; spinTries?: number; yieldTries?: number; sleepMicros?: number }
  | { type: 'blocking'; maxBlockMs?: number }
  | { type: 'phased'; spinTries?: number; yieldTries?: number; maxBlockMs?: number };

export type WaitStrategyType = WaitStrategyOptions['type'];

/** One idle step. `iteration` counts the failed checks of this wait, from 0. */
export interface WaitStrategy {
  readonly options: Readonly<WaitStrategyOptions>;
  /**
   * Idles once. May return early for any reason (spurious wake-ups are fine: the caller
   * re-checks). `remainingMs` bounds how long a blocking step may park (Infinity: no deadline).
   */
  idle(iteration: number, channel: WaitChannel, condition: WaitCondition, remainingMs: number): void;
}

/** Default pause for a blocked waiter before it re-checks halt flags, in ms. */
export const DEFAULT_MAX_BLOCK_MS = 50;

let yieldImpl: () => void = defaultYield;
const napCell = new Int32Array(new SharedArrayBuffer(4));

function defaultYield(): void {
  // No sched_yield without the native addon: a 50 µs nap gives the core away the same way.
  Atomics.wait(napCell, 0, 0, 0.05);
}

/** Installs the thread-yield primitive (the native addon's sched_yield when it is loaded). */
export function setYieldFunction(fn: (() => void) | null): void {
  yieldImpl = fn ?? defaultYield;
}

/** Yields the CPU once (native sched_yield when installed, otherwise a 50 µs nap). */
export function yieldThread(): void {
  yieldImpl();
}

/** Sleeps for `micros` microseconds without anyone having to wake us. */
export function sleepMicros(micros: number): void {
  Atomics.wait(napCell, 0, 0, micros / 1000);
}

/**
 * The blocking step shared by 'blocking' and 'phased': register as a waiter, re-check, park on the
 * futex word, unregister. The register-then-recheck order (both sequentially consistent Atomics)
 * pairs with the signaller's publish-then-read-waiters order, so a wake-up cannot be lost.
 */
export function blockOnce(channel: WaitChannel, condition: WaitCondition, maxMs: number): void {
  const { ctl, waitersIndex, signalIndex } = channel;
  const signal = Atomics.load(ctl, signalIndex);
  Atomics.add(ctl, waitersIndex, 1);
  try {
    if (!condition.isSatisfied()) Atomics.wait(ctl, signalIndex, signal, maxMs);
  } finally {
    Atomics.sub(ctl, waitersIndex, 1);
  }
}

/**
 * Wakes every waiter parked on `channel`, but only if one has said it waits: a publish costs
 * one Atomics.load when nobody blocks.
 */
export function signalWaiters(ctl: Int32Array, waitersIndex: number, signalIndex: number): void {
  if (Atomics.load(ctl, waitersIndex) !== 0) {
    Atomics.add(ctl, signalIndex, 1);
    Atomics.notify(ctl, signalIndex);
  }
}
