/**
 * Binary layout of a dead-letter file: events a handler failed on under the 'skip' exception
 * policy. Every integer is little-endian; offsets are computed from sizes.
 *
 * File header (DL_HEADER_BYTES = 32 bytes):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   magic (u32, "RBDL")                          |  0
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   format version (u32)                         |  4
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   header length (u32, = 32)                    |  8
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   reserved (zero, 16 bytes)                    |  12
 *   ~                                                                ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   header CRC32C (u32, over bytes 0..27)        |  28
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Record (DL_RECORD_HEADER_BYTES = 56 bytes + variable parts), back to back:
 *
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        record frame (RecordFraming.ts: CRC32C over bytes 4 ..  |  0
 *   |        length-1, length, sequence, timestamp, kind, aux)       |
 *   |        recorded at (f64, wall clock ms since 1970)             |  32
 *   |        handler name length (u32)                               |  40
 *   |        error message length (u32)                              |  44
 *   |        error stack length (u32)                                |  48
 *   |        event bytes length (u32)                                |  52
 *   |        handler name (UTF-8) | message (UTF-8) | stack (UTF-8)  |  56
 *   |        | event bytes                                           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * A record's length is sane when DL_RECORD_HEADER_BYTES ≤ length ≤ DL_MAX_RECORD_BYTES and the
 * four part lengths add up to length - DL_RECORD_HEADER_BYTES.
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

/** Magic number of a dead-letter file ("RBDL" read as a little-endian u32). */
export const DL_MAGIC = 0x4c444252;
/** Dead-letter format version (2: the record frame of RecordFraming.ts, CRC over the length word). */
export const DL_FORMAT_VERSION = 2;

const U32 = 4;
const F64 = 8;

/** Header byte offset: magic. */
export const DL_MAGIC_OFFSET = 0;
/** Header byte offset: format version. */
export const DL_VERSION_OFFSET = DL_MAGIC_OFFSET + U32;
/** Header byte offset: header length. */
export const DL_HEADER_LENGTH_OFFSET = DL_VERSION_OFFSET + U32;
/** Total header bytes. */
export const DL_HEADER_BYTES = 32;
/** Header byte offset: CRC32C over [0, DL_HEADER_CRC_OFFSET). */
export const DL_HEADER_CRC_OFFSET = DL_HEADER_BYTES - U32;

/** Record byte offset: CRC32C over [DL_REC_CRC_START, length). */
export const DL_REC_CRC_OFFSET = FRAME_CRC_OFFSET;
/** Record byte offset: record length (inside the CRC). */
export const DL_REC_LENGTH_OFFSET = FRAME_LENGTH_OFFSET;
/** First byte the record CRC covers (the length word). */
export const DL_REC_CRC_START = FRAME_CRC_START;
/** Record byte offset: sequence. */
export const DL_REC_SEQUENCE_OFFSET = FRAME_SEQUENCE_OFFSET;
/** Record byte offset: publish timestamp. */
export const DL_REC_TIMESTAMP_OFFSET = FRAME_TIMESTAMP_OFFSET;
/** Record byte offset: slot kind. */
export const DL_REC_KIND_OFFSET = FRAME_KIND_OFFSET;
/** Record byte offset: slot aux. */
export const DL_REC_AUX_OFFSET = FRAME_AUX_OFFSET;
/** Record byte offset: wall-clock time the failure was recorded. */
export const DL_REC_RECORDED_AT_OFFSET = FRAME_BYTES;
/** Record byte offset: handler name length. */
export const DL_REC_NAME_LENGTH_OFFSET = DL_REC_RECORDED_AT_OFFSET + F64;
/** Record byte offset: error message length. */
export const DL_REC_MESSAGE_LENGTH_OFFSET = DL_REC_NAME_LENGTH_OFFSET + U32;
/** Record byte offset: error stack length. */
export const DL_REC_STACK_LENGTH_OFFSET = DL_REC_MESSAGE_LENGTH_OFFSET + U32;
/** Record byte offset: event bytes length. */
export const DL_REC_EVENT_LENGTH_OFFSET = DL_REC_STACK_LENGTH_OFFSET + U32;
/** Bytes of a record before its variable parts. */
export const DL_RECORD_HEADER_BYTES = DL_REC_EVENT_LENGTH_OFFSET + U32;
/** Largest record accepted (sanity bound when reading). */
export const DL_MAX_RECORD_BYTES = 64 * 1024 * 1024;
