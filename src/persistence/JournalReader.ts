/**
 * Reads journal records in sequence order from any starting sequence: finds the segment by binary
 * search over the file names, then scans it in big chunks (fs.readSync into one reusable buffer),
 * checking each record's CRC32C and that sequences are contiguous within and across segments.
 *
 * Read-only: it never repairs anything. A torn tail of the NEWEST segment (a crash, or a writer
 * appending right now) ends the iteration and is described in `tornTail`; any other damage throws
 * RINGBUS_ERR_JOURNAL_CORRUPT (file, offset, expected sequence) or RINGBUS_ERR_JOURNAL_SEQUENCE
 * (a gap between records or segments).
 *
 * ```ts
 * const reader = new JournalReader(dataDir, { fingerprint: Order.fingerprint });
 * reader.seek(snapshot.sequence + 1);
 * for (let r = reader.next(); r !== null; r = reader.next()) {
 *   // r is reused: r.sequence, r.timestampNs, r.kind, r.aux, r.payload (view) or r.copyPayloadTo(slotBytes, at)
 * }
 * reader.close();
 * ```
 * Recovery: check `next().sequence === snapshot.sequence + 1` (or that the journal starts there):
 * a pruned or missing segment shows up as a later first sequence, not as an error.
 *
 * Upcasting: a segment written with another fingerprint is refused (RINGBUS_ERR_JOURNAL_FINGERPRINT)
 * unless `upcasters[oldFingerprintHex]` exists; then each of its records' event bytes are passed
 * through it and the record yields the returned bytes (laid out as the current schema). An
 * upcaster receives the old bytes (a view, valid during the call) and the record (sequence, kind,
 * aux, timestamp, fingerprint of the old segment); it must be deterministic, may return a reused
 * buffer, and must convert all the way to the current schema (chain inside it if needed).
 *
 * `next()` allocates nothing per record (unless an upcaster does, or `payload` is read: see
 * JournalRecord).
 */
import { RingbusError, RingbusRangeError, RingbusTypeError, show } from '../errors.js';
import { findSegmentIndex, listSegments, type SegmentFile } from './journalFiles.js';
import { JournalRecord } from './JournalRecord.js';
import { corruptAt } from './journalRecovery.js';
import { DEFAULT_CHUNK_BYTES, SCAN_END, SCAN_RECORD, SCAN_TORN, SegmentCursor } from './SegmentCursor.js';
import { fingerprintHex, parseFingerprint } from './segmentHeader.js';

/** Converts one record's event bytes from an old schema to the current one. */
export type Upcaster = (oldPayload: Uint8Array, record: JournalRecord) => Uint8Array;

export interface JournalReaderOptions {
  /** Fingerprint of the current schema; segments with another one need an upcaster. Omit to accept any. */
  readonly fingerprint?: string | number;
  /** Old fingerprint (8 hex digits) → upcaster. */
  readonly upcasters?: Readonly<Record<string, Upcaster>>;
  /** Check each record's CRC32C (default true). */
  readonly verifyCrc?: boolean;
  /** Read chunk size (default 4 MiB). */
  readonly chunkBytes?: number;
}

/** Where the iteration stopped at a torn tail. */
export interface TornTail {
  readonly file: string;
  readonly offset: number;
  readonly bytes: number;
  readonly reason: string;
}

export class JournalReader {
  readonly #dataDir: string;
  readonly #expectedFingerprint: number;
  readonly #upcasters: ReadonlyMap<number, Upcaster>;
  readonly #cursor: SegmentCursor;
  readonly #record = new JournalRecord();
  #segments: SegmentFile[];
  #segIndex = 0;
  #isOpen = false;
  #done = false;
  #from = 0;
  #expected = -1;
  #upcaster: Upcaster | null = null;
  /** Set when the iteration ended at a torn tail of the newest segment. */
  tornTail: TornTail | null = null;

  constructor(dataDir: string, options: JournalReaderOptions = {}) {
    if (typeof dataDir !== 'string' || dataDir.length === 0)
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `dataDir must be a non-empty path, got ${show(dataDir)}`,
      );
    this.#dataDir = dataDir;
    this.#expectedFingerprint =
      options.fingerprint === undefined ? -1 : parseFingerprint(options.fingerprint, 'fingerprint');
    const upcasters = new Map<number, Upcaster>();
    for (const [key, fn] of Object.entries(options.upcasters ?? {})) {
      if (typeof fn !== 'function')
        throw new RingbusTypeError(
          'RINGBUS_ERR_INVALID_OPTION',
          `upcasters[${show(key)}] must be a function (oldPayload, record) => Uint8Array, got ${show(fn)}`,
        );
      upcasters.set(parseFingerprint(key, `upcasters key`), fn);
    }
    this.#upcasters = upcasters;
    const chunk = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!Number.isSafeInteger(chunk) || chunk < 4096)
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `chunkBytes must be an integer ≥ 4096, got ${show(chunk)}`,
      );
    this.#cursor = new SegmentCursor(chunk, options.verifyCrc !== false);
    this.#segments = listSegments(dataDir);
  }

  /** The segment files seen at construction / the last seek(). */
  segmentFiles(): readonly SegmentFile[] {
    return this.#segments;
  }

  /** First sequence of the oldest segment, or -1 when the journal is empty. */
  firstSequence(): number {
    return this.#segments.length === 0 ? -1 : this.#segments[0]!.firstSequence;
  }

  /** Positions the reader so that next() yields the first record with sequence ≥ `sequence`. Re-lists the segments. */
  seek(sequence: number): this {
    if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 0) {
      throw new RingbusRangeError(
        'RINGBUS_ERR_SEQUENCE_RANGE',
        `seek sequence must be a non-negative integer, got ${show(sequence)}`,
      );
    }
    this.#cursor.close();
    this.#segments = listSegments(this.#dataDir);
    this.#segIndex = Math.max(0, findSegmentIndex(this.#segments, sequence));
    this.#isOpen = false;
    this.#done = false;
    this.#from = sequence;
    this.#expected = -1;
    this.tornTail = null;
    return this;
  }

  /** The next record (the same reused object each time), or null at the end of the journal. */
  next(): JournalRecord | null {
    const cursor = this.#cursor;
    const record = this.#record;
    while (!this.#done) {
      if (!this.#isOpen && !this.#openSegment()) return null;
      const status = cursor.next();
      if (status === SCAN_RECORD) {
        const sequence = cursor.sequence;
        if (sequence !== this.#expected) {
          throw new RingbusError(
            'RINGBUS_ERR_JOURNAL_SEQUENCE',
            `journal ${cursor.path} at byte offset ${cursor.recordOffset}: an intact record holds sequence ${sequence}, expected ${this.#expected}`,
          );
        }
        this.#expected = sequence + 1;
        if (sequence < this.#from) continue;
        record.sequence = sequence;
        record.timestampNs = cursor.timestampNs;
        record.kind = cursor.kind;
        record.aux = cursor.aux;
        record._point(cursor.buffer, cursor.words, cursor.payloadIndex, cursor.payloadLength);
        if (this.#upcaster !== null) {
          const upcast = this.#upcast(record);
          record._point(upcast, null, 0, upcast.length);
        }
        return record;
      }
      if (status === SCAN_END) {
        this.#cursor.close();
        this.#isOpen = false;
        this.#segIndex++;
        continue;
      }
      const newest = this.#segIndex === this.#segments.length - 1;
      if (status === SCAN_TORN && newest) {
        this.tornTail = {
          file: cursor.path,
          offset: cursor.recordOffset,
          bytes: cursor.fileSize - cursor.recordOffset,
          reason: cursor.reason,
        };
        this.#finish();
        return null;
      }
      throw corruptAt(
        cursor.path,
        cursor.recordOffset,
        this.#expected,
        status === SCAN_TORN ? `${cursor.reason} in a segment that is not the newest` : cursor.reason,
      );
    }
    return null;
  }

  /** Iterates records from `from` through `to` (inclusive); yields the reused record object. */
  *records(from = 0, to = Number.MAX_SAFE_INTEGER): Generator<JournalRecord, void, undefined> {
    this.seek(from);
    for (let r = this.next(); r !== null && r.sequence <= to; r = this.next()) yield r;
  }

  /** Releases the open file. */
  close(): void {
    this.#cursor.close();
    this.#isOpen = false;
    this.#done = true;
  }

  #finish(): void {
    this.#cursor.close();
    this.#isOpen = false;
    this.#done = true;
  }

  #upcast(record: JournalRecord): Uint8Array {
    const out = this.#upcaster!(record.payload, record);
    if (!(out instanceof Uint8Array)) {
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `upcaster for fingerprint ${fingerprintHex(record.fingerprint)} returned ${show(out)} for sequence ${record.sequence}; it must return a Uint8Array`,
      );
    }
    return out;
  }

  /** Opens segment #segIndex; false at the end of the journal. */
  #openSegment(): boolean {
    if (this.#segIndex >= this.#segments.length) {
      this.#finish();
      return false;
    }
    const seg = this.#segments[this.#segIndex]!;
    const header = this.#cursor.open(seg.path);
    if (header === null) {
      if (this.#segIndex === this.#segments.length - 1) {
        this.tornTail = {
          file: seg.path,
          offset: 0,
          bytes: this.#cursor.fileSize,
          reason: 'segment shorter than its header',
        };
        this.#finish();
        return false;
      }
      throw corruptAt(
        seg.path,
        0,
        this.#expected,
        `segment of ${this.#cursor.fileSize} bytes is shorter than its header and is not the newest`,
      );
    }
    if (header.firstSequence !== seg.firstSequence) {
      throw corruptAt(
        seg.path,
        0,
        seg.firstSequence,
        `the header says first sequence ${header.firstSequence}, the file name says ${seg.firstSequence}`,
      );
    }
    if (this.#expected !== -1 && header.firstSequence !== this.#expected) {
      throw new RingbusError(
        'RINGBUS_ERR_JOURNAL_SEQUENCE',
        `journal gap: ${seg.path} starts at sequence ${header.firstSequence}, but the previous segment ended before sequence ${this.#expected}`,
      );
    }
    this.#expected = header.firstSequence;
    this.#upcaster = null;
    if (this.#expectedFingerprint !== -1 && header.fingerprint !== this.#expectedFingerprint) {
      const up = this.#upcasters.get(header.fingerprint);
      if (up === undefined) {
        throw new RingbusError(
          'RINGBUS_ERR_JOURNAL_FINGERPRINT',
          `journal segment ${seg.path} was written with schema fingerprint ${fingerprintHex(header.fingerprint)} (event ${show(header.eventName)}), ` +
            `the reader expects ${fingerprintHex(this.#expectedFingerprint)}; pass an upcaster for ${fingerprintHex(header.fingerprint)} to read it`,
        );
      }
      this.#upcaster = up;
    }
    this.#record.epochMs = header.epochMs;
    this.#record.fingerprint = header.fingerprint;
    this.#isOpen = true;
    return true;
  }
}
