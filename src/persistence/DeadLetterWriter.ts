/**
 * Appends failed events (handler exception policy 'skip') to a dead-letter file with length +
 * CRC32C framing (layout in layout/DeadLetterDescriptor.ts). Failure path only: each append
 * allocates, writes and (by default) fdatasyncs, so a recorded failure survives a crash.
 *
 * Opening an existing file scans it: a torn tail is truncated (reported in `recovery`), damage
 * before the tail throws RINGBUS_ERR_DEAD_LETTER_CORRUPT. Directories are created as needed.
 * One writer per file; used from one thread.
 *
 * ```ts
 * const dl = new DeadLetterWriter(join(dataDir, 'dead-letters', `${handlerName}.dlq`));
 * dl.append({ sequence, handlerName, message: err.message, stack: err.stack ?? '', kind, aux, timestampNs, payload });
 * readDeadLetters(path) // → DeadLetter[]
 * ```
 */
import { closeSync, existsSync, fdatasyncSync, ftruncateSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { RingbusError, RingbusTypeError, show } from '../errors.js';
import {
  encodeDeadLetter,
  encodeDeadLetterHeader,
  scanDeadLetterBytes,
  type DeadLetter,
  type DeadLetterInput,
  type DeadLetterScan,
} from './deadLetterFormat.js';
import { ensureDirectory, fsyncDirectory, writeAllSync } from './fsUtil.js';

export type { DeadLetter, DeadLetterInput } from './deadLetterFormat.js';

export interface DeadLetterWriterOptions {
  /** fdatasync after every append (default true). */
  readonly fsync?: boolean;
}

export class DeadLetterWriter {
  readonly #path: string;
  readonly #fsync: boolean;
  #fd: number;
  #size: number;
  /** What opening found: records already in the file and bytes truncated from a torn tail. */
  readonly recovery: { readonly records: number; readonly truncatedBytes: number };

  constructor(path: string, options: DeadLetterWriterOptions = {}) {
    if (typeof path !== 'string' || path.length === 0)
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `dead-letter path must be a non-empty string, got ${show(path)}`,
      );
    this.#path = path;
    this.#fsync = options.fsync !== false;
    ensureDirectory(dirname(path));
    const existed = existsSync(path);
    const scan: DeadLetterScan = existed
      ? scanDeadLetterBytes(readFileSync(path), path)
      : { letters: [], truncatedBytes: 0, validEnd: 0, hasHeader: false };
    this.#fd = openSync(path, existed ? 'r+' : 'w');
    try {
      if (!scan.hasHeader) {
        ftruncateSync(this.#fd, 0);
        const header = encodeDeadLetterHeader();
        writeAllSync(this.#fd, header, 0, header.length, 0);
        fdatasyncSync(this.#fd);
        if (!existed) fsyncDirectory(dirname(path));
        this.#size = header.length;
      } else {
        if (scan.truncatedBytes > 0) {
          ftruncateSync(this.#fd, scan.validEnd);
          fdatasyncSync(this.#fd);
        }
        this.#size = scan.validEnd;
      }
    } catch (err) {
      closeSync(this.#fd);
      throw err;
    }
    this.recovery = { records: scan.letters.length, truncatedBytes: scan.truncatedBytes };
  }

  /** Appends one failed event and (by default) fdatasyncs. Allocates. */
  append(letter: DeadLetterInput): void {
    if (this.#fd < 0) throw new RingbusError('RINGBUS_ERR_BUS_STATE', `dead-letter file ${this.#path} is closed`);
    const bytes = encodeDeadLetter(letter, letter.recordedAtMs ?? Date.now());
    writeAllSync(this.#fd, bytes, 0, bytes.length, this.#size);
    this.#size += bytes.length;
    if (this.#fsync) fdatasyncSync(this.#fd);
  }

  /** fsyncs and closes (idempotent). */
  close(): void {
    if (this.#fd < 0) return;
    try {
      fdatasyncSync(this.#fd);
    } finally {
      closeSync(this.#fd);
      this.#fd = -1;
    }
  }
}

/** Every intact record of a dead-letter file (a torn tail is ignored); `[]` when the file is missing. */
export function readDeadLetters(path: string): DeadLetter[] {
  return scanDeadLetters(path).letters;
}

/**
 * Like readDeadLetters, also reporting the torn tail. Throws RINGBUS_ERR_DEAD_LETTER_CORRUPT naming the offset of
 * damage before the tail.
 */
export function scanDeadLetters(path: string): DeadLetterScan {
  if (!existsSync(path)) return { letters: [], truncatedBytes: 0, validEnd: 0, hasHeader: false };
  return scanDeadLetterBytes(readFileSync(path), path);
}
