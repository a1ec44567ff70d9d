/**
 * Record framing shared by the journal (JournalDescriptor.ts) and dead-letter files
 * (DeadLetterDescriptor.ts): every record of both starts with this 32-byte frame. Little-endian.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        CRC32C (u32, over bytes 4 .. end of the record)         |  0
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        record length (u32, whole record incl. the CRC word)    |  4
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        sequence (f64, an integer exact to 2^53)                |  8
 *   |                                                                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        publish timestamp (f64, ns since the ring epoch)        |  16
 *   |                                                                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        slot kind (u32)                                         |  24
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        slot aux (u32)                                          |  28
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The CRC comes first so that it covers every byte after it, the length word included: a flipped
 * length bit can no longer re-frame a record into one that passes its CRC (format version 1 kept
 * the length outside the CRC). The CRC starts at a multiple of 4, so it can run over 32-bit words.
 */

const U32 = 4;
const F64 = 8;

/** Frame byte offset: CRC32C over [FRAME_CRC_START, end of the record). */
export const FRAME_CRC_OFFSET = 0;
/** Frame byte offset: record length (u32, the whole record, frame included, padding excluded). */
export const FRAME_LENGTH_OFFSET = FRAME_CRC_OFFSET + U32;
/** First byte the record CRC covers: the length word and everything after it. */
export const FRAME_CRC_START = FRAME_LENGTH_OFFSET;
/** Frame byte offset: sequence (f64). */
export const FRAME_SEQUENCE_OFFSET = FRAME_LENGTH_OFFSET + U32;
/** Frame byte offset: publish timestamp (f64 ns since the ring epoch). */
export const FRAME_TIMESTAMP_OFFSET = FRAME_SEQUENCE_OFFSET + F64;
/** Frame byte offset: slot kind (u32). */
export const FRAME_KIND_OFFSET = FRAME_TIMESTAMP_OFFSET + F64;
/** Frame byte offset: slot aux (u32). */
export const FRAME_AUX_OFFSET = FRAME_KIND_OFFSET + U32;
/** Bytes of the frame; a record's own fields follow. */
export const FRAME_BYTES = FRAME_AUX_OFFSET + U32;
