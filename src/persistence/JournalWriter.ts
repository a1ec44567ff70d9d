/**
 * Appends ring events to journal segments `<dataDir>/journal/<20-digit first sequence>.log`
 * (layout in layout/JournalDescriptor.ts). Single writer: one JournalWriter per data directory,
 * used from one thread (the journal stage's worker). Nothing guards against a second process
 * writing the same directory.
 *
 * Wiring (the journal stage is a handler with no upstream, so it sees every published sequence):
 *
 * ```ts
 * const writer = JournalWriter.open(dataDir, { fingerprint: Order.fingerprint, eventName: Order.name,
 *   payloadSize: Order.payloadSize, epochMs: ring.epochMs, fsync: 'batch' });
 * // writer.recovery.lastSequence: the journal continues at lastSequence + 1
 * onEvent(event, sequence, endOfBatch) {
 *   writer.append(sequence, event.$timestamp, event.$kind, event.$aux, ringBytes, event.$base + SLOT_HEADER_BYTES, Order.payloadSize);
 *   if (endOfBatch) writer.commit();        // before the stage's sequence is advanced
 * }
 * // 'everyMs': when the stage is idle, wait at most writer.msUntilSyncDue() and call writer.tick().
 * ```
 *
 * Durability contract (what survives a power loss or kernel crash; a process crash alone loses
 * only what is still in the write buffer, i.e. records appended since the last commit()):
 *   - `'batch'`: commit() writes the buffered records and fdatasyncs before it returns. Every
 *     sequence ≤ durableSequence() is on stable storage; after commit() returns that is every
 *     sequence appended so far. A stage gated on the journal stage (which commits before it
 *     advances its sequence) only ever sees durable events.
 *   - `{ everyMs }`: commit() writes; it fdatasyncs when ≥ everyMs passed since the last fsync.
 *     tick() does the same check with nothing to write. A record committed at time t is durable
 *     by the first commit()/tick() at or after (last fsync + everyMs), so the window of loss is
 *     everyMs plus the caller's tick interval. durableSequence() tells exactly what is durable.
 *   - `'none'`: never fsyncs records; the OS writes them back when it likes. durableSequence() is
 *     the last sequence handed to the OS (written), which survives a process crash but not a
 *     power loss.
 *   All policies: a new segment's header and the journal directory are fsynced when the segment
 *   is created, and the previous segment is fdatasynced before that (once per segmentBytes), so
 *   only the newest segment can ever hold a torn tail. close() always fsyncs.
 *
 * After an I/O error (ENOSPC, EIO) the writer is unusable: every later call rethrows that error.
 */
import { closeSync, fdatasyncSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RingbusError, RingbusRangeError, RingbusTypeError, show } from '../errors.js';
import {
  maxRecordBytes,
  minSegmentBytes,
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
  segmentFileName,
} from '../layout/JournalDescriptor.js';
import { copyBytes, int32ViewOf } from './byteCopy.js';
import { crc32cWords } from './crc32c.js';
import { writeCheckpoint } from './journalCheckpoint.js';
import { ensureDirectory, fsyncDirectory, writeAllSync } from './fsUtil.js';
import { parseFsyncPolicy, type FsyncPolicy } from './fsyncPolicy.js';
import { journalDirectory } from './journalFiles.js';
import type { JournalSyncStats } from './JournalSyncStats.js';
import { recoverJournalTail, type RecoveredTail, type JournalRecovery } from './journalRecovery.js';
import {
  checkHeaderOptions,
  encodeSegmentHeader,
  fingerprintHex,
  parseFingerprint,
  type SegmentHeaderInput,
} from './segmentHeader.js';

export type { FsyncPolicy } from './fsyncPolicy.js';

export interface JournalWriterOptions {
  /** Schema fingerprint of the event type (EventType.fingerprint or .fingerprintValue). */
  readonly fingerprint: string | number;
  /** Event type name (EventType.name). */
  readonly eventName: string;
  /** Bytes of event fields per slot (EventType.payloadSize); no record may carry more. */
  readonly payloadSize: number;
  /** The ring's epoch (ms since 1970) that slot timestamps count from (ring.epochMs). */
  readonly epochMs: number;
  /** Segment size that triggers a roll; default 64 MiB. */
  readonly segmentBytes?: number;
  /** fsync policy; default 'batch'. */
  readonly fsync?: FsyncPolicy;
  /** Write buffer size; default 1 MiB (at least two records). */
  readonly writeBufferBytes?: number;
  /**
   * When the newest segment was written with another fingerprint, payload size or event name:
   * false (default) → RINGBUS_ERR_JOURNAL_FINGERPRINT; true → start a new segment with the new
   * schema at the next append (read the old ones back with upcasters, see JournalReader).
   */
  readonly allowSchemaChange?: boolean;
  /**
   * What `recoverJournalTail(dataDir)` returned just before, in the process that holds the data
   * directory's lock: the writer then skips its own scan of the newest segment (a full read of up to
   * segmentBytes). It is used only if the segment's size on disk still equals its validBytes;
   * otherwise the writer scans as usual.
   */
  readonly recoveredTail?: RecoveredTail;
  /** Where each fdatasync that makes records durable is counted (latency, group size). */
  readonly syncStats?: JournalSyncStats;
}

const MODE_NONE = 0;
const MODE_BATCH = 1;
const MODE_EVERY = 2;

export class JournalWriter {
  readonly #dir: string;
  readonly #header: Omit<SegmentHeaderInput, 'firstSequence'>;
  /** CRC32C of the last record appended (the next segment header chains to it), when #chained. */
  #lastCrc = 0;
  #chained = false;
  readonly #segmentBytes: number;
  readonly #mode: number;
  readonly #everyMs: number;
  readonly #buf: Uint8Array;
  readonly #dv: DataView;
  readonly #words: Int32Array;
  #source: Uint8Array | null = null;
  #sourceWords: Int32Array | null = null;
  #fd = -1;
  #segmentPath = '';
  #segmentFirst = -1;
  #segmentSize = 0;
  #segmentRecords = 0;
  #needNewSegment = false;
  #buffered = 0;
  /** Next sequence append() accepts; -1: any (empty journal). */
  #next: number;
  #lastAppended: number;
  #written: number;
  #durable: number;
  #lastSyncMs = performance.now();
  #failure: unknown = null;
  readonly #stats: JournalSyncStats | null;
  /** What opening found and repaired. */
  readonly recovery: JournalRecovery;

  /** Opens `<dataDir>/journal` for appending (created if missing), recovering its tail first. */
  static open(dataDir: string, options: JournalWriterOptions): JournalWriter {
    return new JournalWriter(dataDir, options);
  }

  private constructor(dataDir: string, options: JournalWriterOptions) {
    if (typeof dataDir !== 'string' || dataDir.length === 0)
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `dataDir must be a non-empty path, got ${show(dataDir)}`,
      );
    if (typeof options !== 'object' || options === null)
      throw new RingbusTypeError('RINGBUS_ERR_INVALID_OPTION', `options must be an object, got ${show(options)}`);
    const fingerprint = parseFingerprint(options.fingerprint, 'fingerprint');
    checkHeaderOptions(options.eventName, options.payloadSize, options.epochMs);
    const { payloadSize, eventName, epochMs } = options;
    const segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    const minSegment = minSegmentBytes(payloadSize);
    if (typeof segmentBytes !== 'number' || !Number.isSafeInteger(segmentBytes) || segmentBytes < minSegment) {
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `segmentBytes must be an integer ≥ ${minSegment} (header + 16 records of payloadSize ${payloadSize}), got ${show(segmentBytes)}`,
      );
    }
    const fsync = parseFsyncPolicy(options.fsync, 'fsync');
    this.#mode = fsync.mode === 'none' ? MODE_NONE : fsync.mode === 'batch' ? MODE_BATCH : MODE_EVERY;
    this.#everyMs = fsync.everyMs;
    this.#stats = options.syncStats ?? null;
    const bufferBytes = Math.max(
      options.writeBufferBytes ?? 1024 * 1024,
      2 * maxRecordBytes(payloadSize),
      SEGMENT_HEADER_BYTES,
    );
    this.#buf = new Uint8Array(bufferBytes);
    this.#dv = new DataView(this.#buf.buffer);
    this.#words = new Int32Array(this.#buf.buffer);
    this.#dir = journalDirectory(dataDir);
    this.#header = { fingerprint, eventName, payloadSize, epochMs };
    this.#segmentBytes = segmentBytes;

    ensureDirectory(this.#dir);
    const given = options.recoveredTail;
    const tail = given !== undefined && tailStillValid(given) ? given : recoverJournalTail(dataDir);
    this.recovery = tail.report;
    this.#next = tail.segment === null ? -1 : tail.report.lastSequence + 1;
    this.#lastAppended = this.#written = this.#durable = tail.report.lastSequence;
    this.#lastCrc = tail.lastCrc;
    this.#chained = tail.chained;
    if (tail.segment !== null && tail.header !== null) {
      const h = tail.header;
      const sameSchema = h.fingerprint === fingerprint && h.payloadSize === payloadSize && h.eventName === eventName;
      if (!sameSchema && options.allowSchemaChange !== true) {
        throw new RingbusError(
          'RINGBUS_ERR_JOURNAL_FINGERPRINT',
          `journal segment ${tail.segment.path} was written for event ${show(h.eventName)} with schema fingerprint ${fingerprintHex(h.fingerprint)} ` +
            `(payload ${h.payloadSize} bytes); this writer has event ${show(eventName)} with fingerprint ${fingerprintHex(fingerprint)} (payload ${payloadSize} bytes). ` +
            `Pass allowSchemaChange: true to start a new segment with the new schema.`,
        );
      }
      this.#segmentPath = tail.segment.path;
      this.#segmentFirst = tail.segment.firstSequence;
      this.#segmentSize = tail.validBytes;
      this.#segmentRecords = tail.records;
      this.#fd = openSync(this.#segmentPath, 'r+');
      fdatasyncSync(this.#fd); // what a crashed process left in the page cache is durable from here
      this.#needNewSegment = !sameSchema || h.epochMs !== epochMs;
    }
  }

  /**
   * Buffers one record. `source[offset, offset + length)` are the slot's field bytes (length ≤
   * payloadSize). Sequences must be contiguous: anything but lastSequence() + 1 throws
   * RINGBUS_ERR_JOURNAL_SEQUENCE (any sequence is accepted first in an empty journal).
   * Allocation-free (pass the same `source` array every time: the first call with a new one builds
   * an Int32Array view of it for word copies); may write (full buffer) or roll the segment.
   */
  append(
    sequence: number,
    timestampNs: number,
    kind: number,
    aux: number,
    source: Uint8Array,
    offset: number,
    length: number,
  ): void {
    if (this.#failure !== null) throw this.#failure;
    if (sequence !== this.#next) {
      if (this.#next !== -1 || !Number.isSafeInteger(sequence) || sequence < 0) {
        throw new RingbusError(
          'RINGBUS_ERR_JOURNAL_SEQUENCE',
          `journal append of sequence ${show(sequence)}, expected ${this.#next} (records must be contiguous)`,
        );
      }
    }
    if (!(length >= 0 && length <= this.#header.payloadSize)) {
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `journal append length must be in [0, ${this.#header.payloadSize}] (payloadSize), got ${show(length)}`,
      );
    }
    const recordLength = RECORD_HEADER_BYTES + length;
    const recordBytes = paddedRecordBytes(recordLength);
    try {
      if (this.#fd < 0 || this.#needNewSegment) this.#startSegment(sequence);
      else if (this.#segmentRecords > 0 && this.#segmentSize + this.#buffered + recordBytes > this.#segmentBytes)
        this.#startSegment(sequence);
      if (this.#buffered + recordBytes > this.#buf.length) this.#flush();
    } catch (err) {
      this.#failure = err;
      throw err;
    }
    const buf = this.#buf;
    const dv = this.#dv;
    const p = this.#buffered;
    dv.setUint32(p + REC_LENGTH_OFFSET, recordLength, true);
    dv.setFloat64(p + REC_SEQUENCE_OFFSET, sequence, true);
    dv.setFloat64(p + REC_TIMESTAMP_OFFSET, timestampNs, true);
    dv.setUint32(p + REC_KIND_OFFSET, kind >>> 0, true);
    dv.setUint32(p + REC_AUX_OFFSET, aux >>> 0, true);
    if (source !== this.#source) {
      this.#source = source; // a new source array: build its word view once
      this.#sourceWords = int32ViewOf(source);
    }
    copyBytes(source, this.#sourceWords, offset, buf, this.#words, p + REC_PAYLOAD_OFFSET, length);
    for (let i = p + recordLength; i < p + recordBytes; i++) buf[i] = 0;
    const crc = crc32cWords(this.#words, buf, p + REC_CRC_START, recordBytes - REC_CRC_START);
    dv.setUint32(p + REC_CRC_OFFSET, crc, true);
    this.#lastCrc = crc;
    this.#chained = true;
    this.#buffered = p + recordBytes;
    this.#segmentRecords++;
    this.#next = sequence + 1;
    this.#lastAppended = sequence;
  }

  /** Writes the buffered records (fs.writeSync) and fsyncs as the policy says. Call at the end of each batch. */
  commit(): void {
    if (this.#failure !== null) throw this.#failure;
    try {
      this.#flush();
      if (this.#mode === MODE_NONE) this.#durable = this.#written;
      else if (
        this.#written !== this.#durable &&
        (this.#mode === MODE_BATCH || performance.now() - this.#lastSyncMs >= this.#everyMs)
      )
        this.#sync();
    } catch (err) {
      this.#failure = err;
      throw err;
    }
  }

  /** For `{ everyMs }`: fsyncs written-but-unsynced records when everyMs passed since the last fsync. Cheap when there is nothing to do. */
  tick(): void {
    if (this.#mode !== MODE_EVERY || this.#written === this.#durable || this.#failure !== null) return;
    if (performance.now() - this.#lastSyncMs >= this.#everyMs) {
      try {
        this.#sync();
      } catch (err) {
        this.#failure = err;
        throw err;
      }
    }
  }

  /** ms until tick() would fsync (0: due now); Infinity when every written record is durable. */
  msUntilSyncDue(): number {
    if (this.#written === this.#durable) return Infinity;
    return Math.max(0, this.#lastSyncMs + this.#everyMs - performance.now());
  }

  /** Writes and fsyncs everything now, whatever the policy. */
  sync(): void {
    if (this.#failure !== null) throw this.#failure;
    this.#flush();
    if (this.#fd >= 0) this.#sync();
  }

  /** Last sequence appended (buffered or written); -1 when none. */
  lastSequence(): number {
    return this.#lastAppended;
  }

  /** Last sequence handed to the OS with fs.writeSync. */
  writtenSequence(): number {
    return this.#written;
  }

  /** Last sequence known to be on stable storage (for 'none': the last written). */
  durableSequence(): number {
    return this.#durable;
  }

  /** Path of the segment being appended to ('' before the first). */
  segmentPath(): string {
    return this.#segmentPath;
  }

  /** Commits, fsyncs and closes. Idempotent. */
  close(): void {
    if (this.#fd < 0) return;
    try {
      if (this.#failure === null) {
        this.sync();
        this.#writeCheckpoint(this.#durable);
      }
    } finally {
      closeSync(this.#fd);
      this.#fd = -1;
    }
  }

  #flush(): void {
    if (this.#buffered === 0) return;
    writeAllSync(this.#fd, this.#buf, 0, this.#buffered, this.#segmentSize);
    this.#segmentSize += this.#buffered;
    this.#buffered = 0;
    this.#written = this.#lastAppended;
  }

  #sync(): void {
    const started = performance.now();
    fdatasyncSync(this.#fd);
    const group = this.#written - this.#durable;
    this.#durable = this.#written;
    this.#lastSyncMs = performance.now();
    if (this.#stats !== null && group > 0) this.#stats.record((this.#lastSyncMs - started) * 1e6, group);
  }

  /**
   * Ends the current segment (written + fdatasynced, whatever the policy) and creates one at
   * `firstSequence` (overwriting an empty one of the same name); fsyncs its header and the directory.
   */
  #startSegment(firstSequence: number): void {
    if (this.#fd >= 0) {
      this.#flush();
      this.#sync();
      closeSync(this.#fd);
      this.#fd = -1;
    }
    const path = join(this.#dir, segmentFileName(firstSequence));
    const fd = openSync(path, 'w');
    const chain = { chained: this.#chained, prevCrc: this.#lastCrc };
    encodeSegmentHeader({ ...this.#header, ...chain, firstSequence }, this.#buf);
    writeAllSync(fd, this.#buf, 0, SEGMENT_HEADER_BYTES, 0);
    fdatasyncSync(fd);
    fsyncDirectory(this.#dir);
    this.#fd = fd;
    this.#segmentPath = path;
    this.#segmentFirst = firstSequence;
    this.#writeCheckpoint(firstSequence - 1);
    this.#segmentSize = SEGMENT_HEADER_BYTES;
    this.#segmentRecords = 0;
    this.#needNewSegment = false;
  }

  /** Records how far the journal reached (a lower bound; see layout/JournalCheckpointDescriptor.ts). */
  #writeCheckpoint(reached: number): void {
    if (this.#segmentFirst < 0) return;
    const atLast = reached === this.#lastAppended && this.#chained;
    writeCheckpoint(this.#dir, {
      newestSegment: this.#segmentFirst,
      lastSequence: atLast ? reached : this.#segmentFirst - 1,
      lastCrc: atLast ? this.#lastCrc : 0,
    });
  }
}

/** A tail found earlier is still the journal's: its segment has exactly the bytes recovery kept. */
function tailStillValid(tail: RecoveredTail): boolean {
  if (tail.segment === null) return false; // an empty journal is cheap to scan again
  try {
    return statSync(tail.segment.path).size === tail.validBytes;
  } catch {
    return false;
  }
}
