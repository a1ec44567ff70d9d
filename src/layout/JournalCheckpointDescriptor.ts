/**
 * Binary layout of `<dataDir>/journal/checkpoint`: a durable record of how far the journal has
 * reached, so that a deleted newest (or only) segment, or a journal cut cleanly at a record
 * boundary, is detected instead of read as a shorter journal. Little-endian, 32 bytes:
 *
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   magic (u32, "RBCP")                          |  0
 *   |                   format version (u32)                         |  4
 *   |                   newest segment's first sequence (f64)        |  8
 *   |                   last sequence reached (f64; -1: none)        |  16
 *   |                   CRC32C of that record (u32; 0 when none)     |  24
 *   |                   CRC32C (u32, over bytes 0..27)               |  28
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The journal writer replaces it atomically (temp file, fsync, rename, directory fsync) when it
 * creates a segment (its header is durable by then) and when it closes (everything is durable by
 * then). Both are lower bounds: the journal only grows past them.
 */

/** Magic ("RBCP" read as a little-endian u32). */
export const CHECKPOINT_MAGIC = 0x50434252;
/** Checkpoint format version. */
export const CHECKPOINT_FORMAT_VERSION = 1;
/** File name inside the journal directory (not a segment name, so listSegments ignores it). */
export const CHECKPOINT_FILE_NAME = 'checkpoint';

export const CP_MAGIC_OFFSET = 0;
export const CP_VERSION_OFFSET = 4;
export const CP_NEWEST_SEGMENT_OFFSET = 8;
export const CP_LAST_SEQUENCE_OFFSET = 16;
export const CP_LAST_CRC_OFFSET = 24;
export const CP_CRC_OFFSET = 28;
/** Total bytes. */
export const CHECKPOINT_BYTES = 32;
