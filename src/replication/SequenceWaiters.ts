/**
 * Promises that resolve once a sequence is reached: what the relay (replicated), the mirror and the
 * read model (applied) hand to `waitFor…(sequence)` callers. One failure rejects every waiter and
 * every later wait. Not on a hot path (one entry per caller, released as the sequence moves).
 */
interface Waiter {
  readonly sequence: number;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

export class SequenceWaiters {
  #waiters: Waiter[] = [];
  #error: Error | null = null;

  /** Resolves once release() reaches `sequence` (at once if `reached` already is). */
  wait(sequence: number, reached: number): Promise<void> {
    if (sequence <= reached) return Promise.resolve();
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => this.#waiters.push({ sequence, resolve, reject }));
  }

  /** Resolves every waiter at or below `sequence`. */
  release(sequence: number): void {
    if (this.#waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.#waiters)
      if (w.sequence <= sequence) w.resolve();
      else still.push(w);
    this.#waiters = still;
  }

  /** Rejects every waiter, and every later wait, with `error`. */
  fail(error: Error): void {
    this.#error = error;
    for (const w of this.#waiters.splice(0)) w.reject(error);
  }
}

/**
 * How far a stream consumer (the mirror, the standby's feed, the read model) has applied: the
 * sequence, waiters on it, and records applied per second since it was created. Not on a hot path.
 */
export class AppliedProgress {
  #sequence: number;
  #count = 0;
  readonly #startedAt = performance.now();
  readonly #waiters = new SequenceWaiters();

  constructor(applied: number) {
    this.#sequence = applied;
  }

  get sequence(): number {
    return this.#sequence;
  }

  /** `sequence` is applied: resolves the waiters up to it. */
  advance(sequence: number): void {
    this.#sequence = sequence;
    this.#waiters.release(sequence);
  }

  /** Counts `n` records applied (for rate()). */
  count(n = 1): void {
    this.#count += n;
  }

  /** Records counted since creation, per second. */
  rate(): number {
    const s = (performance.now() - this.#startedAt) / 1000;
    return s > 0 ? this.#count / s : 0;
  }

  wait(sequence: number): Promise<void> {
    return this.#waiters.wait(sequence, this.#sequence);
  }

  /** Rejects every waiter, and every later wait, with `error`. */
  fail(error: Error): void {
    this.#waiters.fail(error);
  }
}
