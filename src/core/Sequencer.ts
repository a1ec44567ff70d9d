import { RingbusError, RingbusRangeError, show } from '../errors.js';
import {
  ALERT,
  CONSUMER_WAITERS,
  CURSOR_REF,
  GATING_MASK,
  PRODUCER_WAITERS,
  PROGRESS_SIGNAL,
  PUBLISH_SIGNAL,
  sequenceWord,
} from '../layout/RingBufferDescriptor.js';
import { Sequence } from './Sequence.js';
import { SequenceBarrier } from './SequenceBarrier.js';
import { fromWord, REF_UNIT } from './sequenceMath.js';
import { signalWaiters, type WaitChannel, type WaitCondition, type WaitStrategy } from './WaitStrategy.js';

/**
 * Claims and publishes sequences of one ring. Subclasses: SingleProducerSequencer (one
 * publishing thread) and MultiProducerSequencer (any number of threads).
 *
 * Claim protocol: `next(n)` / `tryNext(n)` return the highest sequence of the claimed batch
 * (`hi`; the batch is `hi - n + 1 … hi`); the caller writes the slots with plain typed-array
 * writes, then `publish(lo, hi)` makes them visible with Atomics stores. Call publish in a
 * `finally`: a claimed, never-published sequence blocks every consumer.
 */
export abstract class Sequencer implements WaitCondition {
  readonly capacity: number;
  readonly mask: number;
  readonly waitStrategy: WaitStrategy;
  protected readonly ctl: Int32Array;
  /** Lower bound of the slowest gating sequence this thread has seen. */
  protected gatingCache = Number.MIN_SAFE_INTEGER;
  readonly #producerChannel: WaitChannel;
  /** Where consumers wait for published events (handed to barriers and, through the ring, to worker loops). */
  readonly consumerChannel: WaitChannel;
  #nextRefBoundary: number;
  #wantWrap = 0;
  #wantRef = 0;

  constructor(ctl: Int32Array, capacity: number, waitStrategy: WaitStrategy) {
    this.ctl = ctl;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.waitStrategy = waitStrategy;
    this.#producerChannel = { ctl, waitersIndex: PRODUCER_WAITERS, signalIndex: PROGRESS_SIGNAL };
    this.consumerChannel = { ctl, waitersIndex: CONSUMER_WAITERS, signalIndex: PUBLISH_SIGNAL };
    this.#nextRefBoundary = (Atomics.load(ctl, CURSOR_REF) + 1) * REF_UNIT;
  }

  /** True for MultiProducerSequencer: consumers must check per-slot availability. */
  abstract readonly multiProducer: boolean;
  /**
   * Claims `n` slots, waiting (with the wait strategy) while the ring is full. Returns hi.
   * Throws RINGBUS_ERR_ALERTED if the ring halts meanwhile.
   */
  abstract next(n?: number): number;
  /** Claims `n` slots or returns INSUFFICIENT_CAPACITY (-1) at once when they are not free. Never throws on a full ring. */
  abstract tryNext(n?: number): number;
  /** Claims `n` slots, waiting at most `timeoutMs`; throws RINGBUS_ERR_PUBLISH_TIMEOUT when time runs out. */
  abstract nextWithTimeout(n: number, timeoutMs: number): number;
  /** Makes lo…hi visible to consumers (the publish point). */
  abstract publish(lo: number, hi?: number): void;
  /** Whether sequence `s` has been published (for multi-producer: its own slot flag). */
  abstract isAvailable(s: number): boolean;
  /** Highest sequence in lo…available that is published with no gap before it. */
  abstract getHighestPublishedSequence(lo: number, available: number): number;
  /** The cursor: last published (single producer) or last claimed (multi producer) sequence. */
  abstract getCursor(): number;

  /** A full sequence within 2^30 + capacity below the cursor, readable by any thread. */
  reference(): number {
    return Atomics.load(this.ctl, CURSOR_REF) * REF_UNIT;
  }

  /** Free slots right now (may be stale as soon as it returns). */
  remainingCapacity(): number {
    const cursor = this.getCursor();
    return this.capacity - (cursor - this.minimumGatingSequence(cursor));
  }

  /** Whether `n` slots could be claimed right now. */
  hasAvailableCapacity(n: number): boolean {
    return this.remainingCapacity() >= n;
  }

  /** Smallest gating sequence, rebuilt near `reference`; `reference` itself when none gates. Allocation-free. */
  minimumGatingSequence(reference: number): number {
    let mask = Atomics.load(this.ctl, GATING_MASK);
    if (mask === 0) return reference;
    let min = Number.MAX_SAFE_INTEGER;
    while (mask !== 0) {
      const bit = 31 - Math.clz32(mask & -mask);
      mask &= mask - 1;
      const v = fromWord(Atomics.load(this.ctl, sequenceWord(bit)), reference);
      if (v < min) min = v;
    }
    return min;
  }

  /** Makes `sequences` gate the producer, each first set to the cursor (Disruptor semantics). */
  addGatingSequences(...sequences: Sequence[]): void {
    for (const s of sequences) {
      s.set(this.getCursor());
      Atomics.or(this.ctl, GATING_MASK, 1 << s.line);
    }
  }

  /** Stops `sequence` gating the producer. Returns whether it was gating. */
  removeGatingSequence(sequence: Sequence): boolean {
    const bit = 1 << sequence.line;
    const old = Atomics.and(this.ctl, GATING_MASK, ~bit);
    this.signalProgress();
    return (old & bit) !== 0;
  }

  /** A barrier that waits for the cursor and for every sequence in `dependents`. */
  newBarrier(dependents: readonly Sequence[] = []): SequenceBarrier {
    return new SequenceBarrier(
      this,
      this.consumerChannel,
      this.waitStrategy,
      dependents.map((d) => d.word),
    );
  }

  /** Whether the ring is halted. */
  isAlerted(): boolean {
    return Atomics.load(this.ctl, ALERT) !== 0;
  }

  /** Wakes producers blocked on a full ring, if any said they wait. Consumers call this after advancing. */
  signalProgress(): void {
    signalWaiters(this.ctl, PRODUCER_WAITERS, PROGRESS_SIGNAL);
  }

  /** Wakes consumers blocked waiting for data, if any said they wait. */
  signalPublished(): void {
    signalWaiters(this.ctl, CONSUMER_WAITERS, PUBLISH_SIGNAL);
  }

  /** WaitCondition for a producer waiting for room. */
  isSatisfied(): boolean {
    return this.minimumGatingSequence(this.#wantRef) >= this.#wantWrap;
  }

  protected checkBatch(n: number): void {
    if (!(n >= 1 && n <= this.capacity && (n | 0) === n)) {
      throw new RingbusRangeError(
        'RINGBUS_ERR_BATCH_TOO_LARGE',
        `n must be an integer in [1, ${this.capacity}] (the ring capacity), got ${show(n)}`,
      );
    }
  }

  /** Keeps CURSOR_REF within one REF_UNIT of the cursor. Cheap: one compare unless a boundary is crossed. */
  protected advanceReference(hi: number): void {
    if (hi < this.#nextRefBoundary) return;
    const ref = Math.floor(hi / REF_UNIT);
    for (;;) {
      const cur = Atomics.load(this.ctl, CURSOR_REF);
      if (cur >= ref || Atomics.compareExchange(this.ctl, CURSOR_REF, cur, ref) === cur) break;
    }
    this.#nextRefBoundary = (ref + 1) * REF_UNIT;
  }

  /**
   * Waits until every gating sequence reaches `wrapPoint` (rebuilt near `reference`). Returns
   * false when `deadline` (a performance.now() value) passes; throws when the ring halts.
   */
  protected awaitCapacity(wrapPoint: number, reference: number, deadline: number): boolean {
    let min = this.minimumGatingSequence(reference);
    if (min >= wrapPoint) {
      this.gatingCache = min;
      return true;
    }
    this.#wantWrap = wrapPoint;
    this.#wantRef = reference;
    for (let i = 0; ; i++) {
      if (Atomics.load(this.ctl, ALERT) !== 0) {
        throw new RingbusError(
          'RINGBUS_ERR_ALERTED',
          `the ring was halted while a producer waited for room (needed sequence ${wrapPoint} to be consumed)`,
        );
      }
      let remaining = Infinity;
      if (deadline !== Infinity) {
        remaining = deadline - performance.now();
        if (remaining <= 0) return false;
      }
      this.waitStrategy.idle(i, this.#producerChannel, this, remaining);
      min = this.minimumGatingSequence(reference);
      if (min >= wrapPoint) {
        this.gatingCache = min;
        return true;
      }
    }
  }

  protected timeoutError(n: number, timeoutMs: number): RingbusError {
    return new RingbusError(
      'RINGBUS_ERR_PUBLISH_TIMEOUT',
      `could not claim ${n} slot(s) within timeoutMs=${timeoutMs}: the ring stayed full (capacity ${this.capacity})`,
    );
  }
}
