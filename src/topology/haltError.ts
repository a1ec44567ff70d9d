import { RingbusError } from '../errors.js';
import {
  HALT_HANDLER_FAILED,
  HALT_PEER,
  HALT_PROGRESS_SOURCE,
  HALT_REQUESTED,
  HALT_SHUTDOWN,
  HALT_STALLED,
  HALT_WORKER_DIED,
} from '../layout/BusStatusDescriptor.js';
import type { BusStatus } from '../runtime/BusStatus.js';

/**
 * The error a halted bus reports: RINGBUS_ERR_WORKER_DIED, RINGBUS_ERR_HANDLER_FAILED,
 * RINGBUS_ERR_HANDLER_STALLED, RINGBUS_ERR_PEER_HALTED or RINGBUS_ERR_BUS_HALTED. A halt by a
 * progress line's writer (HALT_PROGRESS_SOURCE, e.g. replication fenced) is RINGBUS_ERR_BUS_HALTED
 * with the writer's coded error (e.g. RINGBUS_ERR_REPLICATION_FENCED) as `cause`.
 */
export interface BusHaltedError extends RingbusError {
  /** Sequence at which a handler failed (NaN when not applicable). */
  readonly sequence: number;
  readonly reason: number;
}

/**
 * The halt message of a progress-line writer that gave up (ProgressLineWriter.fail): its source,
 * then the coded error that stopped it, so that haltError can hand that error back as `cause`.
 */
export function progressSourceMessage(source: string, code: string, detail: string): string {
  return `${source} stopped: ${code}: ${detail}`;
}

/** The coded error inside a progressSourceMessage (null: the message has no code). */
function progressSourceCause(message: string): RingbusError | null {
  const m = /^.*? stopped: (RINGBUS_ERR_[A-Z0-9_]+): ([\s\S]*)$/.exec(message);
  return m ? new RingbusError(m[1] as never, m[2]!) : null;
}

/**
 * Builds the error for a halted bus from the status block (synchronously, so a producer woken
 * out of a blocked publish can throw it at once). Allocates: failure path only.
 */
export function haltError(status: BusStatus, cause?: unknown): BusHaltedError {
  let info = status.haltInfo();
  // the thread that won the halt writes its details right after; wait for them briefly
  for (let i = 0; info === null && i < 1_000_000; i++) info = status.haltInfo();
  const reason = info?.reason ?? status.haltReason();
  const message = info?.message ?? 'the ring was halted';
  const code =
    reason === HALT_WORKER_DIED
      ? 'RINGBUS_ERR_WORKER_DIED'
      : reason === HALT_HANDLER_FAILED
        ? 'RINGBUS_ERR_HANDLER_FAILED'
        : reason === HALT_STALLED
          ? 'RINGBUS_ERR_HANDLER_STALLED'
          : reason === HALT_PEER
            ? 'RINGBUS_ERR_PEER_HALTED'
            : 'RINGBUS_ERR_BUS_HALTED';
  const prefix =
    reason === HALT_SHUTDOWN
      ? 'the bus was shut down'
      : reason === HALT_REQUESTED
        ? 'the bus was halted'
        : 'the bus halted';
  // a progress line's writer (e.g. replication) names its coded error: that error is the cause
  const why = cause ?? (reason === HALT_PROGRESS_SOURCE ? (progressSourceCause(message) ?? undefined) : undefined);
  const err = new RingbusError(
    code,
    `${prefix}; publishing is refused: ${message}`,
    why === undefined ? undefined : { cause: why },
  ) as RingbusError & { sequence: number; reason: number };
  err.sequence = info?.sequence ?? NaN;
  err.reason = reason;
  return err;
}
