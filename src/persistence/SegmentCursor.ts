/**
 * Reads the records of one segment file in big chunks (fs.readSync into one reusable buffer) and
 * classifies what it finds. Shared by JournalReader (hot), JournalWriter recovery and
 * verifyJournal. It never throws for damage: `next()` returns a status and leaves the decoded
 * fields (or a reason) on the cursor; callers decide what a status means where they are.
 *
 * Classification at a record position p (remaining = file size - p):
 *   - remaining = 0                                        → SCAN_END
 *   - remaining < RECORD_HEADER_BYTES                      → SCAN_TORN   (a partial record)
 *   - length outside [RECORD_HEADER_BYTES, max record]:
 *       every byte from p to the end is zero               → SCAN_TORN   (zero-filled tail)
 *       otherwise                                          → SCAN_BAD_LENGTH
 *   - p + padded length > file size                        → SCAN_TORN   (a partial record)
 *   - CRC mismatch and p + padded length = file size       → SCAN_TORN   (the last record)
 *   - CRC mismatch before the end of the file              → SCAN_BAD_CRC
 *   - otherwise                                            → SCAN_RECORD (fields decoded)
 * A torn write leaves a prefix of what was written, so a record whose length word was written is
 * either complete or runs past the end of the file: the rules above never call a real tear
 * corruption. They call a damaged last record torn: it cannot be told apart from a tear.
 *
 * `next()` allocates nothing on SCAN_RECORD.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import {
  maxRecordBytes,
  maxRecordLength,
  paddedRecordBytes,
  REC_AUX_OFFSET,
  REC_CRC_OFFSET,
  REC_CRC_START,
  REC_KIND_OFFSET,
  REC_LENGTH_OFFSET,
  REC_PAYLOAD_OFFSET,
  REC_SEQUENCE_OFFSET,
  REC_TIMESTAMP_OFFSET,
  RECORD_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
} from '../layout/JournalDescriptor.js';
import { crc32cWords } from './crc32c.js';
import { readFullySync } from './fsUtil.js';
import { decodeSegmentHeader, type SegmentHeader } from './segmentHeader.js';

export const SCAN_RECORD = 0;
export const SCAN_END = 1;
export const SCAN_TORN = 2;
export const SCAN_BAD_CRC = 3;
export const SCAN_BAD_LENGTH = 4;

/** Default read chunk. */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

export class SegmentCursor {
  #buf: Uint8Array;
  #dv: DataView;
  #words: Int32Array;
  #fd = -1;
  #fileSize = 0;
  /** File offset of #buf[0]. */
  #bufStart = 0;
  /** Valid bytes in #buf. */
  #bufEnd = 0;
  /** Index in #buf of the next record. */
  #pos = 0;
  #maxRecord = 0;
  readonly #verifyCrc: boolean;

  /** Path of the open segment. */
  path = '';
  /** Header of the open segment (null when none is open). */
  header: SegmentHeader | null = null;
  /** File offset of the record last examined (its start, whatever the status). */
  recordOffset = 0;
  /** Fields of the last SCAN_RECORD. */
  length = 0;
  sequence = 0;
  timestampNs = 0;
  kind = 0;
  aux = 0;
  /** Stored CRC32C of the last SCAN_RECORD (the next segment's header chains to its last one). */
  crc = 0;
  /** Index in `buffer` of the last record's event bytes; valid until the next call. */
  payloadIndex = 0;
  payloadLength = 0;
  /** Why the last non-RECORD status was given. */
  reason = '';

  constructor(chunkBytes = DEFAULT_CHUNK_BYTES, verifyCrc = true) {
    this.#buf = new Uint8Array(chunkBytes);
    this.#dv = new DataView(this.#buf.buffer);
    this.#words = new Int32Array(this.#buf.buffer);
    this.#verifyCrc = verifyCrc;
  }

  /** The read buffer (its contents move on refills: use `payloadIndex` only until the next call). */
  get buffer(): Uint8Array {
    return this.#buf;
  }

  /** Int32Array over `buffer` (same bytes), for word copies and CRCs. */
  get words(): Int32Array {
    return this.#words;
  }

  /** Size of the open file when it was opened. */
  get fileSize(): number {
    return this.#fileSize;
  }

  /** File offset just after the last SCAN_RECORD (= where a torn tail starts). */
  get validEnd(): number {
    return this.#bufStart + this.#pos;
  }

  /**
   * Opens a segment and decodes its header. Returns null (and keeps the file closed) when the
   * file is shorter than a header: a segment whose creation was cut off. Throws the coded errors
   * of decodeSegmentHeader.
   */
  open(path: string): SegmentHeader | null {
    this.close();
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size < SEGMENT_HEADER_BYTES) {
        closeSync(fd);
        this.#fileSize = size;
        this.path = path;
        return null;
      }
      readFullySync(fd, this.#buf, 0, SEGMENT_HEADER_BYTES, 0);
      const header = decodeSegmentHeader(this.#buf, path);
      this.#maxRecord = maxRecordLength(header.payloadSize);
      if (this.#buf.length < 2 * maxRecordBytes(header.payloadSize)) {
        this.#buf = new Uint8Array(2 * maxRecordBytes(header.payloadSize));
        this.#dv = new DataView(this.#buf.buffer);
        this.#words = new Int32Array(this.#buf.buffer);
      }
      this.#fd = fd;
      this.#fileSize = size;
      this.#bufStart = SEGMENT_HEADER_BYTES;
      this.#bufEnd = 0;
      this.#pos = 0;
      this.path = path;
      this.header = header;
      return header;
    } catch (err) {
      if (this.#fd !== fd) closeSync(fd);
      throw err;
    }
  }

  /** Closes the open segment (idempotent). */
  close(): void {
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
    this.header = null;
  }

  /** Moves the unread bytes to the front of the buffer and reads more. */
  #fill(): void {
    const keep = this.#bufEnd - this.#pos;
    if (keep > 0 && this.#pos > 0) this.#buf.copyWithin(0, this.#pos, this.#bufEnd);
    this.#bufStart += this.#pos;
    this.#bufEnd = keep;
    this.#pos = 0;
    const fileLeft = this.#fileSize - (this.#bufStart + keep);
    const want = Math.min(this.#buf.length - keep, fileLeft);
    if (want > 0) this.#bufEnd += readFullySync(this.#fd, this.#buf, keep, want, this.#bufStart + keep);
  }

  /** Examines the next record; see the class comment for the statuses. */
  next(): number {
    let p = this.#pos;
    const fileOffset = this.#bufStart + p;
    this.recordOffset = fileOffset;
    const remaining = this.#fileSize - fileOffset;
    if (remaining <= 0) return SCAN_END;
    if (remaining < RECORD_HEADER_BYTES) {
      this.reason = `partial record: ${remaining} bytes left, a record header needs ${RECORD_HEADER_BYTES}`;
      return SCAN_TORN;
    }
    if (this.#bufEnd - p < RECORD_HEADER_BYTES) {
      this.#fill();
      p = 0;
    }
    const dv = this.#dv;
    const length = dv.getUint32(p + REC_LENGTH_OFFSET, true);
    if (length < RECORD_HEADER_BYTES || length > this.#maxRecord) {
      if (this.#restIsZero(fileOffset)) {
        this.reason = `zero-filled tail of ${remaining} bytes`;
        return SCAN_TORN;
      }
      this.reason = `record length ${length} outside [${RECORD_HEADER_BYTES}, ${this.#maxRecord}]`;
      return SCAN_BAD_LENGTH;
    }
    const stride = paddedRecordBytes(length);
    if (stride > remaining) {
      this.reason = `partial record: length ${length} (${stride} bytes padded), ${remaining} bytes left`;
      return SCAN_TORN;
    }
    if (this.#bufEnd - p < stride) {
      this.#fill();
      p = 0;
    }
    if (this.#verifyCrc) {
      const stored = dv.getUint32(p + REC_CRC_OFFSET, true);
      const computed = crc32cWords(this.#words, this.#buf, p + REC_CRC_START, stride - REC_CRC_START);
      if (stored !== computed) {
        this.reason = `record CRC32C mismatch (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})`;
        return stride === remaining ? SCAN_TORN : SCAN_BAD_CRC;
      }
    }
    this.length = length;
    this.crc = dv.getUint32(p + REC_CRC_OFFSET, true);
    this.sequence = dv.getFloat64(p + REC_SEQUENCE_OFFSET, true);
    this.timestampNs = dv.getFloat64(p + REC_TIMESTAMP_OFFSET, true);
    this.kind = dv.getUint32(p + REC_KIND_OFFSET, true);
    this.aux = dv.getUint32(p + REC_AUX_OFFSET, true);
    this.payloadIndex = p + REC_PAYLOAD_OFFSET;
    this.payloadLength = length - REC_PAYLOAD_OFFSET;
    this.#pos = p + stride;
    return SCAN_RECORD;
  }

  /** Skips the record just rejected with SCAN_BAD_CRC (its length is sane) so a scan can go on. */
  skipBadRecord(): void {
    this.#pos += paddedRecordBytes(this.#dv.getUint32(this.#pos + REC_LENGTH_OFFSET, true));
  }

  #restIsZero(from: number): boolean {
    const chunk = new Uint8Array(64 * 1024);
    for (let at = from; at < this.#fileSize; at += chunk.length) {
      const n = readFullySync(this.#fd, chunk, 0, Math.min(chunk.length, this.#fileSize - at), at);
      for (let i = 0; i < n; i++) if (chunk[i] !== 0) return false;
    }
    return true;
  }
}
