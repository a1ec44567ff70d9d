import { RingbusRangeError, RingbusTypeError, show } from '../errors.js';
import { BlockingWaitStrategy } from './BlockingWaitStrategy.js';
import { BusySpinWaitStrategy } from './BusySpinWaitStrategy.js';
import { PhasedBackoffWaitStrategy } from './PhasedBackoffWaitStrategy.js';
import { SleepingWaitStrategy } from './SleepingWaitStrategy.js';
import type { WaitStrategy, WaitStrategyOptions } from './WaitStrategy.js';
import { YieldingWaitStrategy } from './YieldingWaitStrategy.js';

function count(name: string, value: unknown, fallback: number, allowFraction = false): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !(allowFraction ? Number.isFinite(value) : Number.isSafeInteger(value)) ||
    value < 0
  ) {
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `waitStrategy.${name} must be a non-negative ${allowFraction ? 'number' : 'integer'}, got ${show(value)}`,
    );
  }
  return value;
}

/**
 * Builds a wait strategy from its options (or a type name). The same options rebuild the same
 * strategy in another thread.
 */
export function createWaitStrategy(
  options: WaitStrategyOptions | WaitStrategyOptions['type'] | WaitStrategy = { type: 'phased' },
): WaitStrategy {
  if (typeof options === 'object' && options !== null && typeof (options as WaitStrategy).idle === 'function')
    return options as WaitStrategy;
  const o = (typeof options === 'string' ? { type: options } : options) as Record<string, unknown>;
  if (typeof o !== 'object' || o === null) {
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `waitStrategy must be an object or a type name, got ${show(options)}`,
    );
  }
  switch (o.type) {
    case 'busy-spin':
      return new BusySpinWaitStrategy();
    case 'yielding':
      return new YieldingWaitStrategy(count('spinTries', o.spinTries, 100));
    case 'sleeping':
      return new SleepingWaitStrategy(
        count('spinTries', o.spinTries, 200),
        count('yieldTries', o.yieldTries, 100),
        count('sleepMicros', o.sleepMicros, 100, true),
      );
    case 'blocking':
      return new BlockingWaitStrategy(count('maxBlockMs', o.maxBlockMs, 50, true));
    case 'phased':
      return new PhasedBackoffWaitStrategy(
        count('spinTries', o.spinTries, 10_000),
        count('yieldTries', o.yieldTries, 20),
        count('maxBlockMs', o.maxBlockMs, 50, true),
      );
    default:
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `waitStrategy.type must be one of 'busy-spin', 'yielding', 'sleeping', 'blocking', 'phased', got ${show(o.type)}`,
      );
  }
}
