import { RingbusRangeError, show } from '../errors.js';
import { CURSOR } from '../layout/RingBufferDescriptor.js';
import { Sequencer } from './Sequencer.js';
import { fromWord, INSUFFICIENT_CAPACITY } from './sequenceMath.js';
import type { WaitStrategy } from './WaitStrategy.js';

/**
 * Sequencer for any number of publishing threads. Claims move the shared CURSOR with
 * Atomics.add (next) or compareExchange (tryNext, timed claims); because claims complete out of
 * order, each publish also stamps an availability word per slot, and consumers only see the
 * longest gap-free run of published sequences. Thread-safe; allocation-free.
 */
export class MultiProducerSequencer extends Sequencer {
  readonly multiProducer = true;
  readonly #available: Int32Array;

  constructor(ctl: Int32Array, available: Int32Array, capacity: number, waitStrategy: WaitStrategy) {
    super(ctl, capacity, waitStrategy);
    this.#available = available;
  }

  /** Fills the availability buffer so that no slot looks published before the first claim. Creator only. */
  static initialiseAvailability(available: Int32Array, initialCursor: number): void {
    const capacity = available.length;
    for (let i = 0; i < capacity; i++) {
      // first sequence that lands in slot i, minus one lap: never equal to a live sequence there
      const first = initialCursor + 1 + ((i - ((initialCursor + 1) % capacity) + capacity) % capacity);
      available[i] = (first - capacity) | 0;
    }
  }

  next(n = 1): number {
    if (n !== 1) this.checkBatch(n);
    const reference = this.reference();
    const current = fromWord(Atomics.add(this.ctl, CURSOR, n), reference);
    const nextSeq = current + n;
    this.advanceReference(nextSeq);
    const wrapPoint = nextSeq - this.capacity;
    if (wrapPoint > this.gatingCache) this.awaitCapacity(wrapPoint, current, Infinity);
    return nextSeq;
  }

  tryNext(n = 1): number {
    if (n !== 1) this.checkBatch(n);
    const reference = this.reference();
    for (;;) {
      const word = Atomics.load(this.ctl, CURSOR);
      const current = fromWord(word, reference);
      const nextSeq = current + n;
      const wrapPoint = nextSeq - this.capacity;
      if (wrapPoint > this.gatingCache) {
        const min = this.minimumGatingSequence(current);
        this.gatingCache = min;
        if (wrapPoint > min) return INSUFFICIENT_CAPACITY;
      }
      if (Atomics.compareExchange(this.ctl, CURSOR, word, nextSeq | 0) === word) {
        this.advanceReference(nextSeq);
        return nextSeq;
      }
    }
  }

  nextWithTimeout(n: number, timeoutMs: number): number {
    this.checkBatch(n);
    if (!(timeoutMs >= 0))
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `timeoutMs must be a non-negative number, got ${show(timeoutMs)}`,
      );
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const hi = this.tryNext(n);
      if (hi !== INSUFFICIENT_CAPACITY) return hi;
      const current = this.getCursor();
      // wait until the room we lacked is there (or time runs out), then race for it again
      if (!this.awaitCapacity(current + n - this.capacity, current, deadline)) throw this.timeoutError(n, timeoutMs);
    }
  }

  /** The publish point: one Atomics.store per sequence into its availability word. */
  publish(lo: number, hi: number = lo): void {
    const available = this.#available;
    const mask = this.mask;
    for (let s = lo; s <= hi; s++) Atomics.store(available, s & mask, s | 0);
    this.signalPublished();
  }

  isAvailable(s: number): boolean {
    return Atomics.load(this.#available, s & this.mask) === (s | 0);
  }

  getHighestPublishedSequence(lo: number, available: number): number {
    const flags = this.#available;
    const mask = this.mask;
    for (let s = lo; s <= available; s++) {
      if (Atomics.load(flags, s & mask) !== (s | 0)) return s - 1;
    }
    return available;
  }

  getCursor(): number {
    return fromWord(Atomics.load(this.ctl, CURSOR), this.reference());
  }
}
