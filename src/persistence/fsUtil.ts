/**
 * Small synchronous file helpers shared by the journal, snapshot and dead-letter code. All of
 * them are for cold paths (open, roll, snapshot) except `writeAllSync`, which allocates nothing.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  writeSync,
  existsSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { RingbusError } from '../errors.js';

let tempCounter = 0;

/**
 * fsyncs a directory so that entries created, renamed or removed in it survive a power loss.
 * Linux allows fsync on a read-only directory descriptor.
 */
export function fsyncDirectory(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Creates `path` (and parents) if missing; fsyncs the parent of each directory it creates. */
export function ensureDirectory(path: string): void {
  if (existsSync(path)) return;
  ensureDirectory(dirname(path));
  mkdirSync(path);
  fsyncDirectory(dirname(path));
}

/**
 * Makes sure `dir` is a directory this process can create files in, creating it and its parents
 * one level at a time. Not `mkdirSync(dir, { recursive: true })`: Node's recursive mkdir loops
 * forever at 100% CPU when mkdir answers ENOENT for a child of a directory that exists (procfs
 * does: /proc/nope), taking ENOENT to mean "parent missing" again and again. Fails fast with
 * RINGBUS_ERR_DATA_DIR_UNUSABLE naming the directory and the system error.
 */
export function ensureDataDirectory(dir: string): void {
  const unusable = (why: string): never => {
    throw new RingbusError('RINGBUS_ERR_DATA_DIR_UNUSABLE', `data directory ${dir} cannot be used: ${why}`);
  };
  const path = resolve(dir);
  const missing: string[] = [];
  for (let p = path; !existsSync(p); p = dirname(p)) {
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]!);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code !== 'EEXIST') unusable(`mkdir ${missing[i]} failed with ${e.code ?? e.message}`);
    }
  }
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    unusable(`stat failed with ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!isDirectory) unusable('it is not a directory');
  const probe = tempPathFor(`${path}/.write-probe`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (error) {
    unusable(`creating a file in it failed with ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    unlinkSync(probe);
  } catch {
    // removed by someone else: fine
  }
}

/** Writes `length` bytes at `position`, looping over short writes. Allocation-free. */
export function writeAllSync(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    done += writeSync(fd, bytes, offset + done, length - done, position + done);
  }
}

/** Reads up to `length` bytes at `position`, looping over short reads; returns bytes read. */
export function readFullySync(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, bytes, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** A temp-file name next to `path`, unique within this process and across processes (pid). */
export function tempPathFor(path: string): string {
  tempCounter = (tempCounter + 1) >>> 0;
  return `${path}.tmp-${process.pid}-${tempCounter}`;
}

/**
 * Replaces `path` atomically: writes a temp file next to it, fsyncs it, renames it over `path`,
 * and fsyncs the directory. After a crash at any point `path` is either absent/old or complete;
 * a temp file may be left behind (callers ignore `*.tmp-*` names).
 */
export function writeFileAtomicSync(path: string, data: Uint8Array): void {
  const temp = tempPathFor(path);
  const fd = openSync(temp, 'w');
  try {
    writeAllSync(fd, data, 0, data.length, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  fsyncDirectory(dirname(path));
}
