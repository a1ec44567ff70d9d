/**
 * The relay's publishes in flight (JournalRelay.#ship): a ring of up to `capacity` records with
 * consecutive journal sequences, oldest first. The relay refills it while acks come in, so it never
 * idles waiting for a whole batch of acks (lockstep batches left it waiting about a third of the
 * time), and confirms outcomes strictly from the oldest.
 *
 * Each slot keeps what confirming needs: the message body (compared with the stream's bytes when
 * the publish was refused or de-duplicated), when it was sent (ack latency, timeouts) and, once
 * settled, the stream's ack or the failure. Acks arrive through settle() by sequence; one waiter at
 * a time (the relay) waits for the oldest. A window lives for one shipping run: after an error the
 * relay resumes with a new one and late acks for the old one are dropped (JournalRelay).
 */

/** The stream's answer to a stored (or de-duplicated) publish. */
export interface StreamAck {
  /** Stream sequence of the message. */
  readonly seq: number;
  /** The stream already held a message with this Nats-Msg-Id; nothing was stored. */
  readonly duplicate: boolean;
}

export class PublishWindow {
  readonly capacity: number;
  readonly #bodies: (Uint8Array | null)[];
  readonly #sentAt: Float64Array;
  readonly #acks: (StreamAck | null)[];
  readonly #failures: (Error | null)[];
  #head = 0;
  #size = 0;
  #oldestSequence: number;
  #wake: (() => void) | null = null;

  constructor(capacity: number, firstSequence: number) {
    this.capacity = capacity;
    this.#oldestSequence = firstSequence;
    this.#bodies = new Array<Uint8Array | null>(capacity).fill(null);
    this.#sentAt = new Float64Array(capacity);
    this.#acks = new Array<StreamAck | null>(capacity).fill(null);
    this.#failures = new Array<Error | null>(capacity).fill(null);
  }

  get size(): number {
    return this.#size;
  }

  get free(): number {
    return this.capacity - this.#size;
  }

  /** Sequence of the oldest publish (of the next one pushed, when empty). */
  get oldestSequence(): number {
    return this.#oldestSequence;
  }

  /** Sequence the next push() must carry. */
  get nextSequence(): number {
    return this.#oldestSequence + this.#size;
  }

  /** Adds the newest publish (sequence nextSequence), sent at `sentAt` (performance.now()). */
  push(body: Uint8Array, sentAt: number): void {
    const slot = (this.#head + this.#size) % this.capacity;
    this.#bodies[slot] = body;
    this.#sentAt[slot] = sentAt;
    this.#acks[slot] = null;
    this.#failures[slot] = null;
    this.#size++;
  }

  /**
   * Records the outcome of the publish of `sequence`: an ack, or a failure (refused, no answer).
   * Returns when it was sent, or -1 when the sequence is not in flight or already settled (a late
   * or repeated answer, ignored).
   */
  settle(sequence: number, ack: StreamAck | null, failure: Error | null): number {
    const offset = sequence - this.#oldestSequence;
    if (!(offset >= 0 && offset < this.#size)) return -1;
    const slot = (this.#head + offset) % this.capacity;
    if (this.#acks[slot] !== null || this.#failures[slot] !== null) return -1;
    this.#acks[slot] = ack;
    this.#failures[slot] = ack === null ? (failure ?? new Error(`publish of sequence ${sequence} failed`)) : null;
    if (offset === 0 && this.#wake !== null) {
      const wake = this.#wake;
      this.#wake = null;
      wake();
    }
    return this.#sentAt[slot]!;
  }

  /** Whether the oldest publish has its ack or its failure. */
  oldestIsSettled(): boolean {
    return this.#size > 0 && (this.#acks[this.#head] !== null || this.#failures[this.#head] !== null);
  }

  /** Resolves once the oldest publish is settled (one waiter at a time; never rejects). */
  oldestSettled(): Promise<void> {
    if (this.oldestIsSettled()) return Promise.resolve();
    return new Promise((resolve) => (this.#wake = resolve));
  }

  oldestBody(): Uint8Array {
    return this.#bodies[this.#head]!;
  }

  /** The oldest publish's ack, or null when it failed (see oldestFailure). */
  oldestAck(): StreamAck | null {
    return this.#acks[this.#head]!;
  }

  oldestFailure(): Error | null {
    return this.#failures[this.#head]!;
  }

  /** When the oldest publish was sent (performance.now()); only while size > 0. */
  oldestSentAt(): number {
    return this.#sentAt[this.#head]!;
  }

  /** Drops the oldest publish (confirmed). */
  shift(): void {
    const slot = this.#head;
    this.#bodies[slot] = null;
    this.#acks[slot] = null;
    this.#failures[slot] = null;
    this.#head = (slot + 1) % this.capacity;
    this.#size--;
    this.#oldestSequence++;
  }
}
