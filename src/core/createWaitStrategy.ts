import { RingbusRangeError, RingbusTypeError, show } from '../errors.js';
import { BlockingWaitStrategy } from './BlockingWaitStrategy.js';
import { BusySpinWaitStrategy } from './BusySpinWaitStrategy.js';
import { PhasedBackoffWaitStrategy } from './PhasedBackoffWaitStrategy.js';
import { SleepingWaitStrategy } from './SleepingWaitStrategy.js';
import {
  DEFAULT_MAX_BLOCK_MS,
  type WaitStrategy,
  type WaitStrategyOptions,
  type WaitStrategyType,
} from './WaitStrategy.js';
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

/** Tunables of one strategy: name → default (and whether fractions are allowed). */
type Tunables = Readonly<Record<string, { readonly default: number; readonly fraction?: boolean }>>;

/** One wait strategy: how to build it, its tunables with their defaults, whether it spins. */
export interface WaitStrategyEntry {
  /** Occupies a core while waiting (the placement report warns when spinners outnumber cores). */
  readonly spins: boolean;
  readonly tunables: Tunables;
  create(t: Readonly<Record<string, number>>): WaitStrategy;
}

/**
 * The registry: the one place a wait strategy is added. Add its options to the
 * `WaitStrategyOptions` union (WaitStrategy.ts: the compiler then requires an entry here), its
 * class, and an entry below; validation, defaults, worker hand-over and the placement report's
 * spinning check all read this table.
 */
export const WAIT_STRATEGIES: Readonly<Record<WaitStrategyType, WaitStrategyEntry>> = {
  'busy-spin': { spins: true, tunables: {}, create: () => new BusySpinWaitStrategy() },
  yielding: {
    spins: true,
    tunables: { spinTries: { default: 100 } },
    create: (t) => new YieldingWaitStrategy(t.spinTries),
  },
  sleeping: {
    spins: false,
    tunables: {
      spinTries: { default: 200 },
      yieldTries: { default: 100 },
      sleepMicros: { default: 100, fraction: true },
    },
    create: (t) => new SleepingWaitStrategy(t.spinTries, t.yieldTries, t.sleepMicros),
  },
  blocking: {
    spins: false,
    tunables: { maxBlockMs: { default: DEFAULT_MAX_BLOCK_MS, fraction: true } },
    create: (t) => new BlockingWaitStrategy(t.maxBlockMs),
  },
  phased: {
    spins: false,
    tunables: {
      spinTries: { default: 10_000 },
      yieldTries: { default: 20 },
      maxBlockMs: { default: DEFAULT_MAX_BLOCK_MS, fraction: true },
    },
    create: (t) => new PhasedBackoffWaitStrategy(t.spinTries, t.yieldTries, t.maxBlockMs),
  },
};

/** Whether a strategy occupies a core while waiting (from the registry). */
export function isSpinning(options: Readonly<WaitStrategyOptions>): boolean {
  return WAIT_STRATEGIES[options.type].spins;
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
  const entry = Object.hasOwn(WAIT_STRATEGIES, o.type as string) ? WAIT_STRATEGIES[o.type as WaitStrategyType] : null;
  if (!entry) {
    const names = Object.keys(WAIT_STRATEGIES).map((n) => `'${n}'`);
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `waitStrategy.type must be one of ${names.slice(0, -1).join(', ')}, ${names.at(-1)}, got ${show(o.type)}`,
    );
  }
  const values: Record<string, number> = {};
  for (const [name, t] of Object.entries(entry.tunables)) values[name] = count(name, o[name], t.default, t.fraction);
  return entry.create(values);
}
