/**
 * Encoding and scanning of dead-letter files (layout in layout/DeadLetterDescriptor.ts). Failure
 * path only: allocates freely.
 */
import { RingbusError } from '../errors.js';
import {
  DL_FORMAT_VERSION,
  DL_HEADER_BYTES,
  DL_HEADER_CRC_OFFSET,
  DL_HEADER_LENGTH_OFFSET,
  DL_MAGIC,
  DL_MAGIC_OFFSET,
  DL_MAX_RECORD_BYTES,
  DL_REC_AUX_OFFSET,
  DL_REC_CRC_OFFSET,
  DL_REC_CRC_START,
  DL_REC_EVENT_LENGTH_OFFSET,
  DL_REC_KIND_OFFSET,
  DL_REC_LENGTH_OFFSET,
  DL_REC_MESSAGE_LENGTH_OFFSET,
  DL_REC_NAME_LENGTH_OFFSET,
  DL_REC_RECORDED_AT_OFFSET,
  DL_REC_SEQUENCE_OFFSET,
  DL_REC_STACK_LENGTH_OFFSET,
  DL_REC_TIMESTAMP_OFFSET,
  DL_RECORD_HEADER_BYTES,
  DL_VERSION_OFFSET,
} from '../layout/DeadLetterDescriptor.js';
import { crc32c } from './crc32c.js';

/** One failed event as recorded. */
export interface DeadLetter {
  readonly sequence: number;
  readonly handlerName: string;
  readonly message: string;
  readonly stack: string;
  readonly kind: number;
  readonly aux: number;
  /** Publish timestamp, ns since the ring epoch. */
  readonly timestampNs: number;
  /** Wall clock (ms since 1970) when the failure was recorded. */
  readonly recordedAtMs: number;
  /** The slot's field bytes. */
  readonly payload: Uint8Array;
}

/** What DeadLetterWriter.append takes. */
export type DeadLetterInput = Omit<DeadLetter, 'recordedAtMs'> & { readonly recordedAtMs?: number };

/** Result of scanning a dead-letter file. */
export interface DeadLetterScan {
  readonly letters: DeadLetter[];
  /** Bytes after the last intact record (a torn tail); 0 when the file ends cleanly. */
  readonly truncatedBytes: number;
  /** File offset where intact data ends. */
  readonly validEnd: number;
  /** False when the file is shorter than its header (or empty): the header must be (re)written. */
  readonly hasHeader: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeDeadLetterHeader(): Uint8Array {
  const bytes = new Uint8Array(DL_HEADER_BYTES);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(DL_MAGIC_OFFSET, DL_MAGIC, true);
  dv.setUint32(DL_VERSION_OFFSET, DL_FORMAT_VERSION, true);
  dv.setUint32(DL_HEADER_LENGTH_OFFSET, DL_HEADER_BYTES, true);
  dv.setUint32(DL_HEADER_CRC_OFFSET, crc32c(bytes, 0, DL_HEADER_CRC_OFFSET), true);
  return bytes;
}

export function encodeDeadLetter(l: DeadLetterInput, recordedAtMs: number): Uint8Array {
  const name = encoder.encode(l.handlerName);
  const message = encoder.encode(l.message);
  const stack = encoder.encode(l.stack);
  const length = DL_RECORD_HEADER_BYTES + name.length + message.length + stack.length + l.payload.length;
  const bytes = new Uint8Array(length);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(DL_REC_LENGTH_OFFSET, length, true);
  dv.setFloat64(DL_REC_SEQUENCE_OFFSET, l.sequence, true);
  dv.setFloat64(DL_REC_TIMESTAMP_OFFSET, l.timestampNs, true);
  dv.setUint32(DL_REC_KIND_OFFSET, l.kind >>> 0, true);
  dv.setUint32(DL_REC_AUX_OFFSET, l.aux >>> 0, true);
  dv.setFloat64(DL_REC_RECORDED_AT_OFFSET, recordedAtMs, true);
  dv.setUint32(DL_REC_NAME_LENGTH_OFFSET, name.length, true);
  dv.setUint32(DL_REC_MESSAGE_LENGTH_OFFSET, message.length, true);
  dv.setUint32(DL_REC_STACK_LENGTH_OFFSET, stack.length, true);
  dv.setUint32(DL_REC_EVENT_LENGTH_OFFSET, l.payload.length, true);
  let at = DL_RECORD_HEADER_BYTES;
  for (const part of [name, message, stack, l.payload]) {
    bytes.set(part, at);
    at += part.length;
  }
  dv.setUint32(DL_REC_CRC_OFFSET, crc32c(bytes, DL_REC_CRC_START, length - DL_REC_CRC_START), true);
  return bytes;
}

function corrupt(path: string, offset: number, message: string): RingbusError {
  return new RingbusError(
    'RINGBUS_ERR_DEAD_LETTER_CORRUPT',
    `dead-letter file ${path} is damaged at byte offset ${offset}: ${message}`,
  );
}

function zeroFrom(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Decodes a whole dead-letter file. A torn tail (partial record, zero-filled tail, CRC mismatch in
 * the last record) ends the scan and is reported; damage before it throws
 * RINGBUS_ERR_DEAD_LETTER_CORRUPT naming the byte offset.
 */
export function scanDeadLetterBytes(bytes: Uint8Array, path: string): DeadLetterScan {
  if (bytes.length < DL_HEADER_BYTES)
    return { letters: [], truncatedBytes: bytes.length, validEnd: 0, hasHeader: false };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const magic = dv.getUint32(DL_MAGIC_OFFSET, true);
  if (magic !== DL_MAGIC) throw corrupt(path, 0, `bad magic 0x${magic.toString(16)}: not a ringbus dead-letter file`);
  if (dv.getUint32(DL_HEADER_CRC_OFFSET, true) !== crc32c(bytes, 0, DL_HEADER_CRC_OFFSET))
    throw corrupt(path, 0, 'header CRC32C mismatch');
  const version = dv.getUint32(DL_VERSION_OFFSET, true);
  if (version !== DL_FORMAT_VERSION)
    throw corrupt(path, 0, `format version ${version}; this build reads version ${DL_FORMAT_VERSION}`);
  const letters: DeadLetter[] = [];
  let p = DL_HEADER_BYTES;
  const torn = (): DeadLetterScan => ({ letters, truncatedBytes: bytes.length - p, validEnd: p, hasHeader: true });
  while (p < bytes.length) {
    const remaining = bytes.length - p;
    if (remaining < DL_RECORD_HEADER_BYTES) return torn();
    const length = dv.getUint32(p + DL_REC_LENGTH_OFFSET, true);
    if (length < DL_RECORD_HEADER_BYTES || length > DL_MAX_RECORD_BYTES) {
      if (zeroFrom(bytes, p)) return torn();
      throw corrupt(path, p, `record length ${length} outside [${DL_RECORD_HEADER_BYTES}, ${DL_MAX_RECORD_BYTES}]`);
    }
    if (length > remaining) return torn();
    const stored = dv.getUint32(p + DL_REC_CRC_OFFSET, true);
    if (stored !== crc32c(bytes, p + DL_REC_CRC_START, length - DL_REC_CRC_START)) {
      if (length === remaining) return torn();
      throw corrupt(path, p, 'record CRC32C mismatch with intact records after it');
    }
    const nameLength = dv.getUint32(p + DL_REC_NAME_LENGTH_OFFSET, true);
    const messageLength = dv.getUint32(p + DL_REC_MESSAGE_LENGTH_OFFSET, true);
    const stackLength = dv.getUint32(p + DL_REC_STACK_LENGTH_OFFSET, true);
    const eventLength = dv.getUint32(p + DL_REC_EVENT_LENGTH_OFFSET, true);
    if (DL_RECORD_HEADER_BYTES + nameLength + messageLength + stackLength + eventLength !== length) {
      throw corrupt(
        path,
        p,
        `part lengths ${nameLength}+${messageLength}+${stackLength}+${eventLength} do not fill the record of ${length} bytes`,
      );
    }
    let at = p + DL_RECORD_HEADER_BYTES;
    const take = (n: number): Uint8Array => bytes.subarray(at, (at += n));
    letters.push({
      sequence: dv.getFloat64(p + DL_REC_SEQUENCE_OFFSET, true),
      timestampNs: dv.getFloat64(p + DL_REC_TIMESTAMP_OFFSET, true),
      kind: dv.getUint32(p + DL_REC_KIND_OFFSET, true),
      aux: dv.getUint32(p + DL_REC_AUX_OFFSET, true),
      recordedAtMs: dv.getFloat64(p + DL_REC_RECORDED_AT_OFFSET, true),
      handlerName: decoder.decode(take(nameLength)),
      message: decoder.decode(take(messageLength)),
      stack: decoder.decode(take(stackLength)),
      payload: Uint8Array.from(take(eventLength)),
    });
    p += length;
  }
  return { letters, truncatedBytes: 0, validEnd: p, hasHeader: true };
}
