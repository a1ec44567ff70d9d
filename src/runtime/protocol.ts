/**
 * Every message and init payload exchanged between the main thread, the supervisor worker and
 * the handler workers. All are structured-cloneable. Lives in src/runtime (below processing and
 * topology) because both sides of the conversation import it.
 */
import type { MessagePort, ResourceLimits } from 'node:worker_threads';
import type { RingDescriptor } from '../core/RingBuffer.js';
import type { WaitStrategyOptions } from '../core/WaitStrategy.js';
import type { HandlerMetricsReport } from '../metrics/HandlerMetricsRecorder.js';

/** A handler's exception policy in the structured-cloneable form sent to workers. */
export type ResolvedExceptionPolicy =
  { type: 'halt' } | { type: 'skip' } | { type: 'custom'; module: string; export: string };

/** One handler as its worker needs it. */
export interface HandlerInit {
  readonly name: string;
  readonly index: number;
  readonly moduleUrl: string;
  readonly options: unknown;
  /** Control-block line of the handler's own sequence. */
  readonly sequenceLine: number;
  /** Lines of the sequences it waits for (empty: the ring cursor). */
  readonly dependsOnLines: readonly number[];
  readonly policy: ResolvedExceptionPolicy;
  /** Dead-letter file for the 'skip' policy (or a custom policy deciding 'skip'). */
  readonly deadLetterPath: string | null;
  /** State to restore before the first event (recovery), when `hasRestore`. */
  readonly hasRestore: boolean;
  readonly restoreState: unknown;
  /** A cross-ring dependency (BusGroup): events wait for a stage of another ring. */
  readonly gate?: CrossRingGateInit;
}

/**
 * A stage of this ring that runs after a stage of another ring (BusGroup.after): an event is
 * processed only once the sequence line `line` of the ring `ring` has reached the value of the
 * event's field `field` (a sequence of that ring).
 */
export interface CrossRingGateInit {
  /** The upstream ring's name in its group. */
  readonly ringName: string;
  /** The upstream stage (for messages; `journal` means its durable sequence). */
  readonly upstream: string;
  readonly ring: RingDescriptor;
  /** Control-block line of the upstream stage's sequence (the journal's durable line for `journal`). */
  readonly line: number;
  /** The event field that holds the upstream ring's sequence. */
  readonly field: string;
}

/** An outbound ring of a bus (ring only), or of a bus with its status block (publishes then refuse once it halts). */
export type OutboundTarget = RingDescriptor | { readonly ring: RingDescriptor; readonly status: SharedArrayBuffer };

/** Another ring of the same BusGroup: halted when this one halts. */
export interface PeerRing {
  readonly name: string;
  readonly ring: RingDescriptor;
  readonly status: SharedArrayBuffer;
}

/** A handler worker's workerData. */
export interface WorkerInit {
  readonly kind: 'ringbus-worker';
  readonly workerName: string;
  readonly workerIndex: number;
  readonly ring: RingDescriptor;
  readonly waitStrategy: WaitStrategyOptions;
  readonly status: SharedArrayBuffer;
  readonly cpus: readonly number[] | null;
  readonly handlers: readonly HandlerInit[];
  readonly metrics: boolean;
  readonly outbound: Readonly<Record<string, OutboundTarget>>;
  /** Present once the supervisor hands the init to the worker. */
  readonly port?: MessagePort;
}

/** The supervisor's workerData. */
export interface SupervisorInit {
  readonly kind: 'ringbus-supervisor';
  readonly workerScript: string;
  readonly ring: RingDescriptor;
  readonly status: SharedArrayBuffer;
  readonly workers: ReadonlyArray<{ readonly init: WorkerInit; readonly resourceLimits: ResourceLimits | null }>;
  readonly ports: readonly MessagePort[];
  /** Stall watchdog period: a handler behind with no progress for this long halts the bus (0: off). */
  readonly stallTimeoutMs: number;
  /** BusGroup: this ring's name and the other rings of its group, halted when this ring halts. */
  readonly peers?: { readonly self: string; readonly rings: readonly PeerRing[] };
}

export interface SerializedError {
  readonly message: string;
  readonly stack: string;
  readonly code?: string;
}

export interface PlacementResult {
  readonly cpus: readonly number[] | null;
  readonly pinned: boolean;
  readonly reason: string | null;
  readonly currentCpu: number;
}

/** Handler worker → main (over its MessagePort). */
export type WorkerMessage =
  | {
      readonly type: 'ready';
      readonly workerIndex: number;
      readonly placement: PlacementResult;
      readonly stateful: readonly string[];
      readonly all: readonly string[];
      readonly snapshotSchemas: Readonly<Record<string, Record<string, unknown>>>;
    }
  | { readonly type: 'start-failed'; readonly workerIndex: number; readonly error: SerializedError }
  | {
      readonly type: 'metrics';
      readonly workerIndex: number;
      readonly requestId: number;
      readonly handlers: readonly HandlerMetricsReport[];
    }
  | {
      readonly type: 'snapshot';
      readonly workerIndex: number;
      readonly handler: string;
      readonly sequence: number;
      readonly state: unknown;
      readonly stateHash: string | null;
    }
  | {
      readonly type: 'state-hash';
      readonly workerIndex: number;
      readonly requestId: number;
      readonly hashes: Readonly<Record<string, string | null>>;
    }
  | {
      readonly type: 'stopped';
      readonly workerIndex: number;
      readonly halted: boolean;
      readonly shutdownErrors: readonly SerializedError[];
    };

/** Supervisor → main (over the supervisor's parentPort). */
export type SupervisorMessage =
  | {
      readonly type: 'worker-exit';
      readonly workerIndex: number;
      readonly workerName: string;
      readonly code: number;
      readonly unexpected: boolean;
      readonly cause: string;
    }
  | { readonly type: 'all-exited' };

/** Control codes carried in the aux word of KIND_CONTROL slots. */
export const CONTROL_SNAPSHOT = 1;
/** A state-hash request travels through the ring so every handler answers at the same sequence. */
export const CONTROL_STATE_HASH = 2;
