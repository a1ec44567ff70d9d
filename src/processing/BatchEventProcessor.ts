import type { RingBuffer } from '../core/RingBuffer.js';
import type { Sequence } from '../core/Sequence.js';
import type { SequenceBarrier } from '../core/SequenceBarrier.js';
import { KIND_CONTROL, KIND_EVENT } from '../layout/RingBufferDescriptor.js';
import type { Flyweight } from '../schema/defineEvent.js';
import type { EventHandler } from './Handler.js';
import type { HandlerMetricsRecorder } from '../metrics/HandlerMetricsRecorder.js';
import type { CrossRingGate } from './CrossRingGate.js';

/** Receives failures and control slots; implemented by the worker host. */
export interface ProcessorHooks {
  /** A handler threw. Return true to go on with the next event (skip), false to halt. */
  onHandlerError(processor: BatchEventProcessor, error: unknown, sequence: number, event: Flyweight): boolean;
  /** A control slot (e.g. a snapshot marker) reached this handler. */
  onControl(processor: BatchEventProcessor, sequence: number, code: number): void;
}

/**
 * Runs one handler over the ring: takes every sequence its barrier releases, in order, as one
 * batch, calls onEvent for each, then publishes its own progress with one Atomics.store.
 * Non-blocking (`processAvailable`): the WorkerLoop decides when to wait, so several processors
 * can share a thread and run in dependency order over the same batch.
 *
 * With a cross-ring gate (BusGroup.after) a batch also ends before the first event whose
 * upstream-ring sequence the gate does not admit yet.
 *
 * Hot path: allocates nothing per event (the flyweight is created once and re-pointed).
 * Thread-safety: one processor is driven by one thread.
 */
export class BatchEventProcessor {
  readonly name: string;
  /** Index of the handler in the bus topology. */
  readonly index: number;
  readonly sequence: Sequence;
  readonly handler: EventHandler;
  readonly #barrier: SequenceBarrier;
  readonly #ring: RingBuffer;
  readonly #event: Flyweight;
  readonly #hooks: ProcessorHooks;
  readonly #metrics: HandlerMetricsRecorder | null;
  readonly #allKinds: boolean;
  readonly #hasBatchStart: boolean;
  readonly #gate: CrossRingGate | null;
  #halted = false;
  #gated = false;

  constructor(
    name: string,
    index: number,
    ring: RingBuffer,
    sequence: Sequence,
    barrier: SequenceBarrier,
    handler: EventHandler,
    hooks: ProcessorHooks,
    metrics: HandlerMetricsRecorder | null,
    gate: CrossRingGate | null = null,
  ) {
    this.name = name;
    this.index = index;
    this.#ring = ring;
    this.sequence = sequence;
    this.#barrier = barrier;
    this.handler = handler;
    this.#event = ring.flyweight();
    this.#hooks = hooks;
    this.#metrics = metrics;
    this.#allKinds = handler.receivesAllKinds === true;
    this.#hasBatchStart = typeof handler.onBatchStart === 'function';
    this.#gate = gate;
  }

  /** Whether this processor waits on a cross-ring gate. */
  get hasGate(): boolean {
    return this.#gate !== null;
  }

  /** True when the last pass stopped at an event its cross-ring gate holds back (see CrossRingGate). */
  get gated(): boolean {
    return this.#gated;
  }

  /** True once a failure under the halt policy stopped this processor. */
  get halted(): boolean {
    return this.#halted;
  }

  /** Whether the barrier releases at least one sequence right now. */
  hasWork(): boolean {
    const next = this.sequence.get() + 1;
    if (this.#barrier.poll(next) < next) return false;
    return this.#gate === null || this.#admits(next);
  }

  /** Whether the cross-ring gate lets the slot at `s` through (slots that are not events always pass). */
  #admits(s: number): boolean {
    const event = this.#event.$wrap(this.#ring.slotOffset(s));
    return event.$kind !== KIND_EVENT || this.#gate!.admits(event);
  }

  /**
   * Processes everything available now. Returns how many sequences it consumed (0: nothing new,
   * or halted). Allocation-free.
   */
  processAvailable(): number {
    if (this.#halted) return 0;
    const next = this.sequence.get() + 1;
    let available = this.#barrier.poll(next);
    if (available < next) {
      this.#gated = false; // nothing to hold back: the worker may park as long as it likes
      return 0;
    }
    if (this.#gate !== null) {
      // the batch ends before the first event the upstream ring has not passed yet
      let s = next;
      while (s <= available && this.#admits(s)) s++;
      this.#gated = s <= available;
      if (s === next) return 0;
      available = s - 1;
    }
    return this.#processBatch(next, available);
  }

  #processBatch(lo: number, hi: number): number {
    const ring = this.#ring;
    const event = this.#event;
    const handler = this.handler;
    const allKinds = this.#allKinds;
    // endOfBatch goes to the last slot this handler will actually see
    let last = hi;
    if (!allKinds) while (last > lo && event.$wrap(ring.slotOffset(last)).$kind !== KIND_EVENT) last--;
    if (this.#hasBatchStart) handler.onBatchStart!(hi - lo + 1, lo);
    for (let s = lo; s <= hi; s++) {
      event.$wrap(ring.slotOffset(s));
      const kind = event.$kind;
      if (kind === KIND_EVENT || allKinds) {
        try {
          handler.onEvent(event, s, s === last);
        } catch (error) {
          // Progress up to the failing sequence is published before the hook may halt the bus:
          // whoever sees the halt then sees this handler just before the failing sequence.
          if (s > lo) this.sequence.set(s - 1);
          if (!this.#hooks.onHandlerError(this, error, s, event)) {
            this.#halted = true;
            if (s > lo) this.#finish(lo, s - 1);
            return s - lo;
          }
        }
      }
      if (kind === KIND_CONTROL) this.#hooks.onControl(this, s, event.$aux);
    }
    this.#finish(lo, hi);
    return hi - lo + 1;
  }

  #finish(lo: number, hi: number): void {
    if (this.#metrics !== null) this.#metrics.recordBatch(this.#ring, this.#event, lo, hi);
    this.sequence.set(hi);
    this.#ring.signalProgress();
  }
}
