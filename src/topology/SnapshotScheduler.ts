/**
 * Takes snapshots every N events and/or every T ms. Runs on the main thread's event loop (a
 * timer checks the cursor every 50 ms); one snapshot at a time; a failed snapshot is reported
 * through `onError` and retried at the next trigger.
 */
export class SnapshotScheduler {
  readonly #everyEvents: number;
  readonly #everyMs: number;
  readonly #cursor: () => number;
  readonly #take: () => Promise<unknown>;
  readonly #onError: (error: unknown) => void;
  readonly #timer: NodeJS.Timeout;
  #lastSequence: number;
  #lastAt = performance.now();
  #running: Promise<unknown> | null = null;

  constructor(
    every: { events?: number; ms?: number },
    cursor: () => number,
    take: () => Promise<unknown>,
    onError: (error: unknown) => void = (e) =>
      process.emitWarning(`ringbus: snapshot failed: ${(e as Error).message}`, 'RingbusSnapshotWarning'),
  ) {
    this.#everyEvents = every.events ?? Infinity;
    this.#everyMs = every.ms ?? Infinity;
    this.#cursor = cursor;
    this.#take = take;
    this.#onError = onError;
    this.#lastSequence = cursor();
    this.#timer = setInterval(() => this.#check(), Math.min(50, this.#everyMs));
    this.#timer.unref();
  }

  #check(): void {
    if (this.#running) return;
    const cursor = this.#cursor();
    const due =
      cursor - this.#lastSequence >= this.#everyEvents ||
      (performance.now() - this.#lastAt >= this.#everyMs && cursor !== this.#lastSequence);
    if (!due) return;
    this.#lastSequence = cursor;
    this.#lastAt = performance.now();
    this.#running = this.#take()
      .catch(this.#onError)
      .finally(() => (this.#running = null));
  }

  /** Stops the timer and waits for a snapshot in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}
