import { sleepMicros, yieldThread, type WaitChannel, type WaitCondition, type WaitStrategy } from './WaitStrategy.js';

/**
 * Spins, then yields, then naps `sleepMicros` at a time. Nobody ever has to wake it, so the
 * producer pays nothing on publish; latency is up to one nap. Good for background stages
 * (journal, metrics) on a machine with fewer cores than threads.
 */
export class SleepingWaitStrategy implements WaitStrategy {
  readonly options: {
    readonly type: 'sleeping';
    readonly spinTries: number;
    readonly yieldTries: number;
    readonly sleepMicros: number;
  };
  readonly #spin: number;
  readonly #yieldUntil: number;
  readonly #sleepMicros: number;
  constructor(spinTries = 200, yieldTries = 100, sleep = 100) {
    this.#spin = spinTries;
    this.#yieldUntil = spinTries + yieldTries;
    this.#sleepMicros = sleep;
    this.options = { type: 'sleeping', spinTries, yieldTries, sleepMicros: sleep };
  }
  idle(iteration: number, _channel: WaitChannel, _condition: WaitCondition, remainingMs: number): void {
    if (iteration < this.#spin) return;
    if (iteration < this.#yieldUntil) yieldThread();
    else sleepMicros(Math.min(this.#sleepMicros, remainingMs * 1000));
  }
}
