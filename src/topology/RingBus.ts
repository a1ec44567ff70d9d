import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { createWaitStrategy } from '../core/createWaitStrategy.js';
import {
  RingBuffer,
  validateRingOptions,
  type EventTranslator,
  type ProducerType,
  type RingDescriptor,
} from '../core/RingBuffer.js';
import type { Sequence } from '../core/Sequence.js';
import type { WaitStrategyOptions } from '../core/WaitStrategy.js';
import { RingbusError, RingbusRangeError, show } from '../errors.js';
import { HALT_REQUESTED, HALT_SHUTDOWN, MAX_WORKERS, WORKER_RUNNING } from '../layout/BusStatusDescriptor.js';
import { MAX_SEQUENCES } from '../layout/RingBufferDescriptor.js';
import { BusStatus } from '../processing/BusStatus.js';
import type { EventType, Flyweight } from '../schema/defineEvent.js';
import { buildMetrics, type BusMetrics } from '../metrics/BusMetrics.js';
import type { HandlerMetricsReport } from '../metrics/HandlerMetricsRecorder.js';
import { BusPublisher, type PublisherDescriptor } from './BusPublisher.js';
import { EventHandlerGroup, type GroupOwner } from './EventHandlerGroup.js';
import { haltError } from './haltError.js';
import { checkBusOptions, DEFAULT_STALL_TIMEOUT_MS } from './validateBusOptions.js';
import { HandlerRef, type HandlerOptions, type HandlerSpec } from './HandlerRef.js';
import {
  checkWorkerOptions,
  isSpinning,
  normaliseCpus,
  placementReport,
  type PlacementReport,
  type WorkerOptions,
} from './placement.js';
import type { HandlerInit, SupervisorMessage, WorkerInit, WorkerMessage } from './protocol.js';
import { WorkerSet } from './WorkerSet.js';
import { collectAt, type CapturedState } from './StateCollector.js';
import { CONTROL_SNAPSHOT, CONTROL_STATE_HASH } from './protocol.js';
import { combineStateHashes } from '../processing/stateHash.js';
import {
  checkPersistenceOptions,
  planRecovery,
  replayJournal,
  type PersistenceOptions,
  type RecoveryPlan,
} from './BusPersistence.js';
import { SnapshotScheduler } from './SnapshotScheduler.js';
import { writeBusManifest } from './busManifest.js';
import { readManifest } from '../persistence/dataDirManifest.js';
import type { JournalHandlerOptions } from '../persistence/handlers/journal.js';
import { DataDirLock } from '../persistence/DataDirLock.js';

const JOURNAL_MODULE = new URL('../persistence/handlers/journal.js', import.meta.url);
/** Name of the built-in journal handler. */
export const JOURNAL_HANDLER = 'journal';

export interface RingBusOptions<F extends Flyweight = Flyweight> {
  /** The event schema (defineEvent). */
  event: EventType<F>;
  /** Ring slots, a power of two (default 65536). */
  capacity?: number;
  /** 'single' (default): one publishing thread; 'multi': several (main thread and/or gateway workers). */
  producerType?: ProducerType;
  /** Default wait strategy of producers and workers (default 'phased': spin, yield, then block). */
  waitStrategy?: WaitStrategyOptions | WaitStrategyOptions['type'];
  /** Named workers and their placement. Handlers name their worker; unnamed ones share DEFAULT_WORKER. */
  workers?: Record<string, WorkerOptions>;
  /** Record per-handler latency and batch histograms in the workers (default true). */
  metrics?: boolean;
  /**
   * Stall watchdog (default 10000 ms; 0 turns it off): a handler that makes no progress for this
   * long while events wait for it halts the bus with RINGBUS_ERR_HANDLER_STALLED (see stallWatchdog.ts).
   */
  stallTimeoutMs?: number;
  /** Rings handlers may publish to through context.outbound(name). */
  outbound?: Record<string, RingDescriptor>;
  /** First sequence (default 0). */
  initialSequence?: number;
  /** Who publishes, for the placement report (default 'main thread'). */
  producerLabel?: string;
  /** Journal, snapshots and recovery (see docs/persistence.md). */
  persistence?: PersistenceOptions;
}

/** The worker that handlers without a `worker` option share (one thread: right for 2 cores). */
export const DEFAULT_WORKER = 'handlers';

type BusState = 'new' | 'starting' | 'running' | 'stopping' | 'halted' | 'stopped';

/**
 * An event bus: one ring, a graph of handlers on worker threads, and a publisher.
 *
 * ```ts
 * const bus = new RingBus({ event: Order });
 * const risk = bus.handler('risk', new URL('./risk.js', import.meta.url));
 * const book = bus.handler('book', new URL('./book.js', import.meta.url));
 * bus.handleEventsWith(risk).then(book);
 * await bus.start();
 * bus.publishEvent({ ... });
 * await bus.drain();
 * console.log(await bus.metrics());
 * await bus.shutdown();
 * ```
 *
 * Emits 'halt' (error) when a handler fails under the halt policy or a worker dies, and
 * 'snapshot' ({ sequence, path }) when a snapshot set is complete on disk.
 * Thread-safety: the RingBus object belongs to the thread that created it.
 */
export class RingBus<F extends Flyweight = Flyweight> extends EventEmitter implements GroupOwner {
  readonly #options: Required<
    Pick<RingBusOptions<F>, 'capacity' | 'producerType' | 'metrics' | 'initialSequence' | 'producerLabel'>
  > &
    RingBusOptions<F>;
  readonly #waitStrategy: WaitStrategyOptions;
  readonly #handlers: HandlerRef[] = [];
  readonly #workerOptions: Map<string, WorkerOptions> = new Map();
  #state: BusState = 'new';
  #ring: RingBuffer<F> | null = null;
  #status: BusStatus | null = null;
  #publisher: BusPublisher<F> | null = null;
  #sequences = new Map<HandlerRef, Sequence>();
  #workers: WorkerSet | null = null;
  #haltError: Error | null = null;
  #journal: HandlerRef | null = null;
  #recovery: (RecoveryPlan & { replayedThrough: number; replayStartedAt: number }) | null = null;
  #scheduler: SnapshotScheduler | null = null;
  #lock: DataDirLock | null = null;

  constructor(options: RingBusOptions<F>) {
    super();
    checkBusOptions(options);
    this.#waitStrategy = createWaitStrategy(options.waitStrategy).options as WaitStrategyOptions;
    for (const [name, w] of Object.entries(options.workers ?? {})) {
      checkWorkerOptions(name, w);
      normaliseCpus(name, w.cpu);
      if (w.waitStrategy !== undefined) createWaitStrategy(w.waitStrategy);
      this.#workerOptions.set(name, w);
    }
    this.#options = {
      producerType: 'single',
      metrics: true,
      initialSequence: 0,
      producerLabel: 'main thread',
      ...options,
      capacity: options.capacity ?? 65536,
    };
    // ring options fail here, not half way through start()
    validateRingOptions({
      capacity: this.#options.capacity,
      event: options.event,
      producerType: this.#options.producerType,
      initialSequence: this.#options.initialSequence,
    });
    if (options.persistence !== undefined) {
      checkPersistenceOptions(options.persistence);
      const p = options.persistence;
      this.#journal = this.handler(JOURNAL_HANDLER, JOURNAL_MODULE, p.worker !== undefined ? { worker: p.worker } : {});
    }
  }

  /** The built-in journal handler (with `persistence`): place an ack stage after it so nothing is acknowledged before it is durable. */
  get journal(): HandlerRef {
    if (!this.#journal)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'bus.journal exists only when the bus has persistence options');
    return this.#journal;
  }

  /** What recovery found and replayed at start (null without persistence or before start); replayStartedAt is a performance.now() value. */
  get recovery(): (RecoveryPlan & { replayedThrough: number; replayStartedAt: number }) | null {
    return this.#recovery;
  }

  /** 'new' | 'starting' | 'running' | 'stopping' | 'halted' | 'stopped'. */
  get state(): BusState {
    return this.#state;
  }

  /** The ring (after start). Publishing through it directly bypasses the halt checks. */
  get ring(): RingBuffer<F> {
    if (!this.#ring) throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'the ring exists once start() has been called');
    return this.#ring;
  }

  /** The error that halted the bus, if it halted. */
  get haltError(): Error | null {
    this.#checkHalt();
    return this.#haltError;
  }

  /** Registers a handler module under a unique name. Wire it with handleEventsWith / then / after. */
  handler(name: string, module: URL | string, options: HandlerOptions = {}): HandlerRef {
    this.#assertState('new', 'handler()');
    if (this.#handlers.some((h) => h.name === name))
      throw new RingbusError('RINGBUS_ERR_TOPOLOGY', `a handler named '${name}' is already registered`);
    const ref = new HandlerRef(this, name, module, options);
    this.#handlers.push(ref);
    return ref;
  }

  /** Handlers that run straight off the ring, in parallel. */
  handleEventsWith(...handlers: (HandlerRef | HandlerSpec)[]): EventHandlerGroup {
    return new EventHandlerGroup(this, this.place([], handlers));
  }

  /** A group for handlers already placed, to run more handlers after them. */
  after(...handlers: HandlerRef[]): EventHandlerGroup {
    for (const h of handlers) {
      if (!(h instanceof HandlerRef) || h.owner !== this)
        throw new RingbusError(
          'RINGBUS_ERR_TOPOLOGY',
          `after() takes handlers of this bus, got ${show((h as { name?: string })?.name ?? h)}`,
        );
      if (h.dependsOn === null)
        throw new RingbusError(
          'RINGBUS_ERR_TOPOLOGY',
          `after('${h.name}'): '${h.name}' is not placed yet; place it with handleEventsWith first`,
        );
    }
    return new EventHandlerGroup(this, handlers);
  }

  /** @internal GroupOwner: places handlers after `after`. */
  place(after: readonly HandlerRef[], handlers: readonly (HandlerRef | HandlerSpec)[]): readonly HandlerRef[] {
    this.#assertState('new', 'wiring handlers');
    if (handlers.length === 0)
      throw new RingbusError('RINGBUS_ERR_TOPOLOGY', 'handleEventsWith/then needs at least one handler');
    const refs = handlers.map((h) =>
      h instanceof HandlerRef
        ? h
        : this.handler((h as HandlerSpec)?.name, (h as HandlerSpec)?.module, h as HandlerSpec),
    );
    for (const r of refs) {
      if (r.owner !== this)
        throw new RingbusError('RINGBUS_ERR_TOPOLOGY', `handler '${r.name}' belongs to another bus`);
      if (r.dependsOn !== null)
        throw new RingbusError(
          'RINGBUS_ERR_TOPOLOGY',
          `handler '${r.name}' is already placed in the graph; a handler runs once (use after('${r.name}') to add dependents)`,
        );
    }
    if (new Set(refs).size !== refs.length)
      throw new RingbusError('RINGBUS_ERR_TOPOLOGY', 'the same handler appears twice in one handleEventsWith/then');
    let order = this.#handlers.filter((h) => h.dependsOn !== null).length;
    for (const r of refs) {
      r.dependsOn = [...after];
      r.order = order++;
    }
    return refs;
  }

  /** Starts the workers (loading every handler module). Resolves once every worker is ready. */
  async start(): Promise<void> {
    this.#assertState('new', 'start()');
    try {
      await this.#start();
    } catch (error) {
      this.#releaseLock(); // whatever failed, the data directory is free again
      throw error;
    }
  }

  async #start(): Promise<void> {
    // the journal runs straight off the ring unless the application placed it
    if (this.#journal && this.#journal.dependsOn === null) this.place([], [this.#journal]);
    const placed = this.#handlers.filter((h) => h.dependsOn !== null).sort((a, b) => a.order - b.order);
    const unplaced = this.#handlers.filter((h) => h.dependsOn === null);
    if (placed.length === 0)
      throw new RingbusError(
        'RINGBUS_ERR_TOPOLOGY',
        'no handler is wired: use bus.handleEventsWith(...) before start()',
      );
    if (unplaced.length > 0)
      throw new RingbusError(
        'RINGBUS_ERR_TOPOLOGY',
        `handler(s) registered but never wired: ${unplaced.map((h) => h.name).join(', ')}`,
      );
    const nowhere = placed.filter(
      (h) => h.policy.type !== 'halt' && h.deadLetterPath === null && !this.#options.persistence,
    );
    if (nowhere.length > 0) {
      throw new RingbusError(
        'RINGBUS_ERR_INVALID_OPTION',
        `handler(s) ${nowhere.map((h) => `'${h.name}'`).join(', ')} may skip failed events but have no deadLetterPath and the bus has no persistence.dataDir: skipped events would be lost`,
      );
    }
    if (placed.length > MAX_SEQUENCES)
      throw new RingbusRangeError(
        'RINGBUS_ERR_TOPOLOGY',
        `at most ${MAX_SEQUENCES} handlers per bus, got ${placed.length}`,
      );
    const o = this.#options;
    const p = o.persistence;
    // one writer per data directory (read-only replays take no lock)
    if (p && !p.readOnly) this.#lock = DataDirLock.acquire(p.dataDir);
    let plan: RecoveryPlan | null;
    try {
      plan = p ? planRecovery(p, o.initialSequence) : null;
    } catch (error) {
      this.#releaseLock();
      throw error;
    }
    if (p && plan) {
      try {
        if (!p.readOnly)
          writeBusManifest(
            p.dataDir,
            o.event,
            placed,
            { capacity: o.capacity, producerType: o.producerType },
            p.upcasters !== undefined,
          );
        else readManifest(p.dataDir); // a read-only bus (replay) checks the manifest's checksum too
      } catch (error) {
        this.#releaseLock();
        throw error;
      }
      this.#journal!.options = {
        dataDir: p.dataDir,
        fsync: p.fsync ?? 'batch',
        ...(p.segmentBytes !== undefined ? { segmentBytes: p.segmentBytes } : {}),
        fingerprint: o.event.fingerprint,
        eventName: o.event.name,
        payloadSize: o.event.journalSize, // the input fields: transient (result) fields are not journaled
        epochMs: 0, // set below from the ring
        skipThrough: plan.journalLast,
        ...(plan.tail ? { recoveredTail: plan.tail } : {}),
        readOnly: p.readOnly === true || p.recoverTo !== undefined,
      } satisfies JournalHandlerOptions;
    }
    const ring = new RingBuffer<F>({
      capacity: o.capacity,
      event: o.event,
      producerType: o.producerType,
      waitStrategy: this.#waitStrategy,
      initialSequence: plan ? plan.startSequence : o.initialSequence,
      ...(plan?.epochMs !== undefined ? { epochMs: plan.epochMs } : {}),
    });
    this.#state = 'starting';
    if (this.#journal) (this.#journal.options as { epochMs: number }).epochMs = ring.epochMs;
    const status = BusStatus.create();
    this.#ring = ring;
    this.#status = status;
    this.#publisher = new BusPublisher(ring, status);
    this.#publisher.close(
      () => new RingbusError('RINGBUS_ERR_BUS_STATE', `cannot publish while the bus is ${this.#state}`),
    );
    for (const h of placed) this.#sequences.set(h, ring.newSequence());
    const leaves = placed.filter((h) => !placed.some((d) => d.dependsOn!.includes(h)));
    ring.addGatingSequences(...leaves.map((h) => this.#sequences.get(h)!));

    const names = [...new Set(placed.map((h) => h.worker ?? DEFAULT_WORKER))];
    if (names.length > MAX_WORKERS)
      throw new RingbusRangeError(
        'RINGBUS_ERR_TOPOLOGY',
        `at most ${MAX_WORKERS} workers per bus, got ${names.length}`,
      );
    const inits: WorkerInit[] = names.map((workerName, workerIndex) => {
      const wo = this.#workerOptions.get(workerName) ?? {};
      const handlers: HandlerInit[] = placed
        .filter((h) => (h.worker ?? DEFAULT_WORKER) === workerName)
        .map((h) => ({
          name: h.name,
          index: h.order,
          moduleUrl: h.moduleUrl,
          options: h.options,
          sequenceLine: this.#sequences.get(h)!.line,
          dependsOnLines: h.dependsOn!.map((d) => this.#sequences.get(d)!.line),
          policy: h.policy,
          deadLetterPath:
            h.deadLetterPath ??
            (p && h.policy.type !== 'halt' ? join(p.dataDir, 'dead-letters', `${h.name}.dlq`) : null),
          hasRestore: plan?.snapshot?.states.has(h.name) ?? false,
          restoreState: plan?.snapshot?.states.get(h.name),
        }));
      return {
        kind: 'ringbus-worker',
        workerName,
        workerIndex,
        ring: ring.descriptor(),
        waitStrategy: createWaitStrategy(wo.waitStrategy ?? this.#waitStrategy).options as WaitStrategyOptions,
        status: status.buffer,
        cpus: normaliseCpus(workerName, wo.cpu),
        handlers,
        metrics: o.metrics,
        outbound: o.outbound ?? {},
      };
    });
    this.#workers = new WorkerSet(
      inits,
      (m) => this.#onWorkerMessage(m),
      (m) => this.#onSupervisorMessage(m),
    );
    try {
      await this.#workers.start(
        ring.descriptor(),
        status.buffer,
        inits.map((i) => this.#workerOptions.get(i.workerName)?.resourceLimits ?? null),
        this.#options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
      );
    } catch (error) {
      this.#state = 'halted';
      if (status.tryHalt(HALT_SHUTDOWN, -1, -1, NaN, `start failed: ${(error as Error).message}`))
        ring.halt(HALT_SHUTDOWN);
      await this.#workers.waitAllExited(5000);
      this.#releaseLock();
      throw error;
    }
    if (p && plan) {
      // replay what the journal holds after the snapshot, through the same handlers (not re-journaled)
      status.setReplayUntil(plan.replayTo);
      let replayedThrough = plan.startSequence - 1;
      const replayStartedAt = performance.now();
      try {
        replayedThrough = replayJournal(ring, o.event, p, plan);
      } catch (error) {
        await this.halt();
        throw error;
      }
      this.#recovery = { ...plan, replayedThrough, replayStartedAt };
      if (p.recoverTo !== undefined) {
        // time travel: the state is frozen at the target; only control requests (stateHash, captureState) go through
        this.#state = 'running';
        this.#publisher.close(
          () =>
            new RingbusError(
              'RINGBUS_ERR_BUS_STATE',
              `this bus replays to ${replayedThrough} for inspection (persistence.recoverTo): publishing is refused`,
            ),
        );
        this.#controlOnly = true;
        return;
      }
      if (!p.readOnly && p.snapshotEvery) {
        this.#scheduler = new SnapshotScheduler(
          p.snapshotEvery,
          () => this.#ring!.getCursor(),
          () => this.snapshot(),
        );
      }
    }
    this.#state = 'running';
    this.#publisher.open();
  }

  #controlOnly = false;

  #releaseLock(): void {
    this.#lock?.release();
    this.#lock = null;
  }

  /**
   * Takes a snapshot without stopping the bus: a control event at S makes every stateful handler
   * capture its state at S; once the journal stage has passed S, the set is written off the
   * main thread (piscina), complete only when its manifest is in place. Old sets beyond
   * retainSnapshots, and journal segments wholly before the oldest kept set, are deleted.
   */
  async snapshot(options: { timeoutMs?: number } = {}): Promise<{ sequence: number; path: string }> {
    const p = this.#options.persistence;
    if (!p || p.readOnly || p.recoverTo)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'snapshot() needs a bus with writable persistence options');
    const timeoutMs = options.timeoutMs ?? 60_000;
    const cut = await this.captureState({ timeoutMs });
    const journalSeq = this.#sequences.get(this.#journal!)!;
    const deadline = performance.now() + timeoutMs;
    while (journalSeq.read(cut.sequence) < cut.sequence) {
      if (this.#status!.haltReason() !== 0) throw this.#currentHaltError();
      if (performance.now() > deadline)
        throw new RingbusError(
          'RINGBUS_ERR_DRAIN_TIMEOUT',
          `snapshot at ${cut.sequence}: the journal did not pass it within ${timeoutMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const { SnapshotWriterPool } = await import('../persistence/SnapshotWriterPool.js');
    const { SnapshotStore } = await import('../persistence/SnapshotStore.js');
    const { pruneJournal } = await import('../persistence/journalFiles.js');
    const pool = (this.#pool ??= new SnapshotWriterPool(p.dataDir, { schemas: this.#workers!.snapshotSchemas() }));
    const path = await pool.writeSet(cut.sequence, cut.states);
    // prune() returns the first sequence the oldest kept set needs from the journal (its S + 1)
    pruneJournal(p.dataDir, new SnapshotStore(p.dataDir).prune({ retain: p.retainSnapshots ?? 2 }));
    const result = { sequence: cut.sequence, path };
    this.emit('snapshot', result);
    return result;
  }

  #pool: {
    writeSet(sequence: number, states: Readonly<Record<string, unknown>>): Promise<string>;
    close(): Promise<void>;
  } | null = null;

  /** Descriptor for a gateway worker: `BusPublisher.attach(descriptor)` there. */
  publisherDescriptor(): PublisherDescriptor {
    if (!this.#ring || !this.#status)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'publisherDescriptor() is available after start()');
    return { ring: this.#ring.descriptor(), status: this.#status.buffer };
  }

  /** The main thread's publisher (checks halt and state on every publish). */
  get publisher(): BusPublisher<F> {
    if (!this.#publisher)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'the publisher exists once start() has been called');
    return this.#publisher;
  }

  /** Validates and publishes one event (waits while the ring is full). Returns its sequence. */
  publishEvent(values: Record<string, unknown>): number {
    return this.#pub().publishEvent(values);
  }
  /** Returns -1 at once when the ring is full. */
  tryPublishEvent(values: Record<string, unknown>): number {
    return this.#pub().tryPublishEvent(values);
  }
  /** Throws RINGBUS_ERR_PUBLISH_TIMEOUT when no slot frees up within timeoutMs. */
  publishEventWithTimeout(values: Record<string, unknown>, timeoutMs: number): number {
    return this.#pub().publishEventWithTimeout(values, timeoutMs);
  }
  /** Validates all, then publishes them as one batch. */
  publishEvents(batch: readonly Record<string, unknown>[]): number {
    return this.#pub().publishEvents(batch);
  }
  /** Zero-allocation publish through a translator. */
  publishWith<A>(translator: EventTranslator<F, A>, arg: A): number {
    return this.#pub().publishWith(translator, arg);
  }
  tryPublishWith<A>(translator: EventTranslator<F, A>, arg: A): number {
    return this.#pub().tryPublishWith(translator, arg);
  }

  #pub(): BusPublisher<F> {
    if (!this.#publisher)
      throw new RingbusError(
        'RINGBUS_ERR_BUS_STATE',
        `cannot publish while the bus is ${this.#state}: call start() first`,
      );
    return this.#publisher;
  }

  /**
   * Resolves when every event published before the call has passed every handler. Rejects with
   * RINGBUS_ERR_DRAIN_TIMEOUT (naming the handlers still behind) after timeoutMs, or with the
   * halt error if the bus halts meanwhile. Never spins: it polls on timers.
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0))
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `drain timeoutMs must be a non-negative number, got ${show(timeoutMs)}`,
      );
    if (this.#state === 'stopped')
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'drain() needs a running bus; it is stopped');
    if (this.#state === 'halted' || this.#status?.haltReason()) throw this.#currentHaltError();
    if (this.#state !== 'running' && this.#state !== 'stopping')
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', `drain() needs a running bus; it is ${this.#state}`);
    const ring = this.#ring!;
    const target = ring.getCursor();
    const deadline = performance.now() + timeoutMs;
    for (let round = 0; ; round++) {
      if (this.#status!.haltReason() !== 0) throw this.#currentHaltError();
      const behind = [...this.#sequences].filter(([, s]) => s.read(target) < target);
      if (behind.length === 0) return;
      if (performance.now() >= deadline) {
        throw new RingbusError(
          'RINGBUS_ERR_DRAIN_TIMEOUT',
          `drain did not finish within timeoutMs=${timeoutMs}: cursor ${target}; behind: ${behind.map(([h, s]) => `${h.name} at ${s.read(target)}`).join(', ')}`,
        );
      }
      await new Promise((resolve) => (round < 10 ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
  }

  /** Stops now without draining: handlers stop at their current sequence. Resolves when every worker exited. */
  async halt(): Promise<void> {
    if (this.#state === 'new' || this.#state === 'stopped') return;
    const status = this.#status!;
    if (status.tryHalt(HALT_REQUESTED, -1, -1, NaN, 'halt() was called')) this.#ring!.halt(HALT_REQUESTED);
    this.#markHalted();
    await this.#scheduler?.stop();
    this.#scheduler = null;
    await this.#workers?.waitAllExited(10_000);
    await this.#pool?.close();
    this.#pool = null;
    this.#releaseLock();
  }

  /**
   * Graceful stop: drains in-flight events, then stops every worker (each handler's onShutdown
   * runs) and resolves when all exited; timeoutMs (default 30000) bounds the whole call: workers
   * still running when it runs out are terminated. If draining fails, the bus halts,
   * the workers are still stopped, and the drain error is thrown.
   */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#state === 'new') {
      this.#state = 'stopped';
      return;
    }
    if (this.#state === 'stopped') return;
    // one budget for drain + worker exit: shutdown returns within timeoutMs in total
    const deadline = performance.now() + (options.timeoutMs ?? 30_000);
    this.#checkHalt();
    await this.#scheduler?.stop();
    this.#scheduler = null;
    let failure: unknown = null;
    if (this.#state === 'running') {
      this.#state = 'stopping';
      this.#publisher!.close(
        () => new RingbusError('RINGBUS_ERR_BUS_STATE', `cannot publish while the bus is ${this.#state}`),
      );
      try {
        await this.drain(options);
      } catch (error) {
        failure = error;
      }
    }
    const status = this.#status!;
    status.requestStop();
    if (
      failure !== null &&
      status.tryHalt(HALT_SHUTDOWN, -1, -1, NaN, `shutdown after a failed drain: ${(failure as Error).message}`)
    )
      this.#ring!.halt(HALT_SHUTDOWN);
    this.#ring!.wakeAll();
    await this.#workers!.waitAllExited(Math.max(0, deadline - performance.now()));
    // a gateway still publishing would otherwise wait forever on a ring nobody consumes
    if (status.tryHalt(HALT_SHUTDOWN, -1, -1, NaN, 'shutdown() completed')) this.#ring!.halt(HALT_SHUTDOWN);
    const shutdownErrors = this.#workers!.shutdownErrors();
    await this.#pool?.close();
    this.#pool = null;
    this.#releaseLock();
    this.#state = 'stopped';
    this.#publisher!.close(() =>
      this.#haltError
        ? this.#currentHaltError()
        : new RingbusError('RINGBUS_ERR_BUS_STATE', 'cannot publish: the bus is stopped'),
    );
    if (failure !== null) throw failure;
    if (shutdownErrors.length > 0)
      throw new RingbusError(
        'RINGBUS_ERR_HANDLER_FAILED',
        `onShutdown failed: ${shutdownErrors.map((e) => e.message).join('; ')}`,
      );
  }

  /** Per-handler progress, lag, throughput counters and latency / batch-size percentiles. */
  async metrics(options: { timeoutMs?: number } = {}): Promise<BusMetrics> {
    if (!this.#ring || !this.#workers)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'metrics() is available after start()');
    let reports: HandlerMetricsReport[];
    if (this.#state === 'running' || this.#state === 'stopping') {
      const id = this.#status!.requestMetrics();
      this.#ring.wakeAll();
      reports = await this.#workers.collectMetrics(
        id,
        options.timeoutMs ?? 5000,
        (i) => this.#status!.workerState(i) === WORKER_RUNNING,
      );
    } else {
      reports = this.#workers.lastMetrics();
    }
    const cursor = this.#ring.getCursor();
    return buildMetrics(
      cursor,
      [...this.#sequences].map(([h, s]) => ({
        name: h.name,
        worker: h.worker ?? DEFAULT_WORKER,
        sequence: s.read(cursor),
      })),
      reports,
    );
  }

  /**
   * A consistent cut: publishes a control event at sequence S and resolves with every stateful
   * handler's snapshot() taken when it reached S (without stopping the bus), and its state hash.
   * Needs this thread to be a producer (multi-producer rings, or the single producer).
   */
  async captureState(options: { timeoutMs?: number } = {}): Promise<CapturedState> {
    const workers = this.#runningWorkers('captureState()');
    const sequence = this.#publishControl(CONTROL_SNAPSHOT);
    return collectAt(workers, 'snapshot', sequence, workers.statefulHandlers(), options.timeoutMs ?? 30_000);
  }

  /**
   * The bus state hash at a sequence S (a control event): each handler's stateHash() (or the
   * hash of its snapshot()), combined in handler-name order. Equal hashes = equal state, which is
   * how live runs, recoveries and replays are compared.
   */
  async stateHash(
    options: { timeoutMs?: number } = {},
  ): Promise<{ sequence: number; hash: string; handlers: Readonly<Record<string, string | null>> }> {
    const workers = this.#runningWorkers('stateHash()');
    const sequence = this.#publishControl(CONTROL_STATE_HASH);
    const names = workers.inits.flatMap((i) => i.handlers.map((h) => h.name));
    const c = await collectAt(workers, 'state-hash', sequence, names, options.timeoutMs ?? 30_000);
    // stateless handlers (no snapshot/stateHash) answer null and do not take part in the digest
    const stateful = Object.fromEntries(Object.entries(c.hashes).filter((e): e is [string, string] => e[1] !== null));
    return { sequence, hash: combineStateHashes(stateful), handlers: c.hashes };
  }

  #runningWorkers(what: string): WorkerSet {
    if (this.#state === 'halted' || this.#status?.haltReason()) throw this.#currentHaltError();
    if (this.#state !== 'running' || !this.#workers)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', `${what} needs a running bus; it is ${this.#state}`);
    return this.#workers;
  }

  /** Publishes a control event (also on a time-travel bus, whose event publishing is closed). */
  #publishControl(code: number): number {
    if (this.#controlOnly) return this.#ring!.publishControl(code);
    return this.#pub().publishControl(code);
  }

  /** Where every handler runs, pinned or not, and warnings (e.g. more spinning threads than cores). */
  placement(): PlacementReport {
    const inits = this.#workers?.inits ?? [];
    return placementReport(
      inits.map((i) => ({
        name: i.workerName,
        handlers: i.handlers.map((h) => h.name),
        waitStrategy: i.waitStrategy,
        placement: this.#workers!.placementOf(i.workerIndex),
      })),
      this.#options.producerLabel,
      isSpinning(this.#waitStrategy),
    );
  }

  #onWorkerMessage(m: WorkerMessage): void {
    if (m.type === 'stopped' && m.halted) this.#checkHalt();
  }

  #onSupervisorMessage(m: SupervisorMessage): void {
    if (m.type === 'worker-exit' && m.unexpected) this.#checkHalt();
  }

  #checkHalt(): void {
    const status = this.#status;
    // after a graceful shutdown the ring is halted on purpose (to stop gateways): not a failure
    if (!status || status.haltReason() === 0 || this.#state === 'stopped') return;
    this.#markHalted();
  }

  #markHalted(): void {
    if (this.#haltError) return;
    const error = this.#currentHaltError();
    this.#haltError = error;
    if (this.#state !== 'stopped') this.#state = 'halted';
    this.#publisher?.close(() => this.#currentHaltError());
    if (this.listenerCount('halt') > 0) this.emit('halt', error);
  }

  #currentHaltError(): Error {
    return haltError(this.#status!);
  }

  #assertState(expected: BusState, what: string): void {
    if (this.#state !== expected)
      throw new RingbusError(
        'RINGBUS_ERR_BUS_STATE',
        `${what} is only allowed while the bus is ${expected}; it is ${this.#state}`,
      );
  }
}
