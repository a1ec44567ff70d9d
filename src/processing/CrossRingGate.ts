import { RingBuffer } from '../core/RingBuffer.js';
import type { Sequence } from '../core/Sequence.js';
import { RingbusError } from '../errors.js';
import type { CrossRingGateInit } from '../runtime/protocol.js';
import type { Flyweight } from '../schema/defineEvent.js';

/** How long a worker whose stage waits at a gate parks per idle step (ms): the upstream ring does not wake it. */
export const GATE_POLL_MS = 0.5;

/**
 * A cross-ring dependency seen from the downstream stage (BusGroup.after): the event at hand
 * names a sequence of another ring in one of its fields, and may be processed only once the
 * named upstream stage of that ring has passed it (for the journal: once it is durable).
 *
 * `admits(event)` reads the field and compares it with the upstream sequence it last saw; only
 * when the event is ahead of that does it load the upstream line again. The upstream ring's
 * progress does not wake this ring's waiters, so a worker whose stage is held here parks in short
 * slices (GATE_POLL_MS) instead of blocking; a halt of either ring still ends the wait at once
 * (the group halts every ring of a group when one halts).
 *
 * Hot path: allocation-free (one keyed load of a number field, one Atomics.load when behind).
 * Thread-safety: one gate per processor, on the processor's thread.
 */
export class CrossRingGate {
  readonly ringName: string;
  readonly upstream: string;
  readonly field: string;
  readonly #sequence: Sequence;
  /** Highest upstream sequence seen so far (never moves back). */
  #passed: number;

  constructor(init: CrossRingGateInit, event: Flyweight) {
    if (!(init.field in event))
      throw new RingbusError(
        'RINGBUS_ERR_TOPOLOGY',
        `cross-ring gate: the event has no field '${init.field}' to read the '${init.ringName}' sequence from`,
      );
    this.ringName = init.ringName;
    this.upstream = init.upstream;
    this.field = init.field;
    const ring = RingBuffer.attach(init.ring);
    this.#sequence = ring.attachSequence(init.line);
    this.#passed = this.#sequence.read(ring.getCursor());
  }

  /** Whether the upstream stage has passed the sequence `event` names. Allocation-free. */
  admits(event: Flyweight): boolean {
    const wanted = (event as unknown as Record<string, number>)[this.field]!;
    if (wanted <= this.#passed) return true;
    const now = this.#sequence.read(this.#passed);
    if (now > this.#passed) this.#passed = now;
    return wanted <= now;
  }

  /** The upstream stage's sequence now (for handlers that audit the gate: HandlerContext.gate). */
  upstreamSequence(): number {
    const now = this.#sequence.read(this.#passed);
    if (now > this.#passed) this.#passed = now;
    return now;
  }
}
