/**
 * Snapshot sets under `<dataDir>/snapshots/` (names and manifest in layout/SnapshotDescriptor.ts).
 *
 * A set at sequence S holds one JSON file per stateful handler, each describing that handler's
 * state after it processed S. Every file is written atomically (temp, fsync, rename, fsync dir);
 * the set's manifest, listing each file's length and CRC32C, is written LAST in the same way. A
 * set is complete only when its manifest exists and every file matches it, so a crash at any
 * point leaves either the previous complete set or the new one, never a partial one.
 *
 * Wiring (snapshot protocol): the producer publishes a control event "snapshot at S"; each
 * stateful handler, on reaching it, hands `snapshot()` to the main thread; when every handler's
 * state for S arrived, write them (off the hot path: SnapshotWriterPool does the same in a
 * piscina thread) with `write(S, name, state)` per handler and `complete(S, entries)`, or
 * `writeSet(S, states)`. On start: `latestComplete()` → restore each handler, replay the
 * journal from S + 1 (JournalReader), then go live; `prune({ retain })` → `pruneJournal(dir, it)`.
 *
 * All methods are synchronous and allocate: never call them on the hot path.
 */
import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { RingbusRangeError, RingbusTypeError, show } from '../errors.js';
import { parseSnapshotFilePrefix, parseSnapshotManifestName } from '../layout/SnapshotDescriptor.js';
import { fsyncDirectory } from './fsUtil.js';
import {
  loadSnapshotSet,
  snapshotDirectory,
  writeManifestFile,
  writeStateFile,
  type LoadedSnapshotSet,
  type SnapshotEntry,
  type StateSchema,
} from './snapshotFiles.js';

export type { SnapshotEntry, StateSchema } from './snapshotFiles.js';

export interface SnapshotWriteOptions {
  /** fast-json-stringify schema for the state (faster, and drops what the schema lacks). */
  readonly schema?: StateSchema;
  /** Record hashState(state) in the manifest (checked again on load). */
  readonly hash?: boolean;
}

/** What latestComplete() returns. */
export interface LatestSnapshot extends LoadedSnapshotSet {
  /** Newer sets that were ignored (missing or damaged file), newest first, with the reason. */
  readonly warnings: string[];
}

export class SnapshotStore {
  readonly #dataDir: string;
  /** `<dataDir>/snapshots`. */
  readonly directory: string;

  constructor(dataDir: string) {
    if (typeof dataDir !== 'string' || dataDir.length === 0)
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `dataDir must be a non-empty path, got ${show(dataDir)}`,
      );
    this.#dataDir = dataDir;
    this.directory = snapshotDirectory(dataDir);
  }

  /** Writes one handler's state for the set at `sequence` (atomically); returns its manifest entry. */
  write(sequence: number, handlerName: string, state: unknown, options: SnapshotWriteOptions = {}): SnapshotEntry {
    return writeStateFile(this.#dataDir, sequence, handlerName, state, options.schema, options.hash);
  }

  /** Writes the manifest (last, atomically): the set at `sequence` is complete when this returns. Returns the manifest path. */
  complete(sequence: number, entries: Readonly<Record<string, SnapshotEntry>>): string {
    return writeManifestFile(this.#dataDir, sequence, entries);
  }

  /** write() for each handler, then complete(). `schemas[name]` picks fast-json-stringify per handler. */
  writeSet(
    sequence: number,
    states: Readonly<Record<string, unknown>>,
    options: { schemas?: Readonly<Record<string, StateSchema>>; hash?: boolean } = {},
  ): string {
    if (typeof states !== 'object' || states === null)
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `states must be an object of handler name → state, got ${show(states)}`,
      );
    const entries: Record<string, SnapshotEntry> = {};
    for (const name of Object.keys(states))
      entries[name] = this.write(sequence, name, states[name], { schema: options.schemas?.[name], hash: options.hash });
    return this.complete(sequence, entries);
  }

  /** Sequences that have a manifest (not checked), newest first. */
  manifestSequences(): number[] {
    if (!existsSync(this.directory)) return [];
    const out: number[] = [];
    for (const name of readdirSync(this.directory)) {
      const s = parseSnapshotManifestName(name);
      if (s >= 0) out.push(s);
    }
    return out.sort((a, b) => b - a);
  }

  /** Loads the set at `sequence`; throws RINGBUS_ERR_SNAPSHOT_CORRUPT when it is incomplete or damaged. */
  load(sequence: number): LoadedSnapshotSet {
    return loadSnapshotSet(this.#dataDir, sequence);
  }

  /**
   * The newest complete set (every file present and matching its manifest), or null when there is
   * none. Newer sets with a missing or damaged file are skipped, each with a line in `warnings`.
   */
  latestComplete(): LatestSnapshot | null {
    const warnings: string[] = [];
    for (const sequence of this.manifestSequences()) {
      try {
        return { ...this.load(sequence), warnings };
      } catch (err) {
        warnings.push(`snapshot set ${sequence} ignored: ${(err as Error).message}`);
      }
    }
    return null;
  }

  /**
   * Keeps the newest `retain` complete sets and deletes every snapshot file (states, manifests,
   * temp files) of older sequences; files of newer, incomplete sets are left alone (one may be
   * being written). Returns the lowest sequence the journal must keep (oldest kept set + 1), for
   * pruneJournal(); 0 (keep everything) when there is no complete set.
   */
  prune(options: { retain: number }): number {
    const retain = options?.retain;
    if (typeof retain !== 'number' || !Number.isSafeInteger(retain) || retain < 1) {
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `prune retain must be an integer ≥ 1, got ${show(retain)}`,
      );
    }
    const kept: number[] = [];
    for (const sequence of this.manifestSequences()) {
      if (kept.length === retain) break;
      try {
        this.load(sequence);
        kept.push(sequence);
      } catch {
        // damaged or incomplete: not counted as kept; deleted below only if older than the oldest kept set
      }
    }
    if (kept.length === 0) return 0;
    const oldest = kept[kept.length - 1]!;
    let deleted = 0;
    for (const name of readdirSync(this.directory)) {
      const s = parseSnapshotFilePrefix(name);
      if (s >= 0 && s < oldest) {
        unlinkSync(join(this.directory, name));
        deleted++;
      }
    }
    if (deleted > 0) fsyncDirectory(this.directory);
    return oldest + 1;
  }
}
