import type { EventTranslator, RingBuffer, RingDescriptor } from '../core/RingBuffer.js';
import { RingBuffer as Ring } from '../core/RingBuffer.js';
import { INSUFFICIENT_CAPACITY } from '../core/sequenceMath.js';
import type { WaitStrategyOptions } from '../core/WaitStrategy.js';
import { RingbusError } from '../errors.js';
import { BusStatus } from '../runtime/BusStatus.js';
import type { Flyweight } from '../schema/defineEvent.js';
import { haltError } from './haltError.js';

/** What a gateway worker needs to publish into a running bus (structured-cloneable). */
export interface PublisherDescriptor {
  readonly ring: RingDescriptor;
  readonly status: SharedArrayBuffer;
}

/**
 * Publishes into a bus's ring and refuses once the bus has halted: a publish on a halted bus —
 * or one that was blocked on a full ring when the bus halted — throws the halt error
 * (RINGBUS_ERR_WORKER_DIED / RINGBUS_ERR_HANDLER_FAILED / RINGBUS_ERR_BUS_HALTED) naming the
 * worker or handler and the cause, instead of blocking.
 *
 * Thread-safety: as the ring's producer type: with 'single', one publishing thread in total
 * (the main thread or one gateway worker). The per-event cost over the ring is one Atomics.load
 * of the halt word; allocation-free.
 */
export class BusPublisher<F extends Flyweight = Flyweight> {
  readonly ring: RingBuffer<F>;
  readonly #status: BusStatus;
  #closedReason: (() => Error) | null = null;

  constructor(ring: RingBuffer<F>, status: BusStatus) {
    this.ring = ring;
    this.#status = status;
  }

  /** Attaches to a running bus from another thread (a gateway worker). */
  static attach<F extends Flyweight = Flyweight>(
    descriptor: PublisherDescriptor,
    waitStrategy?: WaitStrategyOptions,
  ): BusPublisher<F> {
    return new BusPublisher(Ring.attach<F>(descriptor.ring, waitStrategy), new BusStatus(descriptor.status));
  }

  /** Refuses publishing with `error()` until reopened (used by the bus before start / after stop). */
  close(error: () => Error): void {
    this.#closedReason = error;
  }
  open(): void {
    this.#closedReason = null;
  }

  #check(): void {
    if (this.#closedReason !== null) throw this.#closedReason();
    if (this.#status.haltReason() !== 0) throw haltError(this.#status);
  }

  #rethrow(error: unknown): never {
    if (error instanceof RingbusError && error.code === 'RINGBUS_ERR_ALERTED') throw haltError(this.#status, error);
    throw error;
  }

  /** Validates, then publishes one event (waits while the ring is full). Returns its sequence. */
  publishEvent(values: Record<string, unknown>): number {
    this.#check();
    try {
      return this.ring.publishEvent(values);
    } catch (error) {
      return this.#rethrow(error);
    }
  }

  /** As publishEvent; returns -1 at once when the ring is full. */
  tryPublishEvent(values: Record<string, unknown>): number {
    this.#check();
    return this.ring.tryPublishEvent(values);
  }

  /** As publishEvent; throws RINGBUS_ERR_PUBLISH_TIMEOUT when no slot frees up in time. */
  publishEventWithTimeout(values: Record<string, unknown>, timeoutMs: number): number {
    this.#check();
    try {
      return this.ring.publishEventWithTimeout(values, timeoutMs);
    } catch (error) {
      return this.#rethrow(error);
    }
  }

  /** Validates all, publishes them as one batch. Returns the last sequence. */
  publishEvents(batch: readonly Record<string, unknown>[]): number {
    this.#check();
    try {
      return this.ring.publishEvents(batch);
    } catch (error) {
      return this.#rethrow(error);
    }
  }

  /** Zero-allocation publish through a translator (no validation). */
  publishWith<A>(translator: EventTranslator<F, A>, arg: A): number {
    this.#check();
    try {
      return this.ring.publishWith(translator, arg);
    } catch (error) {
      return this.#rethrow(error);
    }
  }

  /** Publishes a control slot (snapshot / state-hash marker). Returns its sequence. */
  publishControl(code: number): number {
    this.#check();
    try {
      return this.ring.publishControl(code);
    } catch (error) {
      return this.#rethrow(error);
    }
  }

  /** As publishWith; returns -1 (INSUFFICIENT_CAPACITY) at once when the ring is full. */
  tryPublishWith<A>(translator: EventTranslator<F, A>, arg: A): number {
    this.#check();
    const seq = this.ring.tryPublishWith(translator, arg);
    return seq === INSUFFICIENT_CAPACITY ? INSUFFICIENT_CAPACITY : seq;
  }
}
