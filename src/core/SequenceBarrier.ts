import { ALERT, CURSOR } from '../layout/RingBufferDescriptor.js';
import { ALERTED, fromWord, TIMED_OUT } from './sequenceMath.js';
import type { WaitChannel, WaitCondition, WaitStrategy } from './WaitStrategy.js';

/**
 * What a barrier reads from its ring's sequencer. An interface (the Sequencer implements it) so
 * that the barrier does not import the Sequencer that creates it.
 */
export interface PublishedSequences {
  /** True when consumers must check per-slot availability (several producers). */
  readonly multiProducer: boolean;
  getCursor(): number;
  /** Highest sequence in lo … hi whose slot (and every slot before it) is published. */
  getHighestPublishedSequence(lo: number, hi: number): number;
}

/**
 * What a consumer waits on: the ring's published cursor and, when it has upstream stages, each
 * of their sequences. `waitFor(s)` returns the highest sequence ≥ s that is safe to read (which
 * may be far beyond s: process the whole batch), or a sentinel: ALERTED when the ring is halted,
 * TIMED_OUT when a timed wait expires. Never throws on the hot path; allocation-free.
 *
 * Thread-safety: one barrier per consuming thread.
 */
export class SequenceBarrier implements WaitCondition {
  readonly #sequencer: PublishedSequences;
  readonly #ctl: Int32Array;
  readonly #strategy: WaitStrategy;
  readonly #dependents: Int32Array;
  readonly #multi: boolean;
  readonly #channel: WaitChannel;
  #wanted = 0;

  constructor(
    sequencer: PublishedSequences,
    channel: WaitChannel,
    strategy: WaitStrategy,
    dependentWords: readonly number[],
  ) {
    const ctl = channel.ctl;
    this.#sequencer = sequencer;
    this.#ctl = ctl;
    this.#strategy = strategy;
    this.#dependents = Int32Array.from(dependentWords);
    this.#multi = sequencer.multiProducer;
    this.#channel = channel;
  }

  /** Highest readable sequence ≥ `sequence`, or ALERTED / TIMED_OUT. */
  waitFor(sequence: number, timeoutMs = Infinity): number {
    if (Atomics.load(this.#ctl, ALERT) !== 0) return ALERTED;
    const available = this.#available(sequence);
    if (available >= sequence) return available;
    return this.#waitSlow(sequence, timeoutMs);
  }

  /** Highest readable sequence right now (may be below `sequence`: nothing new). Never waits. */
  poll(sequence: number): number {
    return this.#available(sequence);
  }

  #waitSlow(sequence: number, timeoutMs: number): number {
    this.#wanted = sequence;
    const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    for (let i = 0; ; i++) {
      if (Atomics.load(this.#ctl, ALERT) !== 0) return ALERTED;
      let remaining = Infinity;
      if (deadline !== Infinity) {
        remaining = deadline - performance.now();
        if (remaining <= 0) return TIMED_OUT;
      }
      this.#strategy.idle(i, this.#channel, this, remaining);
      const available = this.#available(sequence);
      if (available >= sequence) return available;
    }
  }

  #available(sequence: number): number {
    const deps = this.#dependents;
    if (deps.length === 0) {
      const cursor = fromWord(Atomics.load(this.#ctl, CURSOR), sequence);
      return this.#multi && cursor >= sequence ? this.#sequencer.getHighestPublishedSequence(sequence, cursor) : cursor;
    }
    let min = fromWord(Atomics.load(this.#ctl, deps[0]!), sequence);
    for (let i = 1; i < deps.length; i++) {
      const v = fromWord(Atomics.load(this.#ctl, deps[i]!), sequence);
      if (v < min) min = v;
    }
    return min;
  }

  /** WaitCondition: data for the sequence being waited for has arrived. */
  isSatisfied(): boolean {
    return this.#available(this.#wanted) >= this.#wanted;
  }

  /** Whether the ring is halted. */
  isAlerted(): boolean {
    return Atomics.load(this.#ctl, ALERT) !== 0;
  }

  /** The full cursor value (claimed, for multi producer). */
  getCursor(): number {
    return this.#sequencer.getCursor();
  }
}
