/**
 * What a started bus is made of, built from its plan: the ring (its first sequence and epoch
 * come from recovery), the status block, the main thread's publisher, one sequence per handler
 * (the leaves gate the producer), and the workers. Also the queries that read them: drain
 * progress, metrics, consistent cuts and state hashes, the placement report.
 * Main thread only; nothing here is on the hot path.
 */
import { RingBuffer } from '../core/RingBuffer.js';
import type { Sequence } from '../core/Sequence.js';
import { RingbusError } from '../errors.js';
import { HALT_SHUTDOWN, WORKER_RUNNING } from '../layout/BusStatusDescriptor.js';
import { buildMetrics, type BusMetrics } from '../metrics/BusMetrics.js';
import { BusStatus } from '../runtime/BusStatus.js';
import { combineStateHashes } from '../persistence/stateHash.js';
import type { Flyweight } from '../schema/defineEvent.js';
import { BusPublisher } from './BusPublisher.js';
import { DEFAULT_WORKER, type BusPlan } from './BusPlan.js';
import type { HandlerRef } from './HandlerRef.js';
import type { PersistenceCoordinator } from './PersistenceCoordinator.js';
import { isSpinning, placementReport, type PlacementReport } from './placement.js';
import {
  CONTROL_SNAPSHOT,
  CONTROL_STATE_HASH,
  type CrossRingGateInit,
  type OutboundTarget,
  type SupervisorInit,
  type SupervisorMessage,
  type WorkerInit,
  type WorkerMessage,
} from '../runtime/protocol.js';
import { JournalDurability } from './journalDurability.js';
import { ProgressLines, type ProgressLineRef } from './progressLines.js';
import { collectAt, type CapturedState } from './StateCollector.js';
import { WorkerSet } from './WorkerSet.js';

/** What a BusGroup adds to a bus's workers before they start. */
export interface RingLinks {
  readonly outbound: Readonly<Record<string, OutboundTarget>>;
  /** Handler name → its cross-ring gate. */
  readonly gates: ReadonlyMap<string, CrossRingGateInit>;
  readonly peers: SupervisorInit['peers'];
}

export interface StateHashResult {
  sequence: number;
  hash: string;
  handlers: Readonly<Record<string, string | null>>;
}

export class BusRuntime<F extends Flyweight = Flyweight> {
  readonly plan: BusPlan<F>;
  readonly ring: RingBuffer<F>;
  readonly status: BusStatus;
  readonly publisher: BusPublisher<F>;
  readonly sequences: ReadonlyMap<HandlerRef, Sequence>;
  /** Replaced (before start) by `link` when the bus is part of a BusGroup. */
  workers: WorkerSet;
  /** The journal's durable sequence and sync figures (buses with a journal). */
  readonly durability: JournalDurability | null;
  /** External progress lines (progressLines.ts). */
  readonly progress: ProgressLines;
  /** Builds a new WorkerSet from other inits (link). */
  readonly #rewire: (inits: WorkerInit[]) => void;
  #links: RingLinks | null = null;

  constructor(
    plan: BusPlan<F>,
    start: { initialSequence: number; epochMs: number | undefined },
    persistence: PersistenceCoordinator<F> | null,
    journal: HandlerRef | null,
    onWorker: (m: WorkerMessage) => void,
    onSupervisor: (m: SupervisorMessage) => void,
    progressLines: readonly ProgressLineRef[] = [],
  ) {
    const c = plan.config;
    this.plan = plan;
    const ring = new RingBuffer<F>({
      capacity: c.capacity,
      event: c.event,
      producerType: c.producerType,
      waitStrategy: plan.waits.producer,
      initialSequence: start.initialSequence,
      ...(start.epochMs !== undefined ? { epochMs: start.epochMs } : {}),
    });
    this.ring = ring;
    this.status = BusStatus.create();
    this.publisher = new BusPublisher(ring, this.status);
    const sequences = new Map<HandlerRef, Sequence>();
    for (const h of plan.handlers) sequences.set(h, ring.newSequence());
    this.sequences = sequences;
    ring.addGatingSequences(...plan.leaves.map((h) => sequences.get(h)!));
    const durability = journal && persistence ? new JournalDurability(ring, journal, sequences.get(journal)!) : null;
    this.durability = durability;
    const progress = new ProgressLines(ring, progressLines);
    this.progress = progress;
    const lineOf = (d: HandlerRef): number => sequences.get(d)?.line ?? progress.lineOf(d)!;
    const inits: WorkerInit[] = plan.workers.map((w) => ({
      kind: 'ringbus-worker',
      workerName: w.name,
      workerIndex: w.index,
      ring: ring.descriptor(),
      waitStrategy: w.waitStrategy,
      status: this.status.buffer,
      cpus: w.cpus,
      handlers: w.handlers.map((h) => ({
        name: h.name,
        index: h.order,
        moduleUrl: h.moduleUrl,
        options: h === journal && persistence ? persistence.journalOptions(ring.epochMs, durability) : h.options,
        sequenceLine: sequences.get(h)!.line,
        // stages after the journal read its durable line (see journalDurability.ts)
        dependsOnLines: h.dependsOn!.map((d) => durability?.upstreamLine(d, lineOf) ?? lineOf(d)),
        policy: h.policy,
        deadLetterPath: h.deadLetterPath ?? persistence?.deadLetterPath(h) ?? null,
        ...(persistence ? persistence.restoreOf(h) : { hasRestore: false, restoreState: undefined }),
      })),
      metrics: c.metrics,
      outbound: c.outbound,
    }));
    this.workers = new WorkerSet(inits, onWorker, onSupervisor);
    this.#rewire = (next) => (this.workers = new WorkerSet(next, onWorker, onSupervisor));
  }

  /**
   * The line a stage of another ring reads to follow handler `h` of this ring (a cross-ring
   * gate): h's sequence line, or for the journal its durable line.
   */
  upstreamLine(h: HandlerRef): number {
    const lineOf = (d: HandlerRef): number => this.sequences.get(d)!.line;
    return this.durability?.upstreamLine(h, lineOf) ?? lineOf(h);
  }

  /** BusGroup, before startWorkers: adds outbound rings, cross-ring gates and the peers to halt. */
  link(links: RingLinks): void {
    this.#links = links;
    this.#rewire(
      this.workers.inits.map((i) => ({
        ...i,
        outbound: { ...i.outbound, ...links.outbound },
        handlers: i.handlers.map((h) => (links.gates.has(h.name) ? { ...h, gate: links.gates.get(h.name)! } : h)),
      })),
    );
  }

  /** Starts the workers; if one fails, halts the ring, waits for the others to exit and rethrows. */
  async startWorkers(): Promise<void> {
    try {
      await this.workers.start(
        this.ring.descriptor(),
        this.status.buffer,
        this.plan.workers.map((w) => w.options.resourceLimits ?? null),
        this.plan.config.stallTimeoutMs,
        this.#links?.peers,
      );
    } catch (error) {
      this.halt(HALT_SHUTDOWN, `start failed: ${(error as Error).message}`);
      await this.workers.waitAllExited(5000);
      throw error;
    }
  }

  /** Records the first halt (the status block keeps it) and wakes every waiter. */
  halt(reason: number, message: string): void {
    if (this.status.tryHalt(reason, -1, -1, NaN, message)) this.ring.halt(reason);
  }

  /**
   * Waits until every handler has passed the cursor as it is now. Polls on timers (never spins);
   * throws the halt error if the ring halts, RINGBUS_ERR_DRAIN_TIMEOUT naming the handlers behind.
   */
  async drain(timeoutMs: number, haltError: () => Error): Promise<void> {
    const target = this.ring.getCursor();
    const deadline = performance.now() + timeoutMs;
    for (let round = 0; ; round++) {
      if (this.status.haltReason() !== 0) throw haltError();
      const behind = [...this.sequences].filter(([, s]) => s.read(target) < target);
      if (behind.length === 0) return;
      if (performance.now() >= deadline)
        throw new RingbusError(
          'RINGBUS_ERR_DRAIN_TIMEOUT',
          `drain did not finish within timeoutMs=${timeoutMs}: cursor ${target}; behind: ${behind.map(([h, s]) => `${h.name} at ${s.read(target)}`).join(', ')}`,
        );
      await new Promise((resolve) => (round < 10 ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
  }

  /**
   * Asks every worker to stop (each handler's onShutdown runs) and waits for them; after a failed
   * drain the ring is halted first. Finally halts the ring on purpose, so that a gateway still
   * publishing does not wait for ever on a ring nobody consumes.
   */
  async stopWorkers(failedDrain: unknown, timeoutMs: number): Promise<void> {
    this.status.requestStop();
    if (failedDrain !== null)
      this.halt(HALT_SHUTDOWN, `shutdown after a failed drain: ${(failedDrain as Error).message}`);
    this.ring.wakeAll();
    await this.workers.waitAllExited(timeoutMs);
    this.halt(HALT_SHUTDOWN, 'shutdown() completed');
  }

  /** Metrics: asked of running workers (`live`), or the last reports of stopped ones. */
  async metrics(live: boolean, timeoutMs: number): Promise<BusMetrics> {
    let reports;
    if (live) {
      const id = this.status.requestMetrics();
      this.ring.wakeAll();
      reports = await this.workers.collectMetrics(id, timeoutMs, (i) => this.status.workerState(i) === WORKER_RUNNING);
    } else {
      reports = this.workers.lastMetrics();
    }
    const cursor = this.ring.getCursor();
    const progress = [...this.sequences].map(([h, s]) => ({
      name: h.name,
      worker: h.worker ?? DEFAULT_WORKER,
      sequence: s.read(cursor),
    }));
    const metrics = buildMetrics(cursor, progress, reports);
    return this.durability ? { ...metrics, journal: this.durability.metrics(cursor) } : metrics;
  }

  /** Publishes a snapshot control event (through `publishControl`) and collects every stateful handler's state at it. */
  captureState(publishControl: (code: number) => number, timeoutMs: number): Promise<CapturedState> {
    const sequence = publishControl(CONTROL_SNAPSHOT);
    return collectAt(this.workers, 'snapshot', sequence, this.workers.statefulHandlers(), timeoutMs);
  }

  /** Publishes a state-hash control event and combines the handlers' hashes in name order. */
  async stateHash(publishControl: (code: number) => number, timeoutMs: number): Promise<StateHashResult> {
    const sequence = publishControl(CONTROL_STATE_HASH);
    const names = this.workers.inits.flatMap((i) => i.handlers.map((h) => h.name));
    const c = await collectAt(this.workers, 'state-hash', sequence, names, timeoutMs);
    // stateless handlers (no snapshot/stateHash) answer null and do not take part in the digest
    const stateful = Object.fromEntries(Object.entries(c.hashes).filter((e): e is [string, string] => e[1] !== null));
    return { sequence, hash: combineStateHashes(stateful), handlers: c.hashes };
  }

  placement(): PlacementReport {
    return placementReport(
      this.workers.inits.map((i) => ({
        name: i.workerName,
        handlers: i.handlers.map((h) => h.name),
        waitStrategy: i.waitStrategy,
        placement: this.workers.placementOf(i.workerIndex),
      })),
      this.plan.config.producerLabel,
      isSpinning(this.plan.waits.producer),
      this.plan.waits.reason,
    );
  }
}
