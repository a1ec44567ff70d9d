import { EventEmitter } from 'node:events';
import type { EventTranslator, RingBuffer } from '../core/RingBuffer.js';
import { RingbusError, RingbusRangeError, show } from '../errors.js';
import { HALT_REQUESTED, HALT_SHUTDOWN } from '../layout/BusStatusDescriptor.js';
import type { BusMetrics } from '../metrics/BusMetrics.js';
import type { Flyweight } from '../schema/defineEvent.js';
import { BusLifecycle, type BusState } from './BusLifecycle.js';
import type { RecoveryPlan } from './BusPersistence.js';
import { freezePlan, HandlerGraph, resolveBusOptions, type BusConfig, type RingBusOptions } from './BusPlan.js';
import type { BusPublisher, PublisherDescriptor } from './BusPublisher.js';
import { BusFollower } from './BusFollower.js';
import { BusRuntime, type StateHashResult } from './BusRuntime.js';
import { EventHandlerGroup, type GroupOwner } from './EventHandlerGroup.js';
import { haltError } from './haltError.js';
import { HandlerRef, type HandlerOptions, type HandlerSpec } from './HandlerRef.js';
import { PersistenceCoordinator } from './PersistenceCoordinator.js';
import { checkProgressLineName, ProgressLineRef, type ProgressLineOptions } from './progressLines.js';
import { isSpinning, placementReport, type PlacementReport } from './placement.js';
import type { SupervisorMessage, WorkerMessage } from '../runtime/protocol.js';
import type { CapturedState } from './StateCollector.js';

export { DEFAULT_WORKER, JOURNAL_HANDLER, type RingBusOptions } from './BusPlan.js';

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
 * A facade: the DSL fills a HandlerGraph, start() freezes it into a BusPlan (BusPlan.ts), builds a
 * BusRuntime (ring, status block, workers: BusRuntime.ts) and lets the PersistenceCoordinator
 * (lock, recovery, journal options, snapshots) do its part; BusLifecycle holds the state.
 * Emits 'halt' (error) when a handler fails under the halt policy or a worker dies, and
 * 'snapshot' ({ sequence, path }) when a snapshot set is complete on disk.
 * Thread-safety: the RingBus object belongs to the thread that created it.
 */
export class RingBus<F extends Flyweight = Flyweight> extends EventEmitter implements GroupOwner {
  readonly #config: BusConfig<F>;
  readonly #graph = new HandlerGraph(this);
  readonly #lifecycle = new BusLifecycle();
  readonly #persistence: PersistenceCoordinator<F> | null;
  readonly #journal: HandlerRef | null;
  readonly #progressLines: ProgressLineRef[] = [];
  #runtime: BusRuntime<F> | null = null;
  #haltError: Error | null = null;
  /** Time travel: event publishing is closed, control events go straight to the ring. */
  #controlOnly = false;
  /** Ring name in a BusGroup (null: not in one). */
  #group: string | null = null;
  /** Follower mode (follow()): events come from a leader's journal until promote(). */
  #follower: BusFollower<F> | null = null;

  constructor(options: RingBusOptions<F>) {
    super();
    this.#config = resolveBusOptions(options);
    const p = this.#config.persistence;
    this.#persistence = p ? new PersistenceCoordinator(p, this.#config.event) : null;
    this.#journal = p ? this.#graph.registerJournal(p) : null;
  }

  /** The built-in journal handler (with `persistence`): place an ack stage after it so nothing is acknowledged before it is durable. */
  get journal(): HandlerRef {
    if (!this.#journal)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'bus.journal exists only when the bus has persistence options');
    return this.#journal;
  }

  /**
   * Adds an external progress line (progressLines.ts): a sequence line something outside the graph
   * moves (never past the journal's durable sequence); place stages after it with `after(line)`.
   * Needs persistence options; before start().
   */
  addProgressLine(name: string, options: ProgressLineOptions = {}): ProgressLineRef {
    this.#lifecycle.assert('new', 'addProgressLine()');
    if (!this.#journal)
      throw new RingbusError(
        'RINGBUS_ERR_BUS_STATE',
        `progress line '${name}' follows the journal: the bus needs persistence options`,
      );
    checkProgressLineName(name, [...this.#graph.all, ...this.#progressLines]);
    const line = new ProgressLineRef(this, name, this.#journal, this.#config.persistence!.dataDir, options);
    this.#progressLines.push(line);
    return line;
  }

  /** The progress line registered under `name`. */
  progressLineOf(name: string): ProgressLineRef {
    const line = this.#progressLines.find((l) => l.name === name);
    if (!line) throw new RingbusError('RINGBUS_ERR_TOPOLOGY', `the bus has no progress line named ${show(name)}`);
    return line;
  }

  /** A progress line's value now (after start; may be stale by what its writer published since). */
  progressSequence(line: ProgressLineRef): number {
    if (!this.#runtime)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'progressSequence() is available after start()');
    return this.#runtime.progress.sequence(line);
  }

  /** What recovery found and replayed at start (null without persistence or before start); replayStartedAt is a performance.now() value. */
  /**
   * Follower mode, for a hot standby (BusFollower.ts): after start() (recovery of its own data
   * directory included) the bus takes events only through the returned follower's `apply(record)`,
   * each at the leader's sequence, until `follower.promote()` makes it live. Needs writable
   * persistence options; before start(); not in a BusGroup.
   */
  follow(): BusFollower<F> {
    this.#lifecycle.assert('new', 'follow()');
    if (this.#group !== null)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', `ring '${this.#group}' of a BusGroup cannot follow a leader`);
    const p = this.#persistence;
    if (!p || !p.writable)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'follow() needs a bus with writable persistence options');
    return (this.#follower ??= new BusFollower<F>({
      event: this.#config.event,
      runtime: () => this.#runtime!,
      writeSnapshot: (cut) => this.#writeSnapshot(cut, 60_000),
      goLive: () => this.#goLive(),
    }));
  }

  get recovery(): (RecoveryPlan & { replayedThrough: number; replayStartedAt: number }) | null {
    return this.#persistence?.recovery ?? null;
  }

  /** 'new' | 'starting' | 'running' | 'stopping' | 'halted' | 'stopped'. */
  get state(): BusState {
    return this.#lifecycle.state;
  }

  /** The ring (after start). Publishing through it directly bypasses the halt checks. */
  get ring(): RingBuffer<F> {
    if (!this.#runtime) throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'the ring exists once start() has been called');
    return this.#runtime.ring;
  }

  /** The error that halted the bus, if it halted. */
  get haltError(): Error | null {
    this.#checkHalt();
    return this.#haltError;
  }

  /** Registers a handler module under a unique name. Wire it with handleEventsWith / then / after. */
  handler(name: string, module: URL | string, options: HandlerOptions = {}): HandlerRef {
    this.#lifecycle.assert('new', 'handler()');
    return this.#graph.register(name, module, options);
  }

  /** Handlers that run straight off the ring, in parallel. */
  handleEventsWith(...handlers: (HandlerRef | HandlerSpec)[]): EventHandlerGroup {
    return new EventHandlerGroup(this, this.place([], handlers));
  }

  /** A group for handlers already placed, to run more handlers after them. */
  after(...handlers: HandlerRef[]): EventHandlerGroup {
    this.#graph.checkPlaced(handlers);
    return new EventHandlerGroup(this, handlers);
  }

  /** @internal GroupOwner: places handlers after `after`. */
  place(after: readonly HandlerRef[], handlers: readonly (HandlerRef | HandlerSpec)[]): readonly HandlerRef[] {
    this.#lifecycle.assert('new', 'wiring handlers');
    return this.#graph.place(after, handlers);
  }

  /** Starts the workers (loading every handler module). Resolves once every worker is ready. */
  async start(): Promise<void> {
    if (this.#group !== null)
      throw new RingbusError(
        'RINGBUS_ERR_BUS_STATE',
        `this bus is ring '${this.#group}' of a BusGroup: start the group`,
      );
    this.prepare();
    await this.launch();
  }

  /**
   * @internal BusGroup's two-phase start: `prepare()` builds the ring and runtime (recovering the
   * data directory) without starting a worker, so the group can link rings that name each other;
   * then `launch()`. `abandon(why)` halts a prepared bus whose launch will not come.
   */
  prepare(): BusRuntime<F> {
    this.#lifecycle.assert('new', 'start()');
    try {
      return this.#prepare();
    } catch (error) {
      this.#persistence?.releaseLock(); // whatever failed, the data directory is free again
      throw error;
    }
  }
  /** @internal See prepare(). */
  async launch(): Promise<void> {
    try {
      await this.#launch();
    } catch (error) {
      this.#persistence?.releaseLock();
      throw error;
    }
  }
  /** @internal See prepare(). */
  abandon(why: string): void {
    this.#runtime?.halt(HALT_SHUTDOWN, why);
    this.#markHalted();
    this.#persistence?.releaseLock();
  }
  /** @internal BusGroup.add(): from now on only the group starts this bus. */
  joinGroup(ring: string): void {
    this.#group = ring;
  }

  #prepare(): BusRuntime<F> {
    const c = this.#config;
    // the journal runs straight off the ring unless the application placed it
    if (this.#journal && this.#journal.dependsOn === null) this.#graph.place([], [this.#journal]);
    const plan = freezePlan(c, this.#graph, this.#journal);
    const persistence = this.#persistence;
    const recovery = persistence?.open(plan.handlers, c, c.initialSequence) ?? null;
    const start = { initialSequence: recovery?.startSequence ?? c.initialSequence, epochMs: recovery?.epochMs };
    const onWorker = (m: WorkerMessage): void => void (m.type === 'stopped' && m.halted && this.#checkHalt());
    const onSupervisor = (m: SupervisorMessage): void =>
      void (m.type === 'worker-exit' && m.unexpected && this.#checkHalt());
    const lines = this.#progressLines;
    const runtime = new BusRuntime(plan, start, persistence, this.#journal, onWorker, onSupervisor, lines);
    this.#runtime = runtime;
    if (lines.length > 0) runtime.progress.announce(lines, runtime.status.buffer, runtime.durability!.durable.line);
    this.#lifecycle.transition('begin-start');
    runtime.publisher.close(() => this.#stateError('cannot publish while the bus is'));
    return runtime;
  }

  async #launch(): Promise<void> {
    const runtime = this.#runtime!;
    const persistence = this.#persistence;
    try {
      await runtime.startWorkers();
    } catch (error) {
      this.#markHalted(); // the ring is halted: publishing now reports why
      throw error;
    }
    if (persistence) {
      // replay what the journal holds after the snapshot, through the same handlers (not re-journaled)
      let replayedThrough: number;
      try {
        replayedThrough = persistence.replay(runtime.ring, runtime.status);
      } catch (error) {
        await this.halt();
        throw error;
      }
      if (persistence.timeTravel) {
        // the state is frozen at the target; only control requests (stateHash, captureState) go through
        const refusal = `this bus replays to ${replayedThrough} for inspection (persistence.recoverTo): publishing is refused`;
        this.#lifecycle.transition('started');
        runtime.publisher.close(() => new RingbusError('RINGBUS_ERR_BUS_STATE', refusal));
        this.#controlOnly = true;
        return;
      }
      if (this.#follower) {
        this.#lifecycle.transition('started');
        const refusal =
          'this bus follows a leader (follow()): it takes no publish, snapshot or state request until promote()';
        runtime.publisher.close(() => new RingbusError('RINGBUS_ERR_BUS_STATE', refusal));
        this.#follower.begin(replayedThrough);
        return;
      }
    }
    this.#lifecycle.transition('started');
    this.#goLive();
  }

  /** Opens publishing and starts the snapshot schedule (at start, or when a follower is promoted). */
  #goLive(): void {
    const runtime = this.#runtime!;
    this.#persistence?.schedule(
      () => runtime.ring.getCursor(),
      () => this.snapshot(),
    );
    runtime.publisher.open();
  }

  /**
   * Takes a snapshot without stopping the bus: a control event at S makes every stateful handler
   * capture its state at S; once the journal stage has passed S, the set is written off the
   * main thread (piscina), complete only when its manifest is in place. Old sets beyond
   * retainSnapshots, and journal segments wholly before the oldest kept set, are deleted.
   */
  async snapshot(options: { timeoutMs?: number } = {}): Promise<{ sequence: number; path: string }> {
    const p = this.#persistence;
    if (!p || !p.writable)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'snapshot() needs a bus with writable persistence options');
    const timeoutMs = options.timeoutMs ?? 60_000;
    return this.#writeSnapshot(await this.captureState({ timeoutMs }), timeoutMs);
  }

  async #writeSnapshot(cut: CapturedState, timeoutMs: number): Promise<{ sequence: number; path: string }> {
    const rt = this.#runtime!;
    const halted = (): Error | null => (rt.status.haltReason() !== 0 ? this.#currentHaltError() : null);
    const durable = rt.durability!.durable; // a snapshot past the durable journal would be ignored
    const result = await this.#persistence!.writeSnapshot(
      cut,
      durable,
      rt.workers.snapshotSchemas(),
      halted,
      timeoutMs,
    );
    this.emit('snapshot', result);
    return result;
  }

  /** Descriptor for a gateway worker: `BusPublisher.attach(descriptor)` there. */
  publisherDescriptor(): PublisherDescriptor {
    if (!this.#runtime)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'publisherDescriptor() is available after start()');
    return { ring: this.#runtime.ring.descriptor(), status: this.#runtime.status.buffer };
  }

  /** The main thread's publisher (checks halt and state on every publish). */
  get publisher(): BusPublisher<F> {
    if (!this.#runtime)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'the publisher exists once start() has been called');
    return this.#runtime.publisher;
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
    if (!this.#runtime)
      throw new RingbusError(
        'RINGBUS_ERR_BUS_STATE',
        `cannot publish while the bus is ${this.state}: call start() first`,
      );
    return this.#runtime.publisher;
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
    const state = this.state;
    if (state === 'stopped')
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'drain() needs a running bus; it is stopped');
    if (state === 'halted' || this.#runtime?.status.haltReason()) throw this.#currentHaltError();
    if (state !== 'running' && state !== 'stopping')
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', `drain() needs a running bus; it is ${state}`);
    await this.#runtime!.drain(timeoutMs, () => this.#currentHaltError());
  }

  /** Stops now without draining: handlers stop at their current sequence. Resolves when every worker exited. */
  async halt(): Promise<void> {
    const rt = this.#runtime;
    if (this.state === 'new' || this.state === 'stopped' || !rt) return;
    rt.halt(HALT_REQUESTED, 'halt() was called');
    this.#markHalted();
    await this.#persistence?.stopSchedule();
    await rt.workers.waitAllExited(10_000);
    await this.#persistence?.close();
  }

  /**
   * Graceful stop: drains in-flight events, then stops every worker (each handler's onShutdown
   * runs) and resolves when all exited; timeoutMs (default 30000) bounds the whole call: workers
   * still running when it runs out are terminated. If draining fails, the bus halts,
   * the workers are still stopped, and the drain error is thrown.
   */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.state === 'new') return void this.#lifecycle.transition('stopped');
    if (this.state === 'stopped') return;
    // one budget for drain + worker exit: shutdown returns within timeoutMs in total
    const deadline = performance.now() + (options.timeoutMs ?? 30_000);
    this.#checkHalt();
    await this.#persistence?.stopSchedule();
    const rt = this.#runtime!;
    let failure: unknown = null;
    if (this.state === 'running') {
      this.#lifecycle.transition('begin-stop');
      rt.publisher.close(() => this.#stateError('cannot publish while the bus is'));
      try {
        await this.drain(options);
      } catch (error) {
        failure = error;
      }
    }
    await rt.stopWorkers(failure, Math.max(0, deadline - performance.now()));
    // a failed drain halted the ring; say so here, whatever the workers reported: a terminated
    // worker reports nothing, and one that saw its stop request first reports a clean stop
    if (failure !== null) this.#checkHalt();
    const shutdownErrors = rt.workers.shutdownErrors();
    await this.#persistence?.close();
    this.#lifecycle.transition('stopped');
    rt.publisher.close(() =>
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
    if (!this.#runtime) throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'metrics() is available after start()');
    const live = this.state === 'running' || this.state === 'stopping';
    return this.#runtime.metrics(live, options.timeoutMs ?? 5000);
  }

  /**
   * A consistent cut: publishes a control event at sequence S and resolves with every stateful
   * handler's snapshot() taken when it reached S (without stopping the bus), and its state hash.
   * Needs this thread to be a producer (multi-producer rings, or the single producer).
   */
  async captureState(options: { timeoutMs?: number } = {}): Promise<CapturedState> {
    return this.#running('captureState()').captureState(
      (code) => this.#publishControl(code),
      options.timeoutMs ?? 30_000,
    );
  }

  /**
   * The bus state hash at a sequence S (a control event): each handler's stateHash() (or the
   * hash of its snapshot()), combined in handler-name order. Equal hashes = equal state, which is
   * how live runs, recoveries and replays are compared.
   */
  async stateHash(options: { timeoutMs?: number } = {}): Promise<StateHashResult> {
    return this.#running('stateHash()').stateHash((code) => this.#publishControl(code), options.timeoutMs ?? 30_000);
  }

  /** Where every handler runs, pinned or not, and warnings (e.g. more spinning threads than cores). */
  placement(): PlacementReport {
    const c = this.#config;
    return (
      this.#runtime?.placement() ?? placementReport([], c.producerLabel, isSpinning(c.waitStrategy), 'not started')
    );
  }

  #running(what: string): BusRuntime<F> {
    if (this.state === 'halted' || this.#runtime?.status.haltReason()) throw this.#currentHaltError();
    if (this.state !== 'running' || !this.#runtime)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', `${what} needs a running bus; it is ${this.state}`);
    return this.#runtime;
  }

  /** Publishes a control event (also on a time-travel bus, whose event publishing is closed). */
  #publishControl(code: number): number {
    return this.#controlOnly ? this.#runtime!.ring.publishControl(code) : this.#pub().publishControl(code);
  }

  #checkHalt(): void {
    const status = this.#runtime?.status;
    // after a graceful shutdown the ring is halted on purpose (to stop gateways): not a failure
    if (!status || status.haltReason() === 0 || this.state === 'stopped') return;
    this.#markHalted();
  }

  #markHalted(): void {
    if (this.#haltError) return;
    const error = this.#currentHaltError();
    this.#haltError = error;
    this.#lifecycle.transition('halt');
    this.#runtime?.publisher.close(() => this.#currentHaltError());
    if (this.listenerCount('halt') > 0) this.emit('halt', error);
  }

  #currentHaltError(): Error {
    return haltError(this.#runtime!.status);
  }

  #stateError(prefix: string): Error {
    return new RingbusError('RINGBUS_ERR_BUS_STATE', `${prefix} ${this.state}`);
  }
}
