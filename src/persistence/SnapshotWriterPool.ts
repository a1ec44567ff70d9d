/**
 * Writes snapshot sets off the main thread: a thin wrapper over a piscina pool running
 * snapshotTask.js (serialize + write + fsync one handler's state, then the manifest last).
 * The default pool is minThreads 0 / maxThreads 1: no thread exists while no snapshot is being
 * written, and one thread at most competes with the bus for the 2 cores.
 *
 * Wiring: when handler H reports its state for the snapshot at S, call
 * `pool.writeState(S, H, state)` at once (the state is structured-cloned into the pool thread);
 * when every stateful handler's entry resolved, `pool.complete(S, entries)`. Or collect the
 * states and call `pool.writeSet(S, states)`. The returned promise rejects with the coded error
 * (RINGBUS_ERR_INVALID_OPTION, RINGBUS_ERR_STATE_NOT_CANONICAL, rebuilt with its code on this side)
 * or the fs error (its errno code kept); a set whose
 * manifest was not written is simply not complete (SnapshotStore.latestComplete ignores it).
 */
import { Piscina } from 'piscina';
import {
  ERROR_CODES,
  RingbusError,
  RingbusRangeError,
  RingbusTypeError,
  show,
  type RingbusErrorCode,
} from '../errors.js';
import type { SnapshotEntry, StateSchema } from './snapshotFiles.js';
import type { SnapshotTask, SnapshotTaskResult } from './snapshotProtocol.js';

/** Rebuilds the error a task reported (with its code: a coded RingbusError, or an fs error code such as ENOSPC). */
function rethrow(result: Extract<SnapshotTaskResult, { ok: false }>): never {
  if (result.code !== undefined && Object.prototype.hasOwnProperty.call(ERROR_CODES, result.code)) {
    throw new RingbusError(result.code as RingbusErrorCode, result.message);
  }
  const err = new Error(`snapshot write failed in the pool thread: ${result.message}`) as Error & { code?: string };
  if (result.code !== undefined) err.code = result.code;
  throw err;
}

export interface SnapshotWriterPoolOptions {
  /** Pool threads (default 1). */
  readonly maxThreads?: number;
  /** ms an idle thread lives before it exits (default 10000). */
  readonly idleTimeoutMs?: number;
  /** Per-handler fast-json-stringify schemas. */
  readonly schemas?: Readonly<Record<string, StateSchema>>;
  /** Record hashState(state) of each handler in the manifest. */
  readonly hash?: boolean;
}

export class SnapshotWriterPool {
  readonly #dataDir: string;
  readonly #pool: Piscina;
  readonly #schemas: Readonly<Record<string, StateSchema>>;
  readonly #hash: boolean;

  constructor(dataDir: string, options: SnapshotWriterPoolOptions = {}) {
    if (typeof dataDir !== 'string' || dataDir.length === 0)
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `dataDir must be a non-empty path, got ${show(dataDir)}`,
      );
    const maxThreads = options.maxThreads ?? 1;
    if (!Number.isInteger(maxThreads) || maxThreads < 1 || maxThreads > 16) {
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `maxThreads must be an integer in [1, 16], got ${show(maxThreads)}`,
      );
    }
    const idleTimeout = options.idleTimeoutMs ?? 10_000;
    if (typeof idleTimeout !== 'number' || !(idleTimeout >= 0))
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `idleTimeoutMs must be a number ≥ 0, got ${show(idleTimeout)}`,
      );
    this.#dataDir = dataDir;
    this.#schemas = options.schemas ?? {};
    this.#hash = options.hash === true;
    this.#pool = new Piscina({
      filename: new URL('./snapshotTask.js', import.meta.url).href,
      minThreads: 0,
      maxThreads,
      idleTimeout,
    });
  }

  /** Serializes and writes one handler's state file for the set at `sequence` in a pool thread. */
  async writeState(sequence: number, handlerName: string, state: unknown): Promise<SnapshotEntry> {
    const task: SnapshotTask = {
      op: 'state',
      dataDir: this.#dataDir,
      sequence,
      handlerName,
      state,
      schema: this.#schemas[handlerName],
      hash: this.#hash,
    };
    const result = (await this.#pool.run(task)) as SnapshotTaskResult;
    if (!result.ok) rethrow(result);
    return result.entry!;
  }

  /** Writes the set's manifest last; resolves to its path once the set is complete. */
  async complete(sequence: number, entries: Readonly<Record<string, SnapshotEntry>>): Promise<string> {
    const task: SnapshotTask = { op: 'manifest', dataDir: this.#dataDir, sequence, entries };
    const result = (await this.#pool.run(task)) as SnapshotTaskResult;
    if (!result.ok) rethrow(result);
    return result.path!;
  }

  /** writeState for every handler, then complete(); resolves to the manifest path. */
  async writeSet(sequence: number, states: Readonly<Record<string, unknown>>): Promise<string> {
    if (typeof states !== 'object' || states === null)
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `states must be an object of handler name → state, got ${show(states)}`,
      );
    const names = Object.keys(states);
    const written = await Promise.all(names.map((name) => this.writeState(sequence, name, states[name])));
    const entries: Record<string, SnapshotEntry> = {};
    names.forEach((name, i) => (entries[name] = written[i]!));
    return this.complete(sequence, entries);
  }

  /** Waits for queued writes, then stops the pool's threads. */
  async close(): Promise<void> {
    await this.#pool.close();
  }
}
