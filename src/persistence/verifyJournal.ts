/**
 * Checks every segment of a journal without modifying anything: headers, record lengths, CRCs,
 * contiguous sequences within and across segments. A torn tail of the newest segment is not an
 * error (it is what a crash leaves; JournalWriter.open truncates it): it is counted in
 * `truncatedBytes`. Everything else is an error with file, byte offset and the sequence expected
 * there. The scan goes on after an error where it can (a bad CRC with a sane length is skipped;
 * a bad length ends that segment), so one report lists every damaged place.
 */
import { RingbusError } from '../errors.js';
import { listSegments } from './journalFiles.js';
import { SCAN_BAD_CRC, SCAN_END, SCAN_RECORD, SCAN_TORN, SegmentCursor } from './SegmentCursor.js';

export interface JournalVerifyError {
  readonly file: string;
  readonly offset: number;
  /** The sequence expected at that offset (-1 when unknown). */
  readonly sequence: number;
  readonly message: string;
}

/** The shape `ringbus journal verify --json` prints. */
export interface JournalVerifyResult {
  readonly ok: boolean;
  readonly segments: number;
  /** Intact records. */
  readonly records: number;
  /** First and last intact sequence (-1 when there is none). */
  readonly firstSequence: number;
  readonly lastSequence: number;
  /** Bytes of torn tail JournalWriter.open would truncate. */
  readonly truncatedBytes: number;
  readonly errors: JournalVerifyError[];
}

/** Most errors listed; one more entry says how many were left out. */
const MAX_ERRORS = 1000;

export function verifyJournal(dataDir: string): JournalVerifyResult {
  const segments = listSegments(dataDir);
  const errors: JournalVerifyError[] = [];
  let dropped = 0;
  const fail = (file: string, offset: number, sequence: number, message: string): void => {
    if (errors.length < MAX_ERRORS) errors.push({ file, offset, sequence, message });
    else dropped++;
  };
  const cursor = new SegmentCursor();
  let records = 0;
  let firstSequence = -1;
  let lastSequence = -1;
  let truncatedBytes = 0;
  let expected = -1;
  try {
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      const newest = i === segments.length - 1;
      let header;
      try {
        header = cursor.open(seg.path);
      } catch (err) {
        if (!(err instanceof RingbusError)) throw err;
        fail(seg.path, 0, expected === -1 ? seg.firstSequence : expected, err.message);
        expected = -1;
        continue;
      }
      if (header === null) {
        if (newest) truncatedBytes += cursor.fileSize;
        else
          fail(
            seg.path,
            0,
            seg.firstSequence,
            `segment of ${cursor.fileSize} bytes is shorter than its header and is not the newest`,
          );
        continue;
      }
      if (header.firstSequence !== seg.firstSequence) {
        fail(
          seg.path,
          0,
          seg.firstSequence,
          `the header says first sequence ${header.firstSequence}, the file name says ${seg.firstSequence}`,
        );
      }
      if (expected !== -1 && header.firstSequence !== expected) {
        fail(
          seg.path,
          0,
          expected,
          `journal gap: the segment starts at sequence ${header.firstSequence}, the previous one ended before ${expected}`,
        );
      }
      expected = header.firstSequence;
      scan: for (;;) {
        const status = cursor.next();
        switch (status) {
          case SCAN_RECORD:
            if (cursor.sequence !== expected) {
              fail(
                seg.path,
                cursor.recordOffset,
                expected,
                `an intact record holds sequence ${cursor.sequence}, expected ${expected}`,
              );
            }
            if (firstSequence === -1) firstSequence = cursor.sequence;
            lastSequence = cursor.sequence;
            expected = cursor.sequence + 1;
            records++;
            break;
          case SCAN_END:
            break scan;
          case SCAN_TORN:
            if (newest) truncatedBytes += cursor.fileSize - cursor.recordOffset;
            else fail(seg.path, cursor.recordOffset, expected, `${cursor.reason} in a segment that is not the newest`);
            break scan;
          case SCAN_BAD_CRC:
            fail(seg.path, cursor.recordOffset, expected, cursor.reason);
            cursor.skipBadRecord();
            expected++;
            break;
          default:
            fail(seg.path, cursor.recordOffset, expected, cursor.reason);
            expected = -1;
            break scan;
        }
      }
      cursor.close();
    }
  } finally {
    cursor.close();
  }
  if (dropped > 0) errors.push({ file: '', offset: -1, sequence: -1, message: `${dropped} more errors not listed` });
  return {
    ok: errors.length === 0,
    segments: segments.length,
    records,
    firstSequence,
    lastSequence,
    truncatedBytes,
    errors,
  };
}
