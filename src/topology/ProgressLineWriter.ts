/**
 * Moves an external progress line (progressLines.ts) from any thread: attaches to the ring from
 * the line's descriptor and becomes the line's one writer. `advance(s)` publishes
 * `min(s, durable sequence)` and wakes stages blocked on the line; `halt(message)` stops the bus
 * through its status block (publishers then throw RINGBUS_ERR_BUS_HALTED with the message), for a
 * writer that can no longer vouch for anything.
 *
 * Thread-safety: one ProgressLineWriter per line, used by one thread. Off the hot path (it runs
 * wherever the line's source runs); `advance` allocates nothing.
 */
import { RingBuffer } from '../core/RingBuffer.js';
import type { Sequence } from '../core/Sequence.js';
import { HALT_PROGRESS_SOURCE } from '../layout/BusStatusDescriptor.js';
import { BusStatus } from '../runtime/BusStatus.js';
import { progressSourceMessage } from './haltError.js';
import type { ProgressLineDescriptor } from './progressLines.js';

export class ProgressLineWriter {
  readonly descriptor: ProgressLineDescriptor;
  readonly #ring: RingBuffer;
  readonly #status: BusStatus;
  readonly #line: Sequence;
  readonly #gating: Sequence | null;
  readonly #ceiling: Sequence;

  constructor(descriptor: ProgressLineDescriptor) {
    this.descriptor = descriptor;
    // blocking: a writer never spins (it only ever wakes others)
    this.#ring = RingBuffer.attach(descriptor.ring, 'blocking');
    this.#status = new BusStatus(descriptor.status);
    this.#line = this.#ring.attachSequence(descriptor.line);
    this.#gating = descriptor.gatingLine >= 0 ? this.#ring.attachSequence(descriptor.gatingLine) : null;
    this.#ceiling = this.#ring.attachSequence(descriptor.ceilingLine);
  }

  /** The line as this writer last set it. */
  sequence(): number {
    return this.#line.get();
  }

  /** The ring's cursor now (for lag figures). */
  cursor(): number {
    return this.#ring.getCursor();
  }

  /** The journal's durable sequence now. */
  durable(): number {
    return this.#ceiling.read(this.#line.get());
  }

  /**
   * Moves the line to `sequence`, or to the journal's durable sequence if that is lower; never
   * back. Returns the line's value afterwards (below `sequence` when the journal is behind: call
   * again later).
   */
  advance(sequence: number): number {
    const current = this.#line.get();
    const ceiling = this.#ceiling.read(current);
    const target = sequence < ceiling ? sequence : ceiling;
    if (target > current) {
      this.#line.set(target);
      if (this.#gating !== null) this.#gating.set(target - this.descriptor.gatingOffset);
      this.#ring.signalProgress();
    }
    return this.#line.get();
  }

  /** Whether the bus has halted (for any reason). */
  halted(): boolean {
    return this.#status.haltReason() !== 0;
  }

  /**
   * Halts the bus because `source` (e.g. 'replication') stopped with the coded error `code`:
   * publishers then throw RINGBUS_ERR_BUS_HALTED whose message names it and whose `cause` is a
   * RingbusError with that code and `detail` (haltError.ts).
   */
  fail(source: string, code: string, detail: string): void {
    this.halt(progressSourceMessage(source, code, detail));
  }

  /** Halts the bus with `message` (the first halt wins); every blocked publisher and stage wakes. */
  halt(message: string): void {
    if (this.#status.tryHalt(HALT_PROGRESS_SOURCE, -1, -1, this.#line.get(), message))
      this.#ring.halt(HALT_PROGRESS_SOURCE);
  }
}
