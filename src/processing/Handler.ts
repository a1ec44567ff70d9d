/**
 * The handler contract. A handler is a module, referenced by file URL so that a worker thread can
 * import it, whose default export is `defineHandler(factory)`: the factory is called once in the
 * worker with a HandlerContext and returns the handler's callbacks. All state lives in the
 * closure / object the factory returns.
 *
 * ```ts
 * // handlers/count.ts
 * import { defineHandler } from 'ringbus';
 * export default defineHandler((ctx) => {
 *   let count = 0;
 *   return {
 *     onEvent(event, sequence, endOfBatch) { count++; },
 *     snapshot: () => ({ count }),
 *     restore: (s) => { count = s.count; },
 *   };
 * });
 * ```
 *
 * Determinism: handlers that take part in snapshots / replay must read time only from the event
 * (`event.$timestamp`, stamped by the producer), never call Math.random or Date.now, and never let
 * the result depend on Map/Set iteration order that differs between a live run and a replay.
 */
import type { Flyweight } from '../schema/defineEvent.js';

/** Publishes events onto another ring (an outbound ring) from inside a handler. */
export interface OutboundPublisher<F extends Flyweight = Flyweight> {
  /** Zero-allocation publish through a translator (see RingBuffer.publishWith). */
  publishWith<A>(translator: (event: F, sequence: number, arg: A) => void, arg: A): number;
  /** Validating publish of a plain object (see RingBuffer.publishEvent). */
  publishEvent(values: Record<string, unknown>): number;
}

export interface HandlerContext<O = unknown> {
  /** The handler's name in the topology. */
  readonly name: string;
  /** The worker the handler runs on. */
  readonly workerName: string;
  /** Options given when the handler was registered (structured-cloned into the worker). */
  readonly options: O;
  /**
   * True when `sequence` is a replay of the journal during recovery (handlers may skip external
   * side effects such as sending acks; state changes must still happen). Allocation-free.
   */
  isReplay(sequence: number): boolean;
  /** The worker's own view of the ring (advanced use: raw slot bytes for journaling). */
  readonly ring: import('../core/RingBuffer.js').RingBuffer<Flyweight>;
  /** A publisher onto the named outbound ring (declared in the bus options). */
  outbound<F extends Flyweight = Flyweight>(ringName: string): OutboundPublisher<F>;
  /**
   * The handler's cross-ring gate (BusGroup.after), or null (absent: none): an event is handed to onEvent only
   * once stage `upstream` of ring `ring` has passed the sequence in the event's field `field`.
   * `upstreamSequence()` reads that stage's sequence now (for audits; allocation-free).
   */
  readonly gate?: CrossRingGateView | null;
}

/** What a handler sees of its cross-ring gate. */
export interface CrossRingGateView {
  readonly ring: string;
  readonly upstream: string;
  readonly field: string;
  upstreamSequence(): number;
}

export interface EventHandler<F extends Flyweight = Flyweight, S = unknown> {
  /**
   * Called for every event in order. `event` is a flyweight: valid only during the call.
   * `endOfBatch` is true for the last event of the batch the handler was given.
   */
  onEvent(event: F, sequence: number, endOfBatch: boolean): void;
  /**
   * When true, onEvent also receives control slots (snapshot markers) and void slots (failed
   * translators), distinguished by `event.$kind`; used by the journal, which records every
   * sequence. Default false: such slots are skipped.
   */
  readonly receivesAllKinds?: boolean;
  /** Called before each batch with its size. */
  onBatchStart?(batchSize: number, firstSequence: number): void;
  /**
   * Called while the worker has nothing to do, under every wait strategy: on the first idle pass
   * after work, then again when the ms it returned have passed (undefined or void: 50 ms;
   * Infinity: not before the next work). For timer-like work such as a periodic fsync. Must not
   * block; the worker may run it late only when its thread does not get a core.
   */
  onIdle?(): number | void;
  /** Called once after the worker loaded every handler, before the first event. */
  onStart?(): void | Promise<void>;
  /** Called once when the bus stops (after draining, unless halted). */
  onShutdown?(): void | Promise<void>;
  /**
   * Captures state for a snapshot. The returned value is structured-cloned off the hot path
   * and serialized as JSON: return a value the handler will not mutate afterwards (a copy).
   */
  snapshot?(): S;
  /**
   * Optional JSON schema of what snapshot() returns: snapshot files are then serialised with
   * fast-json-stringify (compiled once) instead of JSON.stringify. Must describe every property
   * (properties a schema omits are dropped from the file).
   */
  readonly snapshotSchema?: Record<string, unknown>;
  /** Replaces state from a snapshot taken by `snapshot()`. Called before any event. */
  restore?(state: S): void;
  /**
   * A deterministic digest of the state (hex string). Defaults to a hash of `snapshot()`.
   * Live state, recovered state and replayed state must give the same digest.
   */
  stateHash?(): string;
}

export type HandlerFactory<F extends Flyweight = Flyweight, O = unknown, S = unknown> = (
  context: HandlerContext<O>,
) => EventHandler<F, S>;

/** What a handler module exports as default. */
export interface HandlerModule<F extends Flyweight = Flyweight, O = unknown, S = unknown> {
  readonly kind: 'ringbus-handler';
  readonly factory: HandlerFactory<F, O, S>;
}

/** Wraps a handler factory as a handler module's default export. */
export function defineHandler<F extends Flyweight = Flyweight, O = unknown, S = unknown>(
  factory: HandlerFactory<F, O, S>,
): HandlerModule<F, O, S> {
  if (typeof factory !== 'function') throw new TypeError('defineHandler needs a factory function (context) => handler');
  return Object.freeze({ kind: 'ringbus-handler' as const, factory });
}
