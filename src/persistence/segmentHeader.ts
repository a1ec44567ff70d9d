/**
 * Encoding and checking of journal segment headers (layout in layout/JournalDescriptor.ts).
 * Cold path: called once per segment.
 */
import { RingbusError, RingbusRangeError, RingbusTypeError, show } from '../errors.js';
import {
  EVENT_NAME_BYTES,
  JOURNAL_FORMAT_VERSION,
  MAX_JOURNAL_PAYLOAD_BYTES,
  SEGMENT_HEADER_BYTES,
  SEGMENT_MAGIC,
  SEG_EPOCH_MS_OFFSET,
  SEG_EVENT_NAME_LENGTH_OFFSET,
  SEG_EVENT_NAME_OFFSET,
  SEG_FINGERPRINT_OFFSET,
  SEG_FIRST_SEQUENCE_OFFSET,
  SEG_HEADER_CRC_OFFSET,
  SEG_HEADER_LENGTH_OFFSET,
  SEG_MAGIC_OFFSET,
  SEG_FLAG_CHAINED,
  SEG_FLAGS_OFFSET,
  SEG_PAYLOAD_SIZE_OFFSET,
  SEG_PREV_CRC_OFFSET,
  SEG_VERSION_OFFSET,
} from '../layout/JournalDescriptor.js';
import { crc32c } from './crc32c.js';

/** What a segment header says. */
export interface SegmentHeader {
  readonly version: number;
  /** Schema fingerprint as an unsigned 32-bit number. */
  readonly fingerprint: number;
  readonly eventName: string;
  /** Bytes of event fields per slot; no record carries more. */
  readonly payloadSize: number;
  readonly firstSequence: number;
  /** Wall-clock ms since 1970 that record timestamps (ns) count from. */
  readonly epochMs: number;
  /** True when `prevCrc` chains this segment to the previous one (false for the first segment written). */
  readonly chained: boolean;
  /** CRC32C of the previous segment's last record (sequence firstSequence - 1) when `chained`. */
  readonly prevCrc: number;
}

/** What a writer gives encodeSegmentHeader (the version is this build's; the chain is optional). */
export type SegmentHeaderInput = Omit<SegmentHeader, 'version' | 'chained' | 'prevCrc'> & {
  readonly chained?: boolean;
  readonly prevCrc?: number;
};

/** 8 lower-case hex digits of a u32 fingerprint. */
export function fingerprintHex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/** Accepts a fingerprint as 8 hex digits (EventType.fingerprint) or a u32 (fingerprintValue). */
export function parseFingerprint(value: unknown, optionName: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value;
  if (typeof value === 'string' && /^[0-9a-fA-F]{8}$/.test(value)) return parseInt(value, 16) >>> 0;
  throw new RingbusTypeError(
    'RINGBUS_ERR_INVALID_OPTION',
    `${optionName} must be 8 hex digits or an unsigned 32-bit integer, got ${show(value)}`,
  );
}

/** Checks the header fields a writer is given. */
export function checkHeaderOptions(eventName: unknown, payloadSize: unknown, epochMs: unknown): void {
  if (
    typeof eventName !== 'string' ||
    eventName.length === 0 ||
    eventName.length > EVENT_NAME_BYTES ||
    !/^[\x20-\x7e]+$/.test(eventName)
  ) {
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `eventName must be 1..${EVENT_NAME_BYTES} printable ASCII characters, got ${show(eventName)}`,
    );
  }
  if (
    typeof payloadSize !== 'number' ||
    !Number.isInteger(payloadSize) ||
    payloadSize < 0 ||
    payloadSize > MAX_JOURNAL_PAYLOAD_BYTES
  ) {
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `payloadSize must be an integer in [0, ${MAX_JOURNAL_PAYLOAD_BYTES}], got ${show(payloadSize)}`,
    );
  }
  if (typeof epochMs !== 'number' || !Number.isFinite(epochMs)) {
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `epochMs must be a finite number (ms since 1970), got ${show(epochMs)}`,
    );
  }
}

/** Writes a complete header (CRC included) into `target[0, SEGMENT_HEADER_BYTES)`. */
export function encodeSegmentHeader(h: SegmentHeaderInput, target: Uint8Array): void {
  target.fill(0, 0, SEGMENT_HEADER_BYTES);
  const dv = new DataView(target.buffer, target.byteOffset, SEGMENT_HEADER_BYTES);
  dv.setUint32(SEG_MAGIC_OFFSET, SEGMENT_MAGIC, true);
  dv.setUint32(SEG_VERSION_OFFSET, JOURNAL_FORMAT_VERSION, true);
  dv.setUint32(SEG_HEADER_LENGTH_OFFSET, SEGMENT_HEADER_BYTES, true);
  dv.setUint32(SEG_FINGERPRINT_OFFSET, h.fingerprint >>> 0, true);
  dv.setUint32(SEG_PAYLOAD_SIZE_OFFSET, h.payloadSize, true);
  dv.setUint32(SEG_EVENT_NAME_LENGTH_OFFSET, h.eventName.length, true);
  dv.setFloat64(SEG_FIRST_SEQUENCE_OFFSET, h.firstSequence, true);
  dv.setFloat64(SEG_EPOCH_MS_OFFSET, h.epochMs, true);
  for (let i = 0; i < h.eventName.length; i++) target[SEG_EVENT_NAME_OFFSET + i] = h.eventName.charCodeAt(i);
  if (h.chained === true) {
    dv.setUint32(SEG_PREV_CRC_OFFSET, (h.prevCrc ?? 0) >>> 0, true);
    dv.setUint32(SEG_FLAGS_OFFSET, SEG_FLAG_CHAINED, true);
  }
  dv.setUint32(SEG_HEADER_CRC_OFFSET, crc32c(target, 0, SEG_HEADER_CRC_OFFSET), true);
}

function corrupt(file: string, message: string): RingbusError {
  return new RingbusError(
    'RINGBUS_ERR_JOURNAL_CORRUPT',
    `journal segment ${file}: ${message} (file offset 0, the segment header)`,
  );
}

/**
 * Decodes and checks a header read from `file` (`bytes` holds at least SEGMENT_HEADER_BYTES).
 * Throws RINGBUS_ERR_JOURNAL_CORRUPT (bad magic, bad CRC, insane field),
 * RINGBUS_ERR_JOURNAL_VERSION (a format version this build does not read). The CRC is checked
 * before the version, so a damaged version field is reported as damage, not as a foreign version
 * with a garbage number; every format keeps the CRC of its first 124 bytes at byte 124.
 */
export function decodeSegmentHeader(bytes: Uint8Array, file: string): SegmentHeader {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, SEGMENT_HEADER_BYTES);
  const magic = dv.getUint32(SEG_MAGIC_OFFSET, true);
  if (magic !== SEGMENT_MAGIC)
    throw corrupt(
      file,
      `bad magic 0x${magic.toString(16)}, expected 0x${SEGMENT_MAGIC.toString(16)} ("RBJL"): not a ringbus journal segment`,
    );
  const stored = dv.getUint32(SEG_HEADER_CRC_OFFSET, true);
  const actual = crc32c(bytes, 0, SEG_HEADER_CRC_OFFSET);
  if (stored !== actual)
    throw corrupt(file, `header CRC32C mismatch (stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)})`);
  const version = dv.getUint32(SEG_VERSION_OFFSET, true);
  if (version !== JOURNAL_FORMAT_VERSION) {
    throw new RingbusError(
      'RINGBUS_ERR_JOURNAL_VERSION',
      `journal segment ${file} has format version ${version}; this build reads format version ${JOURNAL_FORMAT_VERSION} only`,
    );
  }
  const headerLength = dv.getUint32(SEG_HEADER_LENGTH_OFFSET, true);
  if (headerLength !== SEGMENT_HEADER_BYTES)
    throw corrupt(file, `header length ${headerLength}, expected ${SEGMENT_HEADER_BYTES}`);
  const payloadSize = dv.getUint32(SEG_PAYLOAD_SIZE_OFFSET, true);
  if (payloadSize > MAX_JOURNAL_PAYLOAD_BYTES)
    throw corrupt(file, `payload size ${payloadSize} exceeds ${MAX_JOURNAL_PAYLOAD_BYTES}`);
  const nameLength = dv.getUint32(SEG_EVENT_NAME_LENGTH_OFFSET, true);
  if (nameLength > EVENT_NAME_BYTES) throw corrupt(file, `event name length ${nameLength} exceeds ${EVENT_NAME_BYTES}`);
  const firstSequence = dv.getFloat64(SEG_FIRST_SEQUENCE_OFFSET, true);
  if (!Number.isSafeInteger(firstSequence) || firstSequence < 0)
    throw corrupt(file, `first sequence ${firstSequence} is not a non-negative safe integer`);
  let eventName = '';
  for (let i = 0; i < nameLength; i++) eventName += String.fromCharCode(bytes[SEG_EVENT_NAME_OFFSET + i]!);
  return {
    version,
    fingerprint: dv.getUint32(SEG_FINGERPRINT_OFFSET, true),
    eventName,
    payloadSize,
    firstSequence,
    epochMs: dv.getFloat64(SEG_EPOCH_MS_OFFSET, true),
    chained: (dv.getUint32(SEG_FLAGS_OFFSET, true) & SEG_FLAG_CHAINED) !== 0,
    prevCrc: dv.getUint32(SEG_PREV_CRC_OFFSET, true),
  };
}
