/**
 * From the DSL to an immutable plan. `resolveBusOptions` validates the constructor's options (so
 * a bad option fails at `new RingBus`, not half way through start()); `HandlerGraph` holds the
 * handlers as the DSL registers and wires them; `freezePlan` checks the finished graph and
 * returns what the runtime builds from: handlers in topological order, the leaves that gate the
 * producer, and one entry per worker with its resolved wait strategy and CPUs.
 */
import { checkBusOptions, DEFAULT_STALL_TIMEOUT_MS } from './validateBusOptions.js';
import { availableParallelism } from 'node:os';
import { chooseWaits, type WaitChoice } from './waitChoice.js';
import { validateRingOptions, type ProducerType } from '../core/RingBuffer.js';
import type { OutboundTarget } from '../runtime/protocol.js';
import { createWaitStrategy } from '../core/createWaitStrategy.js';
import type { WaitStrategyOptions } from '../core/WaitStrategy.js';
import { RingbusError, RingbusRangeError, show } from '../errors.js';
import { MAX_WORKERS } from '../layout/BusStatusDescriptor.js';
import { MAX_SEQUENCES } from '../layout/RingBufferDescriptor.js';
import type { EventType, Flyweight } from '../schema/defineEvent.js';
import { checkPersistenceOptions, type PersistenceOptions } from './BusPersistence.js';
import { HandlerRef, type HandlerOptions, type HandlerSpec } from './HandlerRef.js';
import { checkWorkerOptions, normaliseCpus, type WorkerOptions } from './placement.js';

/** The worker that handlers without a `worker` option share (one thread: right for 2 cores). */
export const DEFAULT_WORKER = 'handlers';
/** Name of the built-in journal handler. */
export const JOURNAL_HANDLER = 'journal';
const JOURNAL_MODULE = new URL('../persistence/handlers/journal.js', import.meta.url);

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
  /**
   * Rings handlers may publish to through context.outbound(name): a ring descriptor, or a bus's
   * `publisherDescriptor()` (then publishing refuses once that bus halts).
   */
  outbound?: Record<string, OutboundTarget>;
  /** First sequence (default 0). */
  initialSequence?: number;
  /** Who publishes, for the placement report (default 'main thread'). */
  producerLabel?: string;
  /** Journal, snapshots and recovery (see docs/persistence.md). */
  persistence?: PersistenceOptions;
}

/** The constructor's options, validated, with every default filled in. */
export interface BusConfig<F extends Flyweight = Flyweight> {
  readonly event: EventType<F>;
  readonly capacity: number;
  readonly producerType: ProducerType;
  readonly waitStrategy: WaitStrategyOptions;
  /** The bus-wide strategy the application named (undefined: the bus chooses, see waitChoice.ts). */
  readonly namedWaitStrategy: WaitStrategyOptions | undefined;
  readonly workers: ReadonlyMap<string, WorkerOptions>;
  readonly metrics: boolean;
  readonly stallTimeoutMs: number;
  readonly outbound: Readonly<Record<string, OutboundTarget>>;
  readonly initialSequence: number;
  readonly producerLabel: string;
  readonly persistence: PersistenceOptions | undefined;
}

export function resolveBusOptions<F extends Flyweight>(options: RingBusOptions<F>): BusConfig<F> {
  checkBusOptions(options);
  const waitStrategy = createWaitStrategy(options.waitStrategy).options as WaitStrategyOptions;
  const workers = new Map<string, WorkerOptions>();
  for (const [name, w] of Object.entries(options.workers ?? {})) {
    checkWorkerOptions(name, w);
    normaliseCpus(name, w.cpu);
    if (w.waitStrategy !== undefined) createWaitStrategy(w.waitStrategy);
    workers.set(name, w);
  }
  const config: BusConfig<F> = {
    event: options.event,
    capacity: options.capacity ?? 65536,
    producerType: options.producerType ?? 'single',
    waitStrategy,
    namedWaitStrategy: options.waitStrategy === undefined ? undefined : waitStrategy,
    workers,
    metrics: options.metrics ?? true,
    stallTimeoutMs: options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
    outbound: options.outbound ?? {},
    initialSequence: options.initialSequence ?? 0,
    producerLabel: options.producerLabel ?? 'main thread',
    persistence: options.persistence,
  };
  validateRingOptions({
    capacity: config.capacity,
    event: config.event,
    producerType: config.producerType,
    initialSequence: config.initialSequence,
  });
  if (options.persistence !== undefined) checkPersistenceOptions(options.persistence);
  return config;
}

/** The handlers as the DSL registers and wires them (mutable until start freezes the plan). */
export class HandlerGraph {
  readonly #owner: object;
  readonly #handlers: HandlerRef[] = [];

  constructor(owner: object) {
    this.#owner = owner;
  }

  register(name: string, module: URL | string, options: HandlerOptions = {}): HandlerRef {
    if (this.#handlers.some((h) => h.name === name))
      throw new RingbusError('RINGBUS_ERR_TOPOLOGY', `a handler named '${name}' is already registered`);
    const ref = new HandlerRef(this.#owner, name, module, options);
    this.#handlers.push(ref);
    return ref;
  }

  /** The built-in journal handler (a root stage unless the application placed it). */
  registerJournal(p: PersistenceOptions): HandlerRef {
    return this.register(JOURNAL_HANDLER, JOURNAL_MODULE, p.worker !== undefined ? { worker: p.worker } : {});
  }

  /** Checks handlers for after(): placed handlers of this bus. */
  checkPlaced(handlers: readonly HandlerRef[]): void {
    for (const h of handlers) {
      if (!(h instanceof HandlerRef) || h.owner !== this.#owner)
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
  }

  /** Places handlers after `after` (empty: straight off the ring cursor). */
  place(after: readonly HandlerRef[], handlers: readonly (HandlerRef | HandlerSpec)[]): readonly HandlerRef[] {
    if (handlers.length === 0)
      throw new RingbusError('RINGBUS_ERR_TOPOLOGY', 'handleEventsWith/then needs at least one handler');
    const refs = handlers.map((h) =>
      h instanceof HandlerRef
        ? h
        : this.register((h as HandlerSpec)?.name, (h as HandlerSpec)?.module, h as HandlerSpec),
    );
    for (const r of refs) {
      if (r.owner !== this.#owner)
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

  get all(): readonly HandlerRef[] {
    return this.#handlers;
  }
}

/** One worker thread of the plan. */
export interface PlannedWorker {
  readonly name: string;
  readonly index: number;
  readonly options: WorkerOptions;
  readonly waitStrategy: WaitStrategyOptions;
  readonly cpus: number[] | null;
  readonly handlers: readonly HandlerRef[];
}

/** What start() builds: immutable once frozen. */
export interface BusPlan<F extends Flyweight = Flyweight> {
  readonly config: BusConfig<F>;
  /** Every handler, in topological (placement) order. */
  readonly handlers: readonly HandlerRef[];
  /** Handlers nothing runs after: they gate the producer. */
  readonly leaves: readonly HandlerRef[];
  readonly workers: readonly PlannedWorker[];
  /** Each thread's wait strategy and why (see waitChoice.ts). */
  readonly waits: WaitChoice;
}

/** Checks the wired graph (everything placed, limits, where skipped events go) and freezes it. */
export function freezePlan<F extends Flyweight>(
  config: BusConfig<F>,
  graph: HandlerGraph,
  journal: HandlerRef | null,
): BusPlan<F> {
  const placed = graph.all.filter((h) => h.dependsOn !== null).sort((a, b) => a.order - b.order);
  const unplaced = graph.all.filter((h) => h.dependsOn === null);
  if (placed.length === 0)
    throw new RingbusError('RINGBUS_ERR_TOPOLOGY', 'no handler is wired: use bus.handleEventsWith(...) before start()');
  if (unplaced.length > 0)
    throw new RingbusError(
      'RINGBUS_ERR_TOPOLOGY',
      `handler(s) registered but never wired: ${unplaced.map((h) => h.name).join(', ')}`,
    );
  const nowhere = placed.filter((h) => h.policy.type !== 'halt' && h.deadLetterPath === null && !config.persistence);
  if (nowhere.length > 0)
    throw new RingbusError(
      'RINGBUS_ERR_INVALID_OPTION',
      `handler(s) ${nowhere.map((h) => `'${h.name}'`).join(', ')} may skip failed events but have no deadLetterPath and the bus has no persistence.dataDir: skipped events would be lost`,
    );
  if (placed.length > MAX_SEQUENCES)
    throw new RingbusRangeError(
      'RINGBUS_ERR_TOPOLOGY',
      `at most ${MAX_SEQUENCES} handlers per bus, got ${placed.length}`,
    );
  const names = [...new Set(placed.map((h) => h.worker ?? DEFAULT_WORKER))];
  if (names.length > MAX_WORKERS)
    throw new RingbusRangeError('RINGBUS_ERR_TOPOLOGY', `at most ${MAX_WORKERS} workers per bus, got ${names.length}`);
  const named = (w: WorkerOptions['waitStrategy']): WaitStrategyOptions | undefined =>
    w === undefined ? undefined : (createWaitStrategy(w).options as WaitStrategyOptions);
  const waits = chooseWaits({
    cores: availableParallelism(),
    producerType: config.producerType,
    busStrategy: config.namedWaitStrategy,
    workers: names.map((name) => ({
      name,
      offLatencyPath: placed.every((h) => (h.worker ?? DEFAULT_WORKER) !== name || h === journal),
      strategy: named(config.workers.get(name)?.waitStrategy),
    })),
  });
  const workers = names.map((name, index): PlannedWorker => {
    const options = config.workers.get(name) ?? {};
    return Object.freeze({
      name,
      index,
      options,
      waitStrategy: waits.workers.get(name)!,
      cpus: normaliseCpus(name, options.cpu),
      handlers: Object.freeze(placed.filter((h) => (h.worker ?? DEFAULT_WORKER) === name)),
    });
  });
  const leaves = placed.filter((h) => !placed.some((d) => d.dependsOn!.includes(h)));
  return Object.freeze({
    config,
    handlers: Object.freeze(placed),
    leaves: Object.freeze(leaves),
    workers: Object.freeze(workers),
    waits,
  });
}
