/**
 * Checks every segment of a journal without modifying anything: headers, record lengths, CRCs,
 * contiguous sequences within and across segments. A torn tail of the newest segment is not an
 * error (it is what a crash leaves; JournalWriter.open truncates it): it is counted in
 * `truncatedBytes`. Everything else is an error with file, byte offset and the sequence expected
 * there. The scan goes on after an error where it can (a bad CRC with a sane length is skipped;
 * a bad length ends that segment), so one report lists every damaged place.
 *
 * It also checks what the journal says about itself: each segment header's chain (the CRC of
 * the previous segment's last record) and the checkpoint (journalCheckpoint.ts): the newest
 * segment it names must exist and the journal must reach its last sequence with that record's
 * CRC, so a deleted newest/only segment or a clean cut at a record boundary is an error.
 *
 * This is the ONE integrity verdict: `ringbus journal verify`, `ringbus replay` and `bus.start()`
 * all call it (the last two through assertJournalIntact) and report the same codes. Damage
 * anywhere is an error, also before the newest snapshot: the bus would start, but the documented
 * full replay could no longer reproduce its state.
 */
import { RingbusError, type RingbusErrorCode } from '../errors.js';
import { readCheckpoint } from './journalCheckpoint.js';
import { journalDirectory, listSegments } from './journalFiles.js';
import { SCAN_BAD_CRC, SCAN_END, SCAN_RECORD, SCAN_TORN, SegmentCursor } from './SegmentCursor.js';

export interface JournalVerifyError {
  readonly file: string;
  readonly offset: number;
  /** The sequence expected at that offset (-1 when unknown). */
  readonly sequence: number;
  readonly message: string;
  /** RINGBUS_ERR_JOURNAL_CORRUPT (damage, gaps, a broken chain, a missing tail) or RINGBUS_ERR_JOURNAL_VERSION. */
  readonly code: JournalVerifyCode;
}

export type JournalVerifyCode = Extract<
  RingbusErrorCode,
  'RINGBUS_ERR_JOURNAL_CORRUPT' | 'RINGBUS_ERR_JOURNAL_VERSION'
>;

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
  const fail = (
    file: string,
    offset: number,
    sequence: number,
    message: string,
    code: JournalVerifyCode = 'RINGBUS_ERR_JOURNAL_CORRUPT',
  ): void => {
    if (errors.length < MAX_ERRORS) errors.push({ file, offset, sequence, message, code });
    else dropped++;
  };
  const journalDir = journalDirectory(dataDir);
  let checkpoint = null;
  try {
    checkpoint = readCheckpoint(journalDir);
  } catch (err) {
    if (!(err instanceof RingbusError)) throw err;
    fail(journalDir, 0, -1, err.message, err.code as JournalVerifyCode);
  }
  let lastCrc = -1;
  let checkpointCrcSeen = false;
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
        fail(seg.path, 0, expected === -1 ? seg.firstSequence : expected, err.message, err.code as JournalVerifyCode);
        expected = -1;
        lastCrc = -1;
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
      } else if (header.chained && lastCrc !== -1 && header.prevCrc !== lastCrc) {
        fail(
          seg.path,
          0,
          header.firstSequence,
          `broken chain: the header says the previous segment ends with a record of CRC32C 0x${header.prevCrc.toString(16)}, ` +
            `it ends with 0x${lastCrc.toString(16)} (a replaced or re-cut segment)`,
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
            lastCrc = cursor.crc;
            if (checkpoint !== null && cursor.sequence === checkpoint.lastSequence) {
              checkpointCrcSeen = true;
              if (cursor.crc !== checkpoint.lastCrc)
                fail(
                  seg.path,
                  cursor.recordOffset,
                  cursor.sequence,
                  `the checkpoint says record ${cursor.sequence} has CRC32C 0x${checkpoint.lastCrc.toString(16)}, it has 0x${cursor.crc.toString(16)}`,
                );
            }
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
            lastCrc = -1;
            break;
          default:
            fail(seg.path, cursor.recordOffset, expected, cursor.reason);
            expected = -1;
            lastCrc = -1;
            break scan;
        }
      }
      cursor.close();
    }
  } finally {
    cursor.close();
  }
  if (checkpoint !== null) checkReach(checkpoint, segments, lastSequence, checkpointCrcSeen, journalDir, fail);
  if (dropped > 0)
    errors.push({
      file: '',
      offset: -1,
      sequence: -1,
      message: `${dropped} more errors not listed`,
      code: 'RINGBUS_ERR_JOURNAL_CORRUPT',
    });
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

/** The journal must still reach as far as the checkpoint says it did. */
function checkReach(
  cp: NonNullable<ReturnType<typeof readCheckpoint>>,
  segments: ReturnType<typeof listSegments>,
  lastSequence: number,
  crcSeen: boolean,
  journalDir: string,
  fail: (file: string, offset: number, sequence: number, message: string) => void,
): void {
  const fix = 'restore the missing data; to accept the shorter journal, delete the checkpoint file';
  if (!segments.some((s) => s.firstSequence === cp.newestSegment)) {
    fail(
      journalDir,
      0,
      cp.newestSegment,
      `journal truncated: the checkpoint says segment ${cp.newestSegment} exists, it is missing (${fix})`,
    );
    return;
  }
  const newest = segments[segments.length - 1]!;
  const reached = Math.max(lastSequence, newest.firstSequence - 1);
  if (reached < cp.lastSequence || (cp.lastSequence >= newest.firstSequence && !crcSeen)) {
    fail(
      journalDir,
      0,
      cp.lastSequence,
      `journal truncated: it ends at sequence ${lastSequence}, the checkpoint says it reached ${cp.lastSequence} (${fix})`,
    );
  }
}

/**
 * The verdict start() and replay act on: verifyJournal, then throws the first error's code
 * (RINGBUS_ERR_JOURNAL_CORRUPT or RINGBUS_ERR_JOURNAL_VERSION) listing up to 5 damaged places.
 * A torn tail of the newest segment is not an error (the writer cuts it). Returns the result.
 */
export function assertJournalIntact(dataDir: string): JournalVerifyResult {
  const r = verifyJournal(dataDir);
  if (r.errors.length === 0) return r;
  const shown = r.errors.slice(0, 5).map((e) => (e.file ? `${e.file} at byte offset ${e.offset}: ` : '') + e.message);
  const more = r.errors.length > 5 ? `; and ${r.errors.length - 5} more` : '';
  throw new RingbusError(
    r.errors[0]!.code,
    `journal in ${dataDir} is damaged (ringbus journal verify lists every place): ${shown.join('; ')}${more}`,
  );
}
