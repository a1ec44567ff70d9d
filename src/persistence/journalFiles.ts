/**
 * Listing and pruning of journal segment files. Cold path.
 */
import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { RingbusRangeError, show } from '../errors.js';
import { JOURNAL_DIR_NAME, parseSegmentFileName } from '../layout/JournalDescriptor.js';
import { fsyncDirectory } from './fsUtil.js';

/** One segment file. */
export interface SegmentFile {
  /** File name, e.g. "00000000000000000001.log". */
  readonly name: string;
  /** Full path. */
  readonly path: string;
  /** First sequence, from the file name. */
  readonly firstSequence: number;
}

/** `<dataDir>/journal`. */
export function journalDirectory(dataDir: string): string {
  return join(dataDir, JOURNAL_DIR_NAME);
}

/** Segment files of a data directory, oldest first (other file names are ignored). */
export function listSegments(dataDir: string): SegmentFile[] {
  const dir = journalDirectory(dataDir);
  if (!existsSync(dir)) return [];
  const out: SegmentFile[] = [];
  for (const name of readdirSync(dir)) {
    const firstSequence = parseSegmentFileName(name);
    if (firstSequence >= 0) out.push({ name, path: join(dir, name), firstSequence });
  }
  out.sort((a, b) => a.firstSequence - b.firstSequence);
  return out;
}

/** Index of the segment that holds `sequence` (the last one whose first sequence ≤ it), or -1. */
export function findSegmentIndex(segments: readonly SegmentFile[], sequence: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid]!.firstSequence <= sequence) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * Deletes every segment whose records all lie before `keepFromSequence` (segment i goes when
 * segment i+1 starts at or before `keepFromSequence`); the newest segment is never deleted.
 * Pass the value `SnapshotStore.prune()` returns. Fsyncs the journal directory when it deleted
 * anything. Returns the deleted file names, oldest first.
 *
 * Safe while a JournalWriter appends to the newest segment (it never touches older ones); not
 * safe while a JournalReader reads a segment being deleted (its open descriptor keeps reading,
 * but a reader opened afterwards starts later).
 */
export function pruneJournal(dataDir: string, keepFromSequence: number): string[] {
  if (typeof keepFromSequence !== 'number' || !Number.isSafeInteger(keepFromSequence) || keepFromSequence < 0) {
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `keepFromSequence must be a non-negative integer, got ${show(keepFromSequence)}`,
    );
  }
  const segments = listSegments(dataDir);
  const deleted: string[] = [];
  for (let i = 0; i + 1 < segments.length; i++) {
    if (segments[i + 1]!.firstSequence > keepFromSequence) break;
    unlinkSync(segments[i]!.path);
    deleted.push(segments[i]!.name);
  }
  if (deleted.length > 0) fsyncDirectory(journalDirectory(dataDir));
  return deleted;
}
