/**
 * Recovery of a journal's newest segment before appending: finds the last intact record,
 * truncates a torn tail, and refuses damage before the tail. Cold path (runs once on open).
 *
 * Rules (see also SegmentCursor):
 *   - a newest segment shorter than a header (its creation was cut off) is deleted and counted in
 *     `truncatedBytes`; the segment before it becomes the newest;
 *   - a torn tail of the newest segment (a partial record of any length, a zero-filled tail, or a
 *     CRC mismatch in its last record) is truncated (ftruncate + fsync) and counted;
 *   - a CRC mismatch with records after it, a record length outside sane bounds, or a record whose
 *     sequence is not the one expected → RINGBUS_ERR_JOURNAL_CORRUPT naming file, byte offset and
 *     the sequence expected there; nothing is modified;
 *   - a bad header → RINGBUS_ERR_JOURNAL_CORRUPT; another format version → RINGBUS_ERR_JOURNAL_VERSION.
 * Older segments are not rescanned here (the writer fsyncs each segment before it starts the
 * next one, so only the newest can be torn); `verifyJournal` checks them all.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, unlinkSync } from 'node:fs';
import { RingbusError } from '../errors.js';
import { fsyncDirectory } from './fsUtil.js';
import { journalDirectory, listSegments, type SegmentFile } from './journalFiles.js';
import { SCAN_END, SCAN_RECORD, SCAN_TORN, SegmentCursor } from './SegmentCursor.js';
import type { SegmentHeader } from './segmentHeader.js';

/** What recovery found and did. */
export interface JournalRecovery {
  /** Bytes removed from the tail (a torn record, a zero-filled tail, a header-less segment). */
  readonly truncatedBytes: number;
  /** Last intact sequence in the journal, or -1 when it holds no record. */
  readonly lastSequence: number;
  /** Number of segment files after recovery. */
  readonly segments: number;
  /** Why bytes were truncated ('' when none were). */
  readonly reason: string;
}

/** The newest segment after recovery, for the writer to append to. */
export interface RecoveredTail {
  readonly report: JournalRecovery;
  /** Newest segment and its header (null when the journal has no segment). */
  readonly segment: SegmentFile | null;
  readonly header: SegmentHeader | null;
  /** Bytes of intact data in the newest segment (header included). */
  readonly validBytes: number;
  /** Records in the newest segment. */
  readonly records: number;
  /** CRC32C of the journal's last record (the next segment header chains to it), when `chained`. */
  readonly lastCrc: number;
  /** False when the last record's CRC is unknown (an empty journal, or an empty first segment). */
  readonly chained: boolean;
}

export function corruptAt(file: string, offset: number, expected: number, reason: string): RingbusError {
  return new RingbusError(
    'RINGBUS_ERR_JOURNAL_CORRUPT',
    `journal damaged before its tail: ${file} at byte offset ${offset}, where sequence ${expected} was expected: ${reason}. ` +
      `Records after this point are not skipped silently; restore the file or cut the journal here by hand.`,
  );
}

/** Scans (and repairs the tail of) the newest segment of `dataDir`'s journal. */
export function recoverJournalTail(dataDir: string): RecoveredTail {
  const segments = listSegments(dataDir);
  const cursor = new SegmentCursor();
  let truncatedBytes = 0;
  let reason = '';
  try {
    while (segments.length > 0) {
      const last = segments[segments.length - 1]!;
      const header = cursor.open(last.path);
      if (header === null) {
        truncatedBytes += cursor.fileSize;
        reason = `removed ${last.name}: ${cursor.fileSize} bytes, shorter than a segment header`;
        unlinkSync(last.path);
        fsyncDirectory(journalDirectory(dataDir));
        segments.pop();
        continue;
      }
      if (header.firstSequence !== last.firstSequence) {
        throw corruptAt(
          last.path,
          0,
          last.firstSequence,
          `the header says first sequence ${header.firstSequence}, the file name says ${last.firstSequence}`,
        );
      }
      let expected = header.firstSequence;
      let records = 0;
      let lastCrc = header.prevCrc;
      let chained = header.chained;
      for (;;) {
        const status = cursor.next();
        if (status === SCAN_RECORD) {
          if (cursor.sequence !== expected) {
            throw corruptAt(
              last.path,
              cursor.recordOffset,
              expected,
              `an intact record holds sequence ${cursor.sequence}`,
            );
          }
          expected++;
          records++;
          lastCrc = cursor.crc;
          chained = true;
          continue;
        }
        if (status === SCAN_END) break;
        if (status === SCAN_TORN) {
          const cut = cursor.recordOffset;
          const fd = openSync(last.path, 'r+');
          try {
            const size = fstatSync(fd).size;
            ftruncateSync(fd, cut);
            fsyncSync(fd);
            truncatedBytes += size - cut;
          } finally {
            closeSync(fd);
          }
          reason = `truncated ${last.name} at byte offset ${cut}: ${cursor.reason}`;
          break;
        }
        throw corruptAt(last.path, cursor.recordOffset, expected, cursor.reason);
      }
      const validBytes = cursor.recordOffset;
      return {
        report: { truncatedBytes, lastSequence: expected - 1, segments: segments.length, reason },
        segment: last,
        header,
        validBytes,
        records,
        lastCrc,
        chained,
      };
    }
    return {
      report: { truncatedBytes, lastSequence: -1, segments: 0, reason },
      segment: null,
      header: null,
      validBytes: 0,
      records: 0,
      lastCrc: 0,
      chained: false,
    };
  } finally {
    cursor.close();
  }
}
