/**
 * Everything the bus does with its data directory, in one place: the writer's lock, the recovery
 * plan (made once, before the ring exists, because it decides the ring's first sequence and
 * epoch), the bus manifest, the journal handler's options (built once, when the ring's epoch is
 * known), replay after the workers are up, scheduled and explicit snapshots, and release.
 * Main thread only; nothing here is on the hot path.
 */
import { readManifest } from '../persistence/dataDirManifest.js';
import type { JournalDurability } from './journalDurability.js';
import { join } from 'node:path';
import type { RingBuffer } from '../core/RingBuffer.js';
import { RingbusError } from '../errors.js';
import { DataDirLock } from '../persistence/DataDirLock.js';
import type { JournalHandlerOptions } from '../persistence/handlers/journal.js';
import { pruneJournal } from '../persistence/journalFiles.js';
import { SnapshotStore } from '../persistence/SnapshotStore.js';
import { SnapshotWriterPool } from '../persistence/SnapshotWriterPool.js';
import type { BusStatus } from '../runtime/BusStatus.js';
import type { EventType, Flyweight } from '../schema/defineEvent.js';
import { planRecovery, replayJournal, type PersistenceOptions, type RecoveryPlan } from './BusPersistence.js';
import { writeBusManifest } from './busManifest.js';
import type { HandlerRef } from './HandlerRef.js';
import { SnapshotScheduler } from './SnapshotScheduler.js';
import type { CapturedState } from './StateCollector.js';

/** What a snapshot is written from (BusRuntime's parts; not imported: BusRuntime imports this file). */
export interface SnapshotSource {
  readonly status: BusStatus;
  readonly durability: JournalDurability | null;
  readonly workers: { snapshotSchemas(): Record<string, Record<string, unknown>> };
}

/** What recovery found and replayed at start; replayStartedAt is a performance.now() value. */
export type RecoveryReport = RecoveryPlan & { replayedThrough: number; replayStartedAt: number };

export class PersistenceCoordinator<F extends Flyweight = Flyweight> {
  readonly options: PersistenceOptions;
  readonly #event: EventType<F>;
  #lock: DataDirLock | null = null;
  #plan: RecoveryPlan | null = null;
  #journalOptions: JournalHandlerOptions | null = null;
  #report: RecoveryReport | null = null;
  #scheduler: SnapshotScheduler | null = null;
  #pool: SnapshotWriterPool | null = null;

  constructor(options: PersistenceOptions, event: EventType<F>) {
    this.options = options;
    this.#event = event;
  }

  /** Writable: journal appends, snapshots. Read-only and time-travel buses only replay. */
  get writable(): boolean {
    return !this.options.readOnly && this.options.recoverTo === undefined;
  }

  /** Time travel (persistence.recoverTo): after replay only control requests go through. */
  get timeTravel(): boolean {
    return this.options.recoverTo !== undefined;
  }

  get recovery(): RecoveryReport | null {
    return this.#report;
  }

  /**
   * Takes the lock (one writer per data directory; read-only replays take none), plans recovery
   * and records the manifest. On failure the lock is released again.
   */
  open(
    handlers: readonly HandlerRef[],
    ring: { capacity: number; producerType: string },
    defaultStart: number,
  ): RecoveryPlan {
    const p = this.options;
    if (!p.readOnly) this.#lock = DataDirLock.acquire(p.dataDir);
    try {
      this.#plan = planRecovery(p, defaultStart);
      if (!p.readOnly) writeBusManifest(p.dataDir, this.#event, handlers, ring, p.upcasters !== undefined);
      else readManifest(p.dataDir); // a read-only bus (replay) checks the manifest's checksum too
    } catch (error) {
      this.releaseLock();
      throw error;
    }
    return this.#plan;
  }

  /** The built-in journal handler's options, built once the ring's epoch is known. */
  journalOptions(epochMs: number, durability: JournalDurability | null): JournalHandlerOptions {
    const p = this.options;
    const plan = this.#requirePlan();
    return (this.#journalOptions ??= {
      dataDir: p.dataDir,
      fsync: p.fsync ?? 'batch',
      ...(p.segmentBytes !== undefined ? { segmentBytes: p.segmentBytes } : {}),
      fingerprint: this.#event.fingerprint,
      eventName: this.#event.name,
      payloadSize: this.#event.journalSize, // the input fields: transient (result) fields are not journaled
      epochMs,
      skipThrough: plan.journalLast,
      ...(plan.tail ? { recoveredTail: plan.tail } : {}),
      readOnly: p.readOnly === true || p.recoverTo !== undefined,
      ...(durability ? durability.handlerOptions() : { durableLine: -1 }),
    });
  }

  /** Where a skipping handler without its own deadLetterPath writes: `<dataDir>/dead-letters/<name>.dlq`. */
  deadLetterPath(h: HandlerRef): string | null {
    return h.policy.type !== 'halt' ? join(this.options.dataDir, 'dead-letters', `${h.name}.dlq`) : null;
  }

  /** The state a handler restores from the chosen snapshot set, if the set holds one. */
  restoreOf(h: HandlerRef): { hasRestore: boolean; restoreState: unknown } {
    const states = this.#plan?.snapshot?.states;
    return { hasRestore: states?.has(h.name) ?? false, restoreState: states?.get(h.name) };
  }

  /**
   * Publishes the journal's records after the snapshot into the ring (the handlers rebuild their
   * state; the journal stage skips what it holds). Returns the last sequence replayed.
   */
  replay(ring: RingBuffer<F>, status: BusStatus): number {
    const plan = this.#requirePlan();
    status.setReplayUntil(plan.replayTo);
    const replayStartedAt = performance.now();
    const replayedThrough = replayJournal(ring, this.#event, this.options, plan);
    this.#report = { ...plan, replayedThrough, replayStartedAt };
    return replayedThrough;
  }

  /**
   * After the workers are up: replays the journal, then starts snapshotEvery (not while
   * `following`: a follower schedules at promotion). Returns null, or for a time-travel bus
   * (persistence.recoverTo) why its event publishing stays closed.
   */
  afterWorkersStarted(
    ring: RingBuffer<F>,
    status: BusStatus,
    takeSnapshot: () => Promise<unknown>,
    following = false,
  ): string | null {
    const replayedThrough = this.replay(ring, status);
    // the state is frozen at the target; only control requests (stateHash, captureState) go through
    if (this.timeTravel)
      return `this bus replays to ${replayedThrough} for inspection (persistence.recoverTo): publishing is refused`;
    // a follower takes no snapshot of its own until promoted (each would take a leader's sequence)
    if (!following) this.schedule(() => ring.getCursor(), takeSnapshot);
    return null;
  }

  /** Starts snapshotEvery (writable buses that asked for it). */
  schedule(cursor: () => number, take: () => Promise<unknown>): void {
    const every = this.options.snapshotEvery;
    if (this.writable && every) this.#scheduler = new SnapshotScheduler(every, cursor, take);
  }

  async stopSchedule(): Promise<void> {
    await this.#scheduler?.stop();
    this.#scheduler = null;
  }

  /**
   * Writes a captured cut once the journal has passed it (so the set never runs ahead of the
   * journal), then prunes old sets and the journal segments before the oldest kept set.
   */
  async writeSnapshot(
    cut: CapturedState,
    bus: SnapshotSource,
    haltError: () => Error,
    timeoutMs: number,
  ): Promise<{ sequence: number; path: string }> {
    const deadline = performance.now() + timeoutMs;
    const journal = bus.durability!.durable; // a snapshot past the durable journal would be ignored
    while (journal.read(cut.sequence) < cut.sequence) {
      if (bus.status.haltReason() !== 0) throw haltError();
      if (performance.now() > deadline)
        throw new RingbusError(
          'RINGBUS_ERR_DRAIN_TIMEOUT',
          `snapshot at ${cut.sequence}: the journal did not pass it within ${timeoutMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const dataDir = this.options.dataDir;
    this.#pool ??= new SnapshotWriterPool(dataDir, { schemas: bus.workers.snapshotSchemas() });
    const path = await this.#pool.writeSet(cut.sequence, cut.states);
    // prune() returns the first sequence the oldest kept set needs from the journal (its S + 1)
    pruneJournal(dataDir, new SnapshotStore(dataDir).prune({ retain: this.options.retainSnapshots ?? 2 }));
    return { sequence: cut.sequence, path };
  }

  /** Stops the schedule, closes the snapshot writers and frees the data directory. */
  async close(): Promise<void> {
    await this.stopSchedule();
    await this.#pool?.close();
    this.#pool = null;
    this.releaseLock();
  }

  releaseLock(): void {
    this.#lock?.release();
    this.#lock = null;
  }

  #requirePlan(): RecoveryPlan {
    if (!this.#plan) throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'internal: recovery was not planned yet');
    return this.#plan;
  }
}
