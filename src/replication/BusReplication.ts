/**
 * Replication as part of a bus: `BusReplication.attach(bus, { servers, bus: name, mode })` (before
 * `bus.start()`) adds the bus's `replicated` progress line (topology/progressLines.ts) and, once
 * the ring exists, starts a worker thread (replicationWorker.ts) that relays the journal to the
 * bus's JetStream stream and moves the line to what the stream's quorum acknowledged.
 *
 *   - mode 'sync': place the acknowledging stage after `replication.line`
 *     (`bus.after(replication.line).handleEventsWith(ack)`): it sees an event only once the stream
 *     holds it, so nothing is acknowledged before it survives the loss of this machine.
 *   - mode 'async': stages acknowledge after `bus.journal`; the line gates the producer at
 *     `maxLagEvents` (default 4096, at most the ring's capacity): the lag never exceeds it, and
 *     while the stream is unreachable publishers are held back (publishEvent waits,
 *     tryPublishEvent returns -1, publishEventWithTimeout throws RINGBUS_ERR_PUBLISH_TIMEOUT).
 *
 * A fenced, diverged or gapped relay halts the bus (RINGBUS_ERR_BUS_HALTED naming the replication
 * error, which is its `cause`); an unreachable server is retried until the bus ends. The worker
 * follows the bus's life: after `bus.shutdown()` it ships what the journal holds (at most
 * stopTimeoutMs) and exits, after a halt it exits at once, so the bus's end ends replication too;
 * `stop()` (idempotent) ends it earlier, bounded by `stopTimeoutMs` (the worker is terminated
 * after it), so nothing hangs on a dead NATS. `startTimeoutMs` bounds how long start() waits for
 * replication of a recovered tail. With `stateHashEveryMs` the main thread publishes the bus's
 * state hash for standbys once its sequence is replicated (LeaderStateHash.ts).
 */
import { Worker } from 'node:worker_threads';
import { RingbusError, RingbusRangeError, RingbusTypeError, show } from '../errors.js';
import type { RingBus } from '../topology/RingBus.js';
import type { ProgressLineDescriptor, ProgressLineRef } from '../topology/progressLines.js';
import { ProgressLineWriter } from '../topology/ProgressLineWriter.js';
import type { JournalRelayOptions, RelayMetrics } from './JournalRelay.js';
import { LeaderStateHash } from './LeaderStateHash.js';
import { busStreamNames } from './streamNames.js';
import { checkServers, type NatsServers } from './stream.js';

export type ReplicationMode = 'sync' | 'async';

export interface BusReplicationOptions {
  /** NATS server URL(s). */
  readonly servers: NatsServers;
  /** Bus name in NATS: stream RINGBUS_<BUS>, subject ringbus.<bus>.journal. */
  readonly bus: string;
  /** 'sync': gate acknowledging stages on `line`; 'async': bound the lag with maxLagEvents. */
  readonly mode: ReplicationMode;
  /** 'async': most events the cursor may run ahead of the replicated sequence (default 4096; capped at capacity). 'sync': optional. */
  readonly maxLagEvents?: number;
  /** Stream replicas when the relay creates the stream; default 1. */
  readonly replicas?: number;
  /** Relay batch (publishes in flight); default 256. */
  readonly maxBatch?: number;
  /** Relay poll when the journal has nothing new; default 2 ms. */
  readonly pollMs?: number;
  /** Wait between connection attempts while the server is unreachable; default 500 ms. */
  readonly retryMs?: number;
  /** Bound on stop() (the worker is terminated after it) and on shipping the journal's tail after bus.shutdown(); default 5000 ms. */
  readonly stopTimeoutMs?: number;
  /**
   * Bound on start() while recovery replays a journal tail that waits for replication (longer than
   * the ring in 'sync' mode, or than maxLagEvents): the bus halts with RINGBUS_ERR_REPLICATION_TIMEOUT
   * as the cause and start() rejects. Default 30000 ms; 0: wait without bound.
   */
  readonly startTimeoutMs?: number;
  /** Publish `bus.stateHash()` for standbys every this many ms, once its sequence is replicated; default 0 (off). */
  readonly stateHashEveryMs?: number;
  /** Called when a periodic state-hash publication fails (default: ignored; the next period tries again). */
  readonly onStateHashError?: (err: Error) => void;
  /** Name of the progress line; default 'replicated'. */
  readonly lineName?: string;
}

export interface BusReplicationMetrics {
  readonly mode: ReplicationMode;
  /** The replicated line as stages see it (≤ the journal's durable sequence). */
  readonly replicatedSequence: number;
  /** The ring's cursor when read. */
  readonly cursor: number;
  readonly durableSequence: number;
  /** cursor − replicatedSequence. */
  readonly lagEvents: number;
  /** How long the oldest unreplicated journal record has waited (relay's view; 0 when caught up or not connected). */
  readonly lagMs: number;
  /** The producer bound (null: none). */
  readonly maxLagEvents: number | null;
  /** Whether the relay is connected and shipping (false while the server is unreachable at start). */
  readonly connected: boolean;
  /** Failed connection attempts before the relay started. */
  readonly startRetries: number;
  /** The relay's own figures (shipped, retries, publish latency percentiles), null until connected. */
  readonly relay: RelayMetrics | null;
}

/** @internal worker protocol */
export type ReplicationWorkerIn = { type: 'metrics'; id: number } | { type: 'stop' };
/** @internal worker protocol */
export type ReplicationWorkerOut =
  | { type: 'connected' }
  | { type: 'failed'; code: string; message: string }
  /** busEnded: the bus's shutdown or halt ended replication (not stop()). */
  | { type: 'stopped'; busEnded: boolean }
  | {
      type: 'metrics';
      id: number;
      metrics: {
        relay: RelayMetrics | null;
        connected: boolean;
        startRetries: number;
        lineSequence: number;
        cursor: number;
        durableSequence: number;
        lineLagEvents: number;
      };
    };

const WORKER = new URL('./replicationWorker.js', import.meta.url);

function positiveInt(name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `${name} must be a ${min === 0 ? 'non-negative' : 'positive'} integer, got ${show(value)}`,
    );
  return value;
}

export class BusReplication {
  /** The DSL handle: `bus.after(replication.line)` places stages that see only replicated events. */
  readonly line: ProgressLineRef;
  readonly mode: ReplicationMode;
  /** Rejects with the coded error that stopped replication (the bus is halted too); resolves after stop(). */
  readonly done: Promise<void>;
  readonly #bus: RingBus;
  readonly #options: BusReplicationOptions;
  readonly #stopTimeoutMs: number;
  readonly #startTimeoutMs: number;
  readonly #stateHashEveryMs: number;
  #stateHashes: LeaderStateHash | null = null;
  #worker: Worker | null = null;
  #requests = new Map<number, (m: Extract<ReplicationWorkerOut, { type: 'metrics' }>['metrics']) => void>();
  #nextId = 0;
  #settle!: { resolve: () => void; reject: (e: Error) => void };
  #stopped = false;

  private constructor(bus: RingBus, options: BusReplicationOptions) {
    if (options.mode !== 'sync' && options.mode !== 'async')
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `mode must be 'sync' or 'async', got ${show(options.mode)}`,
      );
    busStreamNames(options.bus); // checks the name
    checkServers(options.servers);
    for (const k of ['replicas', 'maxBatch', 'pollMs', 'retryMs', 'stopTimeoutMs'] as const)
      positiveInt(k, options[k], 1);
    this.#startTimeoutMs = positiveInt('startTimeoutMs', options.startTimeoutMs, 30_000, 0);
    this.#stateHashEveryMs = positiveInt('stateHashEveryMs', options.stateHashEveryMs, 0, 0);
    const maxLag = positiveInt('maxLagEvents', options.maxLagEvents, 4096);
    this.#bus = bus;
    this.#options = options;
    this.mode = options.mode;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 5000;
    const lineOptions = options.mode === 'async' || options.maxLagEvents !== undefined ? { maxLagEvents: maxLag } : {};
    this.line = bus.addProgressLine(options.lineName ?? 'replicated', lineOptions);
    this.done = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    this.done.catch(() => undefined); // observed through done
    this.line.onRingReady((d) => this.#spawn(d));
  }

  /** Adds the replicated line to `bus` (state 'new'); the relay starts with the bus's ring, in start(). */
  static attach(bus: RingBus, options: BusReplicationOptions): BusReplication {
    return new BusReplication(bus, options);
  }

  #spawn(line: ProgressLineDescriptor): void {
    const o = this.#options;
    const relay: JournalRelayOptions = {
      dataDir: line.dataDir,
      servers: o.servers,
      bus: o.bus,
      ...(o.replicas !== undefined ? { replicas: o.replicas } : {}),
      ...(o.maxBatch !== undefined ? { maxBatch: o.maxBatch } : {}),
      ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
    };
    const workerData = {
      line,
      relay,
      retryMs: o.retryMs ?? 500,
      stopTimeoutMs: this.#stopTimeoutMs,
      startTimeoutMs: this.#startTimeoutMs,
    };
    const worker = new Worker(WORKER, { workerData });
    this.#worker = worker;
    worker.on('message', (m: ReplicationWorkerOut) => {
      if (m.type === 'metrics') this.#requests.get(m.id)?.(m.metrics);
      else if (m.type === 'failed') this.#settle.reject(new RingbusError(m.code as never, m.message));
      else if (m.type === 'stopped' && m.busEnded) this.#stopped = true;
    });
    let cause = 'it exited';
    worker.on('error', (err) => (cause = `it failed: ${err.message}`));
    worker.on('exit', () => {
      this.#worker = null;
      void this.#stateHashes?.stop();
      if (this.#stopped) return this.#settle.resolve();
      // nothing moves the line any more: halt the bus rather than leave gated stages and publishers waiting
      const message = `the replication worker died (${cause})`;
      new ProgressLineWriter(line).fail('replication', 'RINGBUS_ERR_WORKER_DIED', message);
      this.#settle.reject(new RingbusError('RINGBUS_ERR_WORKER_DIED', message));
    });
    this.#stateHashes = new LeaderStateHash(
      this.#bus,
      () => this.#bus.progressSequence(this.line),
      o,
      this.#stateHashEveryMs,
      o.onStateHashError,
    );
  }

  /** Resolves once stages after `line` may see `sequence` (polls the line on timers); rejects after timeoutMs or if replication stops. */
  async waitForReplicated(sequence: number, timeoutMs = 30_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let failed: unknown = null;
    this.done.catch((e: unknown) => (failed = e));
    while (this.#bus.progressSequence(this.line) < sequence) {
      if (failed !== null) throw failed;
      if (performance.now() > deadline)
        throw new RingbusError(
          'RINGBUS_ERR_REPLICATION_TIMEOUT',
          `sequence ${sequence} was not replicated within timeoutMs=${timeoutMs} (replicated through ${this.#bus.progressSequence(this.line)})`,
        );
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Replicated sequence, lag, connection and the relay's figures (asks the worker; bounded by timeoutMs). */
  async metrics(timeoutMs = 5000): Promise<BusReplicationMetrics> {
    const worker = this.#worker;
    if (worker === null)
      throw new RingbusError(
        'RINGBUS_ERR_BUS_STATE',
        'replication metrics are available while the relay runs (after bus.start())',
      );
    const id = this.#nextId++;
    const m = await new Promise<Extract<ReplicationWorkerOut, { type: 'metrics' }>['metrics']>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#requests.delete(id);
        reject(
          new RingbusError(
            'RINGBUS_ERR_REPLICATION_TIMEOUT',
            `the replication worker did not answer within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.#requests.set(id, (value) => {
        clearTimeout(timer);
        this.#requests.delete(id);
        resolve(value);
      });
      worker.postMessage({ type: 'metrics', id } satisfies ReplicationWorkerIn);
    });
    const limit = this.line.maxLagEvents === null ? null : Math.min(this.line.maxLagEvents, this.#bus.ring.capacity);
    return {
      mode: this.mode,
      replicatedSequence: m.lineSequence,
      cursor: m.cursor,
      durableSequence: m.durableSequence,
      lagEvents: m.lineLagEvents,
      lagMs: m.relay?.lagMs ?? 0,
      maxLagEvents: limit,
      connected: m.connected,
      startRetries: m.startRetries,
      relay: m.relay,
    };
  }

  /** The last state hash published for standbys (stateHashEveryMs, publishStateHash()), null before the first. */
  get publishedStateHash(): { sequence: number; hash: string } | null {
    return this.#stateHashes?.last ?? null;
  }

  /**
   * Publishes the state hash for standbys now: `bus.stateHash()` at S, then, once S is replicated,
   * `{ sequence: S, hash }` under `<bus>.hash`. Resolves with it (null when the bus stopped running
   * or replication was stopped meanwhile). Needs a running bus whose main thread may publish.
   */
  async publishStateHash(): Promise<{ sequence: number; hash: string } | null> {
    if (this.#stateHashes === null)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'publishStateHash() needs the bus started (after bus.start())');
    return this.#stateHashes.publishNow();
  }

  /**
   * Stops the relay (after the publishes in flight) and the worker; bounded by stopTimeoutMs, after
   * which the worker is terminated. Not needed after bus.shutdown() or a halt (replication ends with
   * the bus; stop() then waits for that), and idempotent. The line stays where it is.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#stateHashes?.stop();
    const worker = this.#worker;
    if (worker === null) return void this.#settle.resolve();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies ReplicationWorkerIn);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.#stopTimeoutMs)));
    if ((await Promise.race([exited, late])) === 'late') await worker.terminate();
    clearTimeout(timer);
    await exited;
  }
}
