/**
 * One writer per data directory. `<dataDir>/LOCK` holds the owning process's pid; it is created
 * with O_EXCL. A lock whose process is gone (a crash, a SIGKILL) is stale and taken over; a lock
 * whose process is alive is refused with RINGBUS_ERR_DATA_DIR_LOCKED naming the pid. Read-only
 * users (replay, journal verify/cat) take no lock.
 */
import { closeSync, fsyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { RingbusError } from '../errors.js';
import { ensureDataDirectory } from './fsUtil.js';

/** Directories this process holds (a second bus of the same process must not share one). */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataDirLock {
  readonly path: string;
  /** The pid whose stale lock was taken over (null: there was none). */
  readonly tookOverFrom: number | null;
  #released = false;

  private constructor(path: string, tookOverFrom: number | null) {
    this.path = path;
    this.tookOverFrom = tookOverFrom;
  }

  /**
   * Takes the lock of `dataDir` (created if missing) or throws RINGBUS_ERR_DATA_DIR_LOCKED
   * (RINGBUS_ERR_DATA_DIR_UNUSABLE when the directory cannot be created or written).
   */
  static acquire(dataDir: string): DataDirLock {
    ensureDataDirectory(dataDir);
    const path = join(dataDir, 'LOCK');
    if (held.has(path))
      throw new RingbusError(
        'RINGBUS_ERR_DATA_DIR_LOCKED',
        `data directory ${dataDir} is already in use by another bus of this process`,
      );
    let tookOverFrom: number | null = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, `${process.pid}\n`);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        held.add(path);
        return new DataDirLock(path, tookOverFrom);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      let owner = Number.NaN;
      try {
        owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      } catch {
        // vanished between open and read: try again
      }
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new RingbusError(
          'RINGBUS_ERR_DATA_DIR_LOCKED',
          `data directory ${dataDir} is in use by process ${owner} (${path}); two writers would corrupt its journal. If that process is not a ringbus bus (a reused pid), delete the LOCK file`,
        );
      }
      tookOverFrom = Number.isInteger(owner) ? owner : null;
      try {
        unlinkSync(path);
      } catch {
        // someone else removed it: fine
      }
    }
    throw new RingbusError(
      'RINGBUS_ERR_DATA_DIR_LOCKED',
      `could not take the lock ${path}: another process keeps re-creating it`,
    );
  }

  /** Releases the lock (idempotent). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    held.delete(this.path);
    try {
      if (Number.parseInt(readFileSync(this.path, 'utf8'), 10) === process.pid) unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}
