/**
 * Reading and writing `<dataDir>/journal/checkpoint` (layout in
 * layout/JournalCheckpointDescriptor.ts). Cold path: once per segment and on close.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RingbusError } from '../errors.js';
import {
  CHECKPOINT_BYTES,
  CHECKPOINT_FILE_NAME,
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_MAGIC,
  CP_CRC_OFFSET,
  CP_LAST_CRC_OFFSET,
  CP_LAST_SEQUENCE_OFFSET,
  CP_MAGIC_OFFSET,
  CP_NEWEST_SEGMENT_OFFSET,
  CP_VERSION_OFFSET,
} from '../layout/JournalCheckpointDescriptor.js';
import { crc32c } from './crc32c.js';
import { writeFileAtomicSync } from './fsUtil.js';

/** How far the journal had reached when the checkpoint was written. */
export interface JournalCheckpoint {
  /** First sequence of the newest segment then (its file must still exist). */
  readonly newestSegment: number;
  /** Last durable sequence then (-1: none); the journal must reach at least this far. */
  readonly lastSequence: number;
  /** CRC32C of the record at lastSequence (checked when that record is read). */
  readonly lastCrc: number;
}

/** Path of the checkpoint in a journal directory. */
export function checkpointPath(journalDir: string): string {
  return join(journalDir, CHECKPOINT_FILE_NAME);
}

/** Replaces the checkpoint atomically (fsynced). */
export function writeCheckpoint(journalDir: string, cp: JournalCheckpoint): void {
  const bytes = new Uint8Array(CHECKPOINT_BYTES);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(CP_MAGIC_OFFSET, CHECKPOINT_MAGIC, true);
  dv.setUint32(CP_VERSION_OFFSET, CHECKPOINT_FORMAT_VERSION, true);
  dv.setFloat64(CP_NEWEST_SEGMENT_OFFSET, cp.newestSegment, true);
  dv.setFloat64(CP_LAST_SEQUENCE_OFFSET, cp.lastSequence, true);
  dv.setUint32(CP_LAST_CRC_OFFSET, cp.lastCrc >>> 0, true);
  dv.setUint32(CP_CRC_OFFSET, crc32c(bytes, 0, CP_CRC_OFFSET), true);
  writeFileAtomicSync(checkpointPath(journalDir), bytes);
}

/**
 * Reads the checkpoint: null when there is none (a journal written before format 2, or none yet);
 * RINGBUS_ERR_JOURNAL_CORRUPT when it is damaged (CRC first, then the fields).
 */
export function readCheckpoint(journalDir: string): JournalCheckpoint | null {
  const path = checkpointPath(journalDir);
  if (!existsSync(path)) return null;
  const bytes = new Uint8Array(readFileSync(path));
  const bad = (why: string): RingbusError =>
    new RingbusError('RINGBUS_ERR_JOURNAL_CORRUPT', `journal checkpoint ${path} is damaged: ${why}`);
  if (bytes.length !== CHECKPOINT_BYTES) throw bad(`${bytes.length} bytes, expected ${CHECKPOINT_BYTES}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const stored = dv.getUint32(CP_CRC_OFFSET, true);
  const computed = crc32c(bytes, 0, CP_CRC_OFFSET);
  if (stored !== computed)
    throw bad(`CRC32C mismatch (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})`);
  if (dv.getUint32(CP_MAGIC_OFFSET, true) !== CHECKPOINT_MAGIC) throw bad('bad magic');
  const version = dv.getUint32(CP_VERSION_OFFSET, true);
  if (version !== CHECKPOINT_FORMAT_VERSION)
    throw new RingbusError(
      'RINGBUS_ERR_JOURNAL_VERSION',
      `journal checkpoint ${path} has format version ${version}; this build reads ${CHECKPOINT_FORMAT_VERSION}`,
    );
  const newestSegment = dv.getFloat64(CP_NEWEST_SEGMENT_OFFSET, true);
  const lastSequence = dv.getFloat64(CP_LAST_SEQUENCE_OFFSET, true);
  if (!Number.isSafeInteger(newestSegment) || newestSegment < 0) throw bad(`newest segment ${newestSegment}`);
  if (!Number.isSafeInteger(lastSequence) || lastSequence < -1) throw bad(`last sequence ${lastSequence}`);
  return { newestSegment, lastSequence, lastCrc: dv.getUint32(CP_LAST_CRC_OFFSET, true) };
}
