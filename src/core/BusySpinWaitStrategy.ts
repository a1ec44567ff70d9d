import type { WaitChannel, WaitCondition, WaitStrategy } from './WaitStrategy.js';

/**
 * Re-checks as fast as it can. Lowest latency; burns a whole core even when idle. Use only when
 * the spinning threads are no more than the cores (pin them), never on a shared 2-core box with
 * more than two spinners.
 */
export class BusySpinWaitStrategy implements WaitStrategy {
  readonly options = { type: 'busy-spin' } as const;
  idle(_iteration: number, _channel: WaitChannel, _condition: WaitCondition, _remainingMs: number): void {
    // Nothing: the caller's loop is the spin.
  }
}
