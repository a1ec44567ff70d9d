import { MessageChannel, Worker, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import type { RingDescriptor } from '../core/RingBuffer.js';
import { RingbusError } from '../errors.js';
import type { HandlerMetricsReport } from '../metrics/HandlerMetricsRecorder.js';
import type {
  PlacementResult,
  SerializedError,
  SupervisorInit,
  SupervisorMessage,
  WorkerInit,
  WorkerMessage,
} from '../runtime/protocol.js';

const WORKER_SCRIPT = new URL('../processing/workerHost.js', import.meta.url).href;
const SUPERVISOR_SCRIPT = new URL('./supervisor.js', import.meta.url);

/**
 * Starts the supervisor. Workers inherit the process's execArgv, and `--input-type` (from
 * `node --input-type=module -e …`) makes a worker started from a file fail: only then is an
 * explicit execArgv passed, without it (and if Node refuses that list, because explicit lists may
 * not carry V8 flags, none at all: V8 flags apply to every thread anyway).
 */
function startSupervisor(init: SupervisorInit, transferList: MessagePort[]): Worker {
  const filtered = process.execArgv.filter((arg) => !arg.startsWith('--input-type'));
  if (filtered.length === process.execArgv.length)
    return new Worker(SUPERVISOR_SCRIPT, { workerData: init, transferList });
  try {
    return new Worker(SUPERVISOR_SCRIPT, { workerData: init, transferList, execArgv: filtered });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    return new Worker(SUPERVISOR_SCRIPT, { workerData: init, transferList, execArgv: [] });
  }
}

/**
 * The main thread's side of the workers: starts the supervisor (which starts the handler
 * workers), holds one MessagePort per worker, and collects readiness, exits, metrics, snapshots
 * and state hashes. Nothing here is on the hot path.
 */
export class WorkerSet {
  readonly inits: readonly WorkerInit[];
  readonly #onWorker: (m: WorkerMessage) => void;
  readonly #onSupervisor: (m: SupervisorMessage) => void;
  readonly #ports: MessagePort[] = [];
  readonly #placements = new Map<number, PlacementResult>();
  readonly #stateful: string[] = [];
  readonly #snapshotSchemas: Record<string, Record<string, unknown>> = {};
  readonly #lastMetrics = new Map<number, readonly HandlerMetricsReport[]>();
  readonly #shutdownErrors: SerializedError[] = [];
  readonly #listeners = new Set<(m: WorkerMessage | SupervisorMessage) => void>();
  #supervisor: Worker | null = null;
  #exited = false;
  #exitWaiters: (() => void)[] = [];

  constructor(
    inits: readonly WorkerInit[],
    onWorker: (m: WorkerMessage) => void,
    onSupervisor: (m: SupervisorMessage) => void,
  ) {
    this.inits = inits;
    this.#onWorker = onWorker;
    this.#onSupervisor = onSupervisor;
  }

  /** Starts everything; resolves when every worker reported ready, rejects on the first failure. */
  start(
    ring: RingDescriptor,
    status: SharedArrayBuffer,
    limits: readonly (ResourceLimits | null)[],
    stallTimeoutMs = 0,
    peers?: SupervisorInit['peers'],
  ): Promise<void> {
    const theirs: MessagePort[] = [];
    for (let i = 0; i < this.inits.length; i++) {
      const { port1, port2 } = new MessageChannel();
      port1.on('message', (m: WorkerMessage) => this.#dispatch(m));
      this.#ports.push(port1);
      theirs.push(port2);
    }
    const supervisorInit: SupervisorInit = {
      kind: 'ringbus-supervisor',
      workerScript: WORKER_SCRIPT,
      ring,
      status,
      workers: this.inits.map((init, i) => ({ init, resourceLimits: limits[i] ?? null })),
      ports: theirs,
      stallTimeoutMs,
      ...(peers ? { peers } : {}),
    };
    const ready = new Promise<void>((resolve, reject) => {
      const waiting = new Set(this.inits.map((i) => i.workerIndex));
      const listener = (m: WorkerMessage | SupervisorMessage): void => {
        if (m.type === 'ready') {
          waiting.delete(m.workerIndex);
          if (waiting.size === 0) done(null);
        } else if (m.type === 'start-failed') {
          const e = new RingbusError(
            m.error.code === 'RINGBUS_ERR_HANDLER_MODULE' ? 'RINGBUS_ERR_HANDLER_MODULE' : 'RINGBUS_ERR_HANDLER_FAILED',
            `worker '${this.inits[m.workerIndex]!.workerName}' failed to start: ${m.error.message}`,
            { cause: revive(m.error) },
          );
          e.stack = `${e.stack}\ncaused by: ${m.error.stack}`;
          done(e);
        } else if (m.type === 'worker-exit' && waiting.has(m.workerIndex)) {
          done(new RingbusError('RINGBUS_ERR_WORKER_DIED', `worker '${m.workerName}' exited during start: ${m.cause}`));
        }
      };
      const done = (error: Error | null): void => {
        this.#listeners.delete(listener);
        if (error) reject(error);
        else resolve();
      };
      this.#listeners.add(listener);
    });
    const supervisor = startSupervisor(supervisorInit, theirs);
    this.#supervisor = supervisor;
    supervisor.on('message', (m: SupervisorMessage) => this.#dispatch(m));
    supervisor.on('error', (error) => {
      // the supervisor itself failing is fatal for the bus: report as an exit of every worker
      for (const init of this.inits)
        this.#dispatch({
          type: 'worker-exit',
          workerIndex: init.workerIndex,
          workerName: init.workerName,
          code: 1,
          unexpected: true,
          cause: `supervisor failed: ${error.message}`,
        });
    });
    supervisor.on('exit', () => this.#markExited());
    return ready;
  }

  #dispatch(m: WorkerMessage | SupervisorMessage): void {
    if (m.type === 'ready') {
      this.#placements.set(m.workerIndex, m.placement);
      this.#stateful.push(...m.stateful);
      Object.assign(this.#snapshotSchemas, m.snapshotSchemas);
    } else if (m.type === 'metrics') this.#lastMetrics.set(m.workerIndex, m.handlers);
    else if (m.type === 'stopped') this.#shutdownErrors.push(...m.shutdownErrors);
    else if (m.type === 'all-exited') this.#markExited();
    for (const l of [...this.#listeners]) l(m);
    if (m.type === 'worker-exit' || m.type === 'all-exited') this.#onSupervisor(m);
    else this.#onWorker(m);
  }

  /** Subscribes to every message (for snapshot / state-hash collection). Returns an unsubscribe function. */
  subscribe(listener: (m: WorkerMessage | SupervisorMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Handlers that implement snapshot() (known once every worker is ready). */
  statefulHandlers(): readonly string[] {
    return this.#stateful;
  }

  /** snapshotSchema of each handler that declared one (fast-json-stringify). */
  snapshotSchemas(): Readonly<Record<string, Record<string, unknown>>> {
    return this.#snapshotSchemas;
  }

  placementOf(workerIndex: number): PlacementResult | null {
    return this.#placements.get(workerIndex) ?? null;
  }

  lastMetrics(): HandlerMetricsReport[] {
    return [...this.#lastMetrics.values()].flat();
  }

  shutdownErrors(): readonly SerializedError[] {
    return this.#shutdownErrors;
  }

  /** Waits for a metrics report ≥ requestId from every worker that `alive` says is running. */
  collectMetrics(
    requestId: number,
    timeoutMs: number,
    alive: (workerIndex: number) => boolean,
  ): Promise<HandlerMetricsReport[]> {
    return new Promise((resolve) => {
      const pending = new Set(this.inits.map((i) => i.workerIndex).filter(alive));
      const finish = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(this.lastMetrics());
      };
      const listener = (m: WorkerMessage | SupervisorMessage): void => {
        if ((m.type === 'metrics' && m.requestId >= requestId) || m.type === 'stopped' || m.type === 'worker-exit')
          pending.delete(m.workerIndex);
        if (pending.size === 0) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.#listeners.add(listener);
      if (pending.size === 0) finish();
    });
  }

  /** Resolves when the supervisor and every worker have exited; terminates them after timeoutMs. */
  async waitAllExited(timeoutMs: number): Promise<void> {
    if (this.#exited || !this.#supervisor) return this.#closePorts();
    const exited = new Promise<void>((resolve) => this.#exitWaiters.push(resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const r = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (r === 'timeout') {
      // a handler stuck in onEvent never returns to the loop: terminating the supervisor ends its workers too
      await this.#supervisor.terminate();
      this.#markExited();
    }
    this.#closePorts();
  }

  #markExited(): void {
    if (this.#exited) return;
    this.#exited = true;
    for (const w of this.#exitWaiters.splice(0)) w();
  }

  #closePorts(): void {
    for (const p of this.#ports) p.close();
  }
}

/** The worker's error as an Error again (message, stack, code), for `cause`. */
function revive(e: SerializedError): Error {
  const err = new Error(e.message);
  err.stack = e.stack;
  if (e.code !== undefined) Object.defineProperty(err, 'code', { value: e.code, enumerable: true });
  return err;
}
