/**
 * The bus status block: a small SharedArrayBuffer beside the ring through which the main thread,
 * the supervisor and the handler workers coordinate without messages (a worker running its loop
 * never returns to its event loop, so it reads requests from here).
 *
 *   line 0  STOP_REQUEST     main → workers: 1 = finish the current batch and stop
 *   line 1  METRICS_REQUEST  main → workers: bumped to ask every worker for a metrics report
 *   line 2  HALT_REASON      first failure wins (compareExchange 0 → reason); see HALT_* codes
 *   line 3  HALT_READY       1 once the halt details below are complete
 *   line 4  HALT details     word 0 worker index, word 1 handler index (-1 none), words 2-3
 *                            sequence (f64), word 4 message length (bytes)
 *   line 5  REPLAY           f64 at words 0-1: last sequence being replayed (-1: none)
 *   lines 6 .. 6+MAX_WORKERS-1: WORKER_STATE, one line per worker (see WORKER_* states)
 *   then    HALT_MESSAGE     MESSAGE_BYTES of UTF-8: the failure, with handler, sequence, cause
 */
import { LINE_WORDS } from './RingBufferDescriptor.js';

/** Maximum number of workers in one bus. */
export const MAX_WORKERS = 32;
/** Bytes for the halt message. */
export const MESSAGE_BYTES = 2048;

const line = (n: number): number => n * LINE_WORDS;
export const STOP_REQUEST = line(0);
export const METRICS_REQUEST = line(1);
export const HALT_REASON = line(2);
export const HALT_READY = line(3);
export const HALT_WORKER = line(4);
export const HALT_HANDLER = line(4) + 1;
/** Float64 index (in a Float64Array over the block) of the halting sequence. */
export const HALT_F64_SEQUENCE = (line(4) + 2) / 2;
export const HALT_MESSAGE_LENGTH = line(4) + 4;
/** Float64 index of the last replayed sequence. */
export const REPLAY_F64_UNTIL = line(5) / 2;
export function workerStateWord(i: number): number {
  return line(6 + i);
}
/** Byte offset of the halt message. */
export const HALT_MESSAGE_OFFSET = line(6 + MAX_WORKERS) * 4;
/** Total bytes. */
export const STATUS_BYTES = HALT_MESSAGE_OFFSET + MESSAGE_BYTES;

/** Halt reasons (also stored in the ring's ALERT word). */
export const HALT_NONE = 0;
export const HALT_HANDLER_FAILED = 1;
export const HALT_WORKER_DIED = 2;
export const HALT_SHUTDOWN = 3;
export const HALT_REQUESTED = 4;
/** The supervisor's stall watchdog: a handler made no progress for stallTimeoutMs with events waiting. */
export const HALT_STALLED = 5;
/** The writer of an external progress line gave up (e.g. replication was fenced); see topology/progressLines.ts. */
export const HALT_PROGRESS_SOURCE = 6;
/** Another ring of the same BusGroup halted (its supervisor, or the group, halts every peer). */
export const HALT_PEER = 7;

/** Worker states. */
export const WORKER_STARTING = 0;
export const WORKER_RUNNING = 1;
export const WORKER_STOPPED = 2;
export const WORKER_FAILED = 3;
