/**
 * Every error ringbus throws on purpose. Each has a stable `code` (documented in docs/errors.md,
 * a test checks that every code here is documented there) and a message that names the option,
 * field or value involved.
 *
 * Control-flow conditions on the hot path (ring full, alerted, timed out while waiting) are never
 * thrown per event: they are returned as sentinels. These classes are for misuse and failure.
 */

export type RingbusErrorCode = keyof typeof ERROR_CODES;

/** code → one-line meaning; docs/errors.md must describe each of these codes. */
export const ERROR_CODES = {
  RINGBUS_ERR_INVALID_OPTION: 'an option has the wrong type or is out of range',
  RINGBUS_ERR_CAPACITY_NOT_POW2: 'ring capacity is not a power of two within the allowed range',
  RINGBUS_ERR_SLOT_TOO_SMALL: 'the slot size cannot hold the event schema',
  RINGBUS_ERR_UNKNOWN_FIELD_TYPE: 'an event schema field has an unknown type',
  RINGBUS_ERR_DUPLICATE_FIELD: 'an event schema names the same field twice',
  RINGBUS_ERR_INVALID_SCHEMA: 'an event schema is malformed (name, field name, length)',
  RINGBUS_ERR_FIELD_MISSING: 'a published event lacks a field of its schema',
  RINGBUS_ERR_FIELD_RANGE: 'a published integer is out of its field type range or not an integer',
  RINGBUS_ERR_FIELD_NOT_FINITE: 'a published float is NaN or infinite where the field does not allow it',
  RINGBUS_ERR_FIELD_TYPE: 'a published value has the wrong JavaScript type for its field',
  RINGBUS_ERR_FIELD_TOO_LONG: 'a published string or byte array is longer than its field',
  RINGBUS_ERR_FIELD_NOT_ASCII: 'a published string has a character outside 7-bit ASCII',
  RINGBUS_ERR_UNKNOWN_FIELD: 'a published event names a field its schema lacks',
  RINGBUS_ERR_BATCH_TOO_LARGE: 'a claim asks for more slots than the ring holds (or fewer than 1)',
  RINGBUS_ERR_PUBLISH_TIMEOUT: 'a publish with a timeout could not claim space in time',
  RINGBUS_ERR_ALERTED: 'the ring was halted (alerted) while waiting',
  RINGBUS_ERR_TOO_MANY_SEQUENCES: 'the ring control block has no free sequence line left',
  RINGBUS_ERR_BAD_DESCRIPTOR: 'a shared buffer or descriptor given to attach() is not a ringbus ring',
  RINGBUS_ERR_SEQUENCE_RANGE: 'a sequence number is outside the claimed or representable range',
  RINGBUS_ERR_BUS_HALTED: 'the bus has halted (a handler failed or a worker died); publishing is refused',
  RINGBUS_ERR_DRAIN_TIMEOUT: 'drain() did not see every handler pass the cursor in time',
  RINGBUS_ERR_BUS_STATE: 'a lifecycle method was called in the wrong state (e.g. publish before start)',
  RINGBUS_ERR_TOPOLOGY: 'the handler graph is invalid (unknown handler, cycle, duplicate name)',
  RINGBUS_ERR_HANDLER_FAILED: 'a handler threw under the halt policy; names handler, sequence and cause',
  RINGBUS_ERR_WORKER_DIED: 'a worker thread exited or crashed; names the worker and the cause',
  RINGBUS_ERR_HANDLER_STALLED:
    'a handler made no progress for stallTimeoutMs while events waited for it; names the handler and sequence',
  RINGBUS_ERR_HANDLER_MODULE: 'a handler module could not be loaded or exports no valid handler',
  RINGBUS_ERR_JOURNAL_CORRUPT: 'journal damage before the tail; names file, offset and sequence',
  RINGBUS_ERR_JOURNAL_FINGERPRINT: 'a journal was written with another event schema fingerprint',
  RINGBUS_ERR_JOURNAL_VERSION: 'a journal was written with an unsupported format version',
  RINGBUS_ERR_JOURNAL_SEQUENCE: 'journal records are not contiguous or do not follow the expected sequence',
  RINGBUS_ERR_SNAPSHOT_CORRUPT: 'a snapshot file is damaged or incomplete',
  RINGBUS_ERR_DATA_DIR_MANIFEST:
    'the data directory manifest.json is missing, malformed or disagrees with its event schema',
  RINGBUS_ERR_STATE_NOT_CANONICAL:
    'a handler state holds a value canonical JSON cannot carry faithfully (Map, Set, NaN, Infinity, BigInt, function, cycle)',
  RINGBUS_ERR_RECOVERY: 'recovery could not rebuild state from the data directory',
  RINGBUS_ERR_DATA_DIR_LOCKED: 'another live process (or bus) is writing to the data directory',
  RINGBUS_ERR_DATA_DIR_UNUSABLE:
    'the data directory cannot be created or written (a file, procfs, no permission, read-only file system)',
  RINGBUS_ERR_DEAD_LETTER_CORRUPT: 'a dead-letter file is damaged',
  RINGBUS_ERR_CLI_USAGE: 'the ringbus command was called with bad arguments',
  RINGBUS_ERR_REPLICATION_DIVERGED: 'the replication stream holds a different record than the journal at a sequence',
  RINGBUS_ERR_REPLICATION_GAP: 'the journal lacks records the replication stream needs next (or the stream skips one)',
  RINGBUS_ERR_SHARD_ROUTE:
    'a command could not be routed: its symbol is not in the shard map, or the shard did not accept it',
  RINGBUS_ERR_REPLICATION_FENCED:
    'another leader appended to the stream or holds the lease: this process may not append',
  RINGBUS_ERR_REPLICATION_TIMEOUT: 'a sequence was not replicated, or the replication worker did not answer, in time',
  RINGBUS_ERR_PEER_HALTED:
    'another ring of the same BusGroup halted, so this one was halted too; names the ring and cause',
  RINGBUS_ERR_OUTBOUND_HALTED:
    'a handler published into an outbound ring whose bus has halted; names the ring and cause',
} as const;

/** Fields shared by every ringbus error. */
export interface RingbusErrorFields {
  readonly code: RingbusErrorCode;
}

function stamp<T extends Error>(err: T, code: RingbusErrorCode, name: string): T & RingbusErrorFields {
  Object.defineProperty(err, 'code', { value: code, enumerable: true });
  Object.defineProperty(err, 'name', { value: `${name} [${code}]`, enumerable: false, configurable: true });
  return err as T & RingbusErrorFields;
}

/** A value of the wrong type (schema field type, option type). */
export class RingbusTypeError extends TypeError implements RingbusErrorFields {
  declare readonly code: RingbusErrorCode;
  constructor(code: RingbusErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    stamp(this, code, 'TypeError');
  }
}

/** A value outside its allowed range (capacity, integer field, sequence). */
export class RingbusRangeError extends RangeError implements RingbusErrorFields {
  declare readonly code: RingbusErrorCode;
  constructor(code: RingbusErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    stamp(this, code, 'RangeError');
  }
}

/** Any other ringbus failure (halted bus, dead worker, corrupt journal, timeout). */
export class RingbusError extends Error implements RingbusErrorFields {
  declare readonly code: RingbusErrorCode;
  constructor(code: RingbusErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    stamp(this, code, 'Error');
  }
}

/** Formats a value for an error message: strings quoted, everything else as JSON-ish text. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? value.slice(0, 64) + '…' : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  if (typeof value === 'function') return 'function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
