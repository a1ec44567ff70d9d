import { ALERT, SEQUENCE_ALLOC, GATING_MASK, MAX_SEQUENCES, sequenceWord } from '../layout/RingBufferDescriptor.js';
import { RingbusError } from '../errors.js';
import { fromWord, toWord } from './sequenceMath.js';

/**
 * A consumer's progress counter: one 32-bit word on its own line of the ring's control block.
 *
 * Thread-safety: exactly one thread (the owner) calls `set()`. The owner's `get()` is exact and
 * never stale. Any thread may `read(reference)` the shared word; what it gets may be stale by
 * whatever the owner published since, which is safe because sequences only grow.
 */
export class Sequence {
  /** Line number within the control block (0 … MAX_SEQUENCES-1); also its bit in the masks. */
  readonly line: number;
  /** Int32 word index of the counter. */
  readonly word: number;
  readonly #ctl: Int32Array;
  #value: number;

  /**
   * With `attach` false (default) the line is set to `initial`. With `attach` true the line is
   * left as it is and its value rebuilt near `initial` (any full sequence within ±2^30 of it,
   * e.g. the ring's reference sequence): for a thread taking over a line another thread set up.
   */
  constructor(ctl: Int32Array, line: number, initial: number, attach = false) {
    this.#ctl = ctl;
    this.line = line;
    this.word = sequenceWord(line);
    if (attach) {
      this.#value = fromWord(Atomics.load(ctl, this.word), initial);
    } else {
      this.#value = initial;
      Atomics.store(ctl, this.word, toWord(initial));
    }
  }

  /** The full value as the owner last set it. Exact on the owner thread. Allocation-free. */
  get(): number {
    return this.#value;
  }

  /** Owner only: sets and publishes the value (one Atomics.store). Allocation-free. */
  set(value: number): void {
    this.#value = value;
    Atomics.store(this.#ctl, this.word, value | 0);
  }

  /** Any thread: the shared value rebuilt near `reference`. Allocation-free. */
  read(reference: number): number {
    return fromWord(Atomics.load(this.#ctl, this.word), reference);
  }

  /** Any thread: re-reads the shared word into the local value (after another owner wrote it). */
  refresh(reference: number): number {
    this.#value = this.read(reference);
    return this.#value;
  }
}

/** Claims a free sequence line (lock-free, any thread). Throws when all lines are taken. */
export function allocateSequenceLine(ctl: Int32Array): number {
  for (;;) {
    const used = Atomics.load(ctl, SEQUENCE_ALLOC);
    if (used === -1) {
      throw new RingbusError(
        'RINGBUS_ERR_TOO_MANY_SEQUENCES',
        `the ring has no free sequence line: all ${MAX_SEQUENCES} are in use`,
      );
    }
    const free = ~used & (used + 1); // lowest zero bit
    const line = 31 - Math.clz32(free);
    if (Atomics.compareExchange(ctl, SEQUENCE_ALLOC, used, used | free) === used) return line;
  }
}

/** Frees a sequence line (and stops it gating). */
export function releaseSequenceLine(ctl: Int32Array, line: number): void {
  Atomics.and(ctl, GATING_MASK, ~(1 << line));
  Atomics.and(ctl, SEQUENCE_ALLOC, ~(1 << line));
}

/** True when the ring has been halted. */
export function isAlerted(ctl: Int32Array): boolean {
  return Atomics.load(ctl, ALERT) !== 0;
}
