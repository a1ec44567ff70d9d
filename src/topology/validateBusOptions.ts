/**
 * Checks of `new RingBus(options)` that need no running bus: every option fails in the
 * constructor with its own code, not half way through start() wrapped in another error.
 * Cold path.
 */
import { RingbusRangeError, RingbusTypeError, show } from '../errors.js';
import { minSegmentBytes } from '../layout/JournalDescriptor.js';
import type { EventType } from '../schema/defineEvent.js';

/** Default of RingBusOptions.stallTimeoutMs. */
export const DEFAULT_STALL_TIMEOUT_MS = 10_000;

/** The options checked here (a subset of RingBusOptions, so this module needs nothing above it). */
interface CheckedOptions {
  readonly event?: unknown;
  readonly metrics?: unknown;
  readonly workers?: unknown;
  readonly capacity?: unknown;
  readonly stallTimeoutMs?: unknown;
  readonly persistence?: { readonly segmentBytes?: unknown };
}

/** Throws RINGBUS_ERR_INVALID_OPTION naming the option and the value. */
export function checkBusOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null)
    throw new RingbusTypeError('RINGBUS_ERR_INVALID_OPTION', `RingBus options must be an object, got ${show(options)}`);
  const o = options as CheckedOptions;
  const event = o.event as EventType | undefined;
  if (!event || typeof event.Flyweight !== 'function')
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `options.event must be an event type from defineEvent(...), got ${show(o.event)}`,
    );
  if (o.metrics !== undefined && typeof o.metrics !== 'boolean')
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `options.metrics must be a boolean, got ${show(o.metrics)}`,
    );
  const w = o.workers;
  if (w !== undefined && (typeof w !== 'object' || w === null || Array.isArray(w)))
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `options.workers must be an object { [workerName]: WorkerOptions }, got ${show(w)}`,
    );
  const st = o.stallTimeoutMs;
  if (st !== undefined && (typeof st !== 'number' || !Number.isFinite(st) || st < 0))
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `options.stallTimeoutMs must be a finite number of ms ≥ 0 (0 turns the stall watchdog off), got ${show(st)}`,
    );
  const p = o.persistence;
  if (typeof p === 'object' && p !== null && p.segmentBytes !== undefined) {
    const min = minSegmentBytes(event.payloadSize);
    const b = p.segmentBytes;
    if (typeof b !== 'number' || !Number.isSafeInteger(b) || b < min)
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `persistence.segmentBytes must be an integer ≥ ${min} (a segment header and 16 records of event ${event.name}), got ${show(b)}`,
      );
  }
}
