/**
 * Binary layout of the journal: a data directory holds `journal/<20-digit first sequence>.log`
 * segment files. Every integer is little-endian. All offsets below are computed from sizes; none
 * is typed by hand.
 *
 * Segment header (SEGMENT_HEADER_BYTES = 128 bytes, written and fsynced once when the segment is
 * created; the CRC32C covers every byte before it):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   magic (u32, "RBJL")                          |  0
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   format version (u32)                         |  4
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   header length (u32, = 128)                   |  8
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   schema fingerprint (u32)                     |  12
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   slot payload size (u32, bytes)               |  16
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   event name length (u32, ≤ 64)                |  20
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   first sequence (f64, exact to 2^53)          |  24
 *   |                                                                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   ring epoch (f64, ms since 1970)              |  32
 *   |                                                                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   event name (ASCII, 64 bytes, NUL padded)     |  40
 *   ~                                                                ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   previous segment's last record CRC32C (u32)  |  104
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   flags (u32, bit 0: the previous CRC is set)  |  108
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   reserved (zero)                              |  112
 *   ~                                                                ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   header CRC32C (u32, over bytes 0..123)       |  124
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Record (RECORD_HEADER_BYTES = 32 bytes + event bytes), back to back after the header. The first
 * 32 bytes are the frame of layout/RecordFraming.ts (CRC32C, length, sequence, timestamp, kind, aux;
 * the CRC covers the length word, the frame fields, the event bytes and the padding):
 *
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        record frame (RecordFraming.ts, 32 bytes)               |  0
 *   ~                                                                ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        event bytes (the slot's field bytes, ≤ payload size)    |  32
 *   ~                                                                ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        zero padding to a multiple of RECORD_ALIGNMENT (8)      |  length
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  paddedRecordBytes(length)
 *
 * `length` counts the record header and the event bytes, not the padding; the next record
 * starts at paddedRecordBytes(length), so every record starts 8-byte aligned in the file (the
 * header is 128 bytes) and the CRC can be computed over 32-bit words. A record's length is sane
 * when RECORD_HEADER_BYTES ≤ length ≤ RECORD_HEADER_BYTES + payload size (from the header).
 */

import {
  FRAME_AUX_OFFSET,
  FRAME_BYTES,
  FRAME_CRC_OFFSET,
  FRAME_CRC_START,
  FRAME_KIND_OFFSET,
  FRAME_LENGTH_OFFSET,
  FRAME_SEQUENCE_OFFSET,
  FRAME_TIMESTAMP_OFFSET,
} from './RecordFraming.js';

/** Magic number of a journal segment ("RBJL" read as a little-endian u32). */
export const SEGMENT_MAGIC = 0x4c4a4252;
/**
 * Journal format version this build writes and reads. 2: the record CRC covers the length word
 * (RecordFraming.ts) and the header chains the previous segment. Version 1 segments are refused
 * with RINGBUS_ERR_JOURNAL_VERSION (docs/persistence.md).
 */
export const JOURNAL_FORMAT_VERSION = 2;

/** Bytes of a u32 / f64 field. */
const U32 = 4;
const F64 = 8;

/** Longest event name a header holds (matches FIELD_NAME_PATTERN in schema/fieldTypes.ts). */
export const EVENT_NAME_BYTES = 64;

/** Header byte offset: magic. */
export const SEG_MAGIC_OFFSET = 0;
/** Header byte offset: format version. */
export const SEG_VERSION_OFFSET = SEG_MAGIC_OFFSET + U32;
/** Header byte offset: header length (lets a reader of a later version skip a longer header). */
export const SEG_HEADER_LENGTH_OFFSET = SEG_VERSION_OFFSET + U32;
/** Header byte offset: schema fingerprint as u32. */
export const SEG_FINGERPRINT_OFFSET = SEG_HEADER_LENGTH_OFFSET + U32;
/** Header byte offset: slot payload size (bytes of event fields in a slot). */
export const SEG_PAYLOAD_SIZE_OFFSET = SEG_FINGERPRINT_OFFSET + U32;
/** Header byte offset: length of the event name in bytes. */
export const SEG_EVENT_NAME_LENGTH_OFFSET = SEG_PAYLOAD_SIZE_OFFSET + U32;
/** Header byte offset: first sequence (f64). */
export const SEG_FIRST_SEQUENCE_OFFSET = SEG_EVENT_NAME_LENGTH_OFFSET + U32;
/** Header byte offset: ring epoch in ms since 1970 (f64); record timestamps count from it. */
export const SEG_EPOCH_MS_OFFSET = SEG_FIRST_SEQUENCE_OFFSET + F64;
/** Header byte offset: event name, ASCII, NUL padded. */
export const SEG_EVENT_NAME_OFFSET = SEG_EPOCH_MS_OFFSET + F64;
/**
 * Header byte offset: CRC32C of the previous segment's last record (the chain: a reader checks
 * that the segment before this one ends with that very record, so a replaced or re-cut
 * predecessor is detected; its last sequence is firstSequence - 1).
 */
export const SEG_PREV_CRC_OFFSET = SEG_EVENT_NAME_OFFSET + EVENT_NAME_BYTES;
/** Header byte offset: flags (SEG_FLAG_*). */
export const SEG_FLAGS_OFFSET = SEG_PREV_CRC_OFFSET + U32;
/** Flag: SEG_PREV_CRC_OFFSET holds the previous segment's last record CRC (unset for the first segment ever written). */
export const SEG_FLAG_CHAINED = 1;
/** Header byte offset: reserved zero bytes. */
export const SEG_RESERVED_OFFSET = SEG_FLAGS_OFFSET + U32;
/** Total header bytes (a power of two, so records start at a round offset). */
export const SEGMENT_HEADER_BYTES = 128;
/** Header byte offset: CRC32C of bytes [0, SEG_HEADER_CRC_OFFSET). */
export const SEG_HEADER_CRC_OFFSET = SEGMENT_HEADER_BYTES - U32;

/** Record byte offset: CRC32C over bytes [REC_CRC_START, paddedRecordBytes(length)). */
export const REC_CRC_OFFSET = FRAME_CRC_OFFSET;
/** Record byte offset: record length (inside the CRC). */
export const REC_LENGTH_OFFSET = FRAME_LENGTH_OFFSET;
/** First byte the record CRC covers (the length word). */
export const REC_CRC_START = FRAME_CRC_START;
/** Record byte offset: sequence (f64). */
export const REC_SEQUENCE_OFFSET = FRAME_SEQUENCE_OFFSET;
/** Record byte offset: publish timestamp (f64 ns since the ring epoch). */
export const REC_TIMESTAMP_OFFSET = FRAME_TIMESTAMP_OFFSET;
/** Record byte offset: slot kind. */
export const REC_KIND_OFFSET = FRAME_KIND_OFFSET;
/** Record byte offset: slot aux. */
export const REC_AUX_OFFSET = FRAME_AUX_OFFSET;
/** Record byte offset: event bytes. */
export const REC_PAYLOAD_OFFSET = FRAME_BYTES;
/** Bytes of a record before its event bytes. */
export const RECORD_HEADER_BYTES = REC_PAYLOAD_OFFSET;

/** Largest slot payload size a journal accepts (sanity bound for a header read from disk). */
export const MAX_JOURNAL_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** Digits in a segment file name. */
export const SEGMENT_NAME_DIGITS = 20;
/** Segment file name suffix. */
export const SEGMENT_SUFFIX = '.log';
/** Sub-directory of the data directory that holds the segments. */
export const JOURNAL_DIR_NAME = 'journal';

/** Every record starts and ends on a multiple of this many bytes. */
export const RECORD_ALIGNMENT = 8;

/** Bytes a record of `length` occupies in the file (padded to RECORD_ALIGNMENT). */
export function paddedRecordBytes(length: number): number {
  return (length + RECORD_ALIGNMENT - 1) & ~(RECORD_ALIGNMENT - 1);
}

/** Largest `length` field for a payload size. */
export function maxRecordLength(payloadSize: number): number {
  return RECORD_HEADER_BYTES + payloadSize;
}

/** Largest number of bytes a record occupies for a payload size (padding included). */
export function maxRecordBytes(payloadSize: number): number {
  return paddedRecordBytes(RECORD_HEADER_BYTES + payloadSize);
}

/** The smallest segment size allowed for a payload size: the header plus 16 full records. */
export function minSegmentBytes(payloadSize: number): number {
  return SEGMENT_HEADER_BYTES + 16 * maxRecordBytes(payloadSize);
}

/** Segment file name for a first sequence: 20 zero-padded digits + ".log". */
export function segmentFileName(firstSequence: number): string {
  return String(firstSequence).padStart(SEGMENT_NAME_DIGITS, '0') + SEGMENT_SUFFIX;
}

/** First sequence from a segment file name, or -1 when the name is not a segment name. */
export function parseSegmentFileName(name: string): number {
  if (name.length !== SEGMENT_NAME_DIGITS + SEGMENT_SUFFIX.length || !name.endsWith(SEGMENT_SUFFIX)) return -1;
  const digits = name.slice(0, SEGMENT_NAME_DIGITS);
  if (!/^[0-9]+$/.test(digits)) return -1;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : -1;
}
