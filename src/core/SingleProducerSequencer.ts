import { RingbusRangeError, show } from '../errors.js';
import { CURSOR } from '../layout/RingBufferDescriptor.js';
import { Sequencer } from './Sequencer.js';
import { fromWord, INSUFFICIENT_CAPACITY } from './sequenceMath.js';
import type { WaitStrategy } from './WaitStrategy.js';

/**
 * Sequencer for exactly one publishing thread at a time. Thread-safety: single producer only —
 * two threads claiming through single-producer sequencers of the same ring corrupt it. The claim
 * is a local counter (no atomic read-modify-write); the publish is one Atomics.store of the
 * cursor. next/tryNext/publish allocate nothing.
 */
export class SingleProducerSequencer extends Sequencer {
  readonly multiProducer = false;
  /** Last claimed sequence (owner-local). */
  #nextValue: number;

  constructor(ctl: Int32Array, capacity: number, waitStrategy: WaitStrategy) {
    super(ctl, capacity, waitStrategy);
    this.#nextValue = fromWord(Atomics.load(ctl, CURSOR), this.reference());
  }

  next(n = 1): number {
    if (n !== 1) this.checkBatch(n);
    const nextSeq = this.#nextValue + n;
    const wrapPoint = nextSeq - this.capacity;
    if (wrapPoint > this.gatingCache) this.awaitCapacity(wrapPoint, this.#nextValue, Infinity);
    this.#nextValue = nextSeq;
    return nextSeq;
  }

  tryNext(n = 1): number {
    if (n !== 1) this.checkBatch(n);
    const nextSeq = this.#nextValue + n;
    const wrapPoint = nextSeq - this.capacity;
    if (wrapPoint > this.gatingCache) {
      const min = this.minimumGatingSequence(this.#nextValue);
      this.gatingCache = min;
      if (wrapPoint > min) return INSUFFICIENT_CAPACITY;
    }
    this.#nextValue = nextSeq;
    return nextSeq;
  }

  nextWithTimeout(n: number, timeoutMs: number): number {
    this.checkBatch(n);
    if (!(timeoutMs >= 0))
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `timeoutMs must be a non-negative number, got ${show(timeoutMs)}`,
      );
    const nextSeq = this.#nextValue + n;
    const wrapPoint = nextSeq - this.capacity;
    if (
      wrapPoint > this.gatingCache &&
      !this.awaitCapacity(wrapPoint, this.#nextValue, performance.now() + timeoutMs)
    ) {
      throw this.timeoutError(n, timeoutMs);
    }
    this.#nextValue = nextSeq;
    return nextSeq;
  }

  /** The publish point: slot writes before this store are visible to any thread that reads the cursor after it. */
  publish(_lo: number, hi: number = _lo): void {
    Atomics.store(this.ctl, CURSOR, hi | 0);
    this.advanceReference(hi);
    this.signalPublished();
  }

  isAvailable(s: number): boolean {
    return s <= this.getCursor();
  }

  getHighestPublishedSequence(_lo: number, available: number): number {
    return available;
  }

  getCursor(): number {
    return fromWord(Atomics.load(this.ctl, CURSOR), this.reference());
  }

  /** Free slots, counting slots this producer claimed but has not published yet as taken. */
  override remainingCapacity(): number {
    // On any thread but the producer's, #nextValue is stale (it never claims): the published
    // cursor is then the best bound. On the producer's thread #nextValue >= cursor.
    const claimed = Math.max(this.#nextValue, this.getCursor());
    return this.capacity - (claimed - this.minimumGatingSequence(claimed));
  }

  /** Last claimed sequence of this producer (may be ahead of the cursor between next and publish). */
  claimed(): number {
    return this.#nextValue;
  }
}
