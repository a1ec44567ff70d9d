import { EventEmitter } from 'node:events';
import type { EventTranslator, RingBuffer } from '../core/RingBuffer.js';
import { RingbusError } from '../errors.js';
import { HALT_SHUTDOWN } from '../layout/BusStatusDescriptor.js';
import type { BusMetrics } from '../metrics/BusMetrics.js';
import type { Flyweight } from '../schema/defineEvent.js';
import { BusLifecycle, type BusState } from './BusLifecycle.js';
import type { RecoveryPlan } from './BusPersistence.js';
import { HandlerGraph, resolveBusOptions, type BusConfig, type RingBusOptions } from './BusPlan.js';
import type { BusPublisher, PublisherDescriptor } from './BusPublisher.js';
import { BusFollower } from './BusFollower.js';
import { BusRuntime, type StateHashResult } from './BusRuntime.js';
import { launchBus, prepareBus, type UnstartedBus } from './busStart.js';
import { drainBus, haltBus, shutdownBus, type StartedBus } from './busStop.js';
import { EventHandlerGroup, type GroupOwner } from './EventHandlerGroup.js';
import { HaltTracker } from './HaltTracker.js';
import { HandlerRef, type HandlerOptions, type HandlerSpec } from './HandlerRef.js';
import { PersistenceCoordinator } from './PersistenceCoordinator.js';
import { ProgressLineRegistry, type ProgressLineOptions, type ProgressLineRef } from './progressLines.js';
import { isSpinning, placementReport, type PlacementReport } from './placement.js';
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
 * (lock, recovery, journal options, snapshots) do its part; BusLifecycle holds the state,
 * HaltTracker notices halts, busStop.ts runs halt() and shutdown().
 * Emits 'halt' (error) when a handler fails under the halt policy or a worker dies, and
 * 'snapshot' ({ sequence, path }) when a snapshot set is complete on disk.
 * Thread-safety: the RingBus object belongs to the thread that created it.
 */
export class RingBus<F extends Flyweight = Flyweight> extends EventEmitter implements GroupOwner {
  readonly #config: BusConfig<F>;
  readonly #graph = new HandlerGraph(this);
  readonly #lifecycle = new BusLifecycle();
  readonly #halts = new HaltTracker<F>(
    this.#lifecycle,
    (error) => this.listenerCount('halt') > 0 && this.emit('halt', error),
  );
  readonly #persistence: PersistenceCoordinator<F> | null;
  readonly #journal: HandlerRef | null;
  readonly #progressLines = new ProgressLineRegistry();
  #runtime: BusRuntime<F> | null = null;
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
    const journal = this.#journal && { ref: this.#journal, dataDir: this.#config.persistence!.dataDir };
    return this.#progressLines.add(this, name, options, journal, this.#graph.all);
  }

  /** The progress line registered under `name`. */
  progressLineOf(name: string): ProgressLineRef {
    return this.#progressLines.of(name);
  }

  /** A progress line's value now (after start; may be stale by what its writer published since). */
  progressSequence(line: ProgressLineRef): number {
    return this.#runtimeOr('progressSequence() is available after start()').progress.sequence(line);
  }

  /**
   * Follower mode, for a hot standby (BusFollower.ts): after start() (recovery of its own data
   * directory included) the bus takes events only through the returned follower's `apply(record)`,
   * each at the leader's sequence, until `follower.promote()` makes it live. Needs writable
   * persistence options; before start(); not in a BusGroup.
   */
  follow(): BusFollower<F> {
    this.#lifecycle.assert('new', 'follow()');
    const p = this.#persistence;
    if (!p || !p.writable)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'follow() needs a bus with writable persistence options');
    if (this.#group !== null)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', `ring '${this.#group}' of a BusGroup cannot follow a leader`);
    return (this.#follower ??= new BusFollower<F>({
      event: this.#config.event,
      runtime: () => this.#runtime!,
      writeSnapshot: (cut) => this.#writeSnapshot(cut, 60_000),
      goLive: () => this.#goLive(),
    }));
  }

  /** What recovery found and replayed at start (null without persistence or before start); replayStartedAt is a performance.now() value. */
  get recovery(): (RecoveryPlan & { replayedThrough: number; replayStartedAt: number }) | null {
    return this.#persistence?.recovery ?? null;
  }

  /** 'new' | 'starting' | 'running' | 'stopping' | 'halted' | 'stopped'. */
  get state(): BusState {
    return this.#lifecycle.state;
  }

  /** The ring (after start). Publishing through it directly bypasses the halt checks. */
  get ring(): RingBuffer<F> {
    return this.#runtimeOr('the ring exists once start() has been called').ring;
  }

  /** The error that halted the bus, if it halted. */
  get haltError(): Error | null {
    this.#halts.check();
    return this.#halts.error;
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
      return (this.#runtime = prepareBus(this.#parts()));
    } catch (error) {
      this.#persistence?.releaseLock(); // whatever failed, the data directory is free again
      throw error;
    }
  }
  /** @internal See prepare(). */
  async launch(): Promise<void> {
    try {
      this.#controlOnly = (await launchBus(this.#started(), () => this.snapshot(), this.#follower)).controlOnly;
    } catch (error) {
      this.#persistence?.releaseLock();
      throw error;
    }
  }
  /** @internal See prepare(). */
  abandon(why: string): void {
    this.#runtime?.halt(HALT_SHUTDOWN, why);
    this.#halts.mark();
    this.#persistence?.releaseLock();
  }
  /** @internal BusGroup.add(): from now on only the group starts this bus. */
  joinGroup(ring: string): void {
    this.#group = ring;
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
    const result = await this.#persistence!.writeSnapshot(cut, this.#runtime!, () => this.#halts.current(), timeoutMs);
    this.emit('snapshot', result);
    return result;
  }

  /** A promoted follower: snapshots on schedule and publishing open, as after a plain start(). */
  #goLive(): void {
    const runtime = this.#runtime!;
    this.#persistence?.schedule(
      () => runtime.ring.getCursor(),
      () => this.snapshot(),
    );
    runtime.publisher.open();
  }

  /** Descriptor for a gateway worker: `BusPublisher.attach(descriptor)` there. */
  publisherDescriptor(): PublisherDescriptor {
    const rt = this.#runtimeOr('publisherDescriptor() is available after start()');
    return { ring: rt.ring.descriptor(), status: rt.status.buffer };
  }

  /** The main thread's publisher (checks halt and state on every publish). */
  get publisher(): BusPublisher<F> {
    return this.#runtimeOr('the publisher exists once start() has been called').publisher;
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

  /** On every publish: the message is built only when it is thrown (nothing allocated per event). */
  #pub(): BusPublisher<F> {
    if (this.#runtime) return this.#runtime.publisher;
    throw new RingbusError(
      'RINGBUS_ERR_BUS_STATE',
      `cannot publish while the bus is ${this.state}: call start() first`,
    );
  }

  /**
   * Resolves when every event published before the call has passed every handler. Rejects with
   * RINGBUS_ERR_DRAIN_TIMEOUT (naming the handlers still behind) after timeoutMs, or with the
   * halt error if the bus halts meanwhile. Never spins: it polls on timers.
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    await drainBus(this.#runtime, this.state, this.#halts, options);
  }

  /** Stops now without draining: handlers stop at their current sequence. Resolves when every worker exited. */
  async halt(): Promise<void> {
    if (this.state === 'new' || this.state === 'stopped' || !this.#runtime) return;
    await haltBus(this.#started());
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
    await shutdownBus(this.#started(), options);
  }

  /** Per-handler progress, lag, throughput counters and latency / batch-size percentiles. */
  async metrics(options: { timeoutMs?: number } = {}): Promise<BusMetrics> {
    const rt = this.#runtimeOr('metrics() is available after start()');
    return rt.metrics(this.state === 'running' || this.state === 'stopping', options.timeoutMs ?? 5000);
  }

  /**
   * A consistent cut: publishes a control event at sequence S and resolves with every stateful
   * handler's snapshot() taken when it reached S (without stopping the bus), and its state hash.
   * Needs this thread to be a producer (multi-producer rings, or the single producer).
   */
  async captureState(options: { timeoutMs?: number } = {}): Promise<CapturedState> {
    return this.#halts
      .running('captureState()')
      .captureState((code) => this.#publishControl(code), options.timeoutMs ?? 30_000);
  }

  /**
   * The bus state hash at a sequence S (a control event): each handler's stateHash() (or the
   * hash of its snapshot()), combined in handler-name order. Equal hashes = equal state, which is
   * how live runs, recoveries and replays are compared.
   */
  async stateHash(options: { timeoutMs?: number } = {}): Promise<StateHashResult> {
    return this.#halts
      .running('stateHash()')
      .stateHash((code) => this.#publishControl(code), options.timeoutMs ?? 30_000);
  }

  /** Where every handler runs, pinned or not, and warnings (e.g. more spinning threads than cores). */
  placement(): PlacementReport {
    const c = this.#config;
    return (
      this.#runtime?.placement() ?? placementReport([], c.producerLabel, isSpinning(c.waitStrategy), 'not started')
    );
  }

  /** The runtime, or RINGBUS_ERR_BUS_STATE with `message` before start(). */
  #runtimeOr(message: string): BusRuntime<F> {
    if (!this.#runtime) throw new RingbusError('RINGBUS_ERR_BUS_STATE', message);
    return this.#runtime;
  }

  /** What busStop.ts works on. */
  #started(): StartedBus<F> {
    return { ...this.#parts(), runtime: this.#runtime!, drain: (options) => this.drain(options) };
  }

  /** What busStart.ts builds from. */
  #parts(): UnstartedBus<F> {
    return {
      config: this.#config,
      graph: this.#graph,
      journal: this.#journal,
      progressLines: this.#progressLines.all,
      persistence: this.#persistence,
      lifecycle: this.#lifecycle,
      halts: this.#halts,
    };
  }

  /** Publishes a control event (also on a time-travel bus, whose event publishing is closed). */
  #publishControl(code: number): number {
    return this.#controlOnly ? this.#runtime!.ring.publishControl(code) : this.#pub().publishControl(code);
  }
}
