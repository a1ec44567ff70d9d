import type * as hdr from 'hdr-histogram-js';
import type { RingBuffer } from '../core/RingBuffer.js';
import { KIND_EVENT } from '../layout/RingBufferDescriptor.js';
import type { Flyweight } from '../schema/defineEvent.js';
import { encodeHistogram, MAX_TRACKABLE, newHistogram, recordClamped } from './histograms.js';

/** One handler's metrics as a worker reports them (histograms encoded). */
export interface HandlerMetricsReport {
  readonly name: string;
  readonly events: number;
  readonly batches: number;
  readonly latency: string;
  readonly batchSizes: string;
}

/**
 * Records, in the handler's own worker, per-batch and per-event metrics: events processed,
 * batch sizes, and the latency from each event's publish timestamp to the moment this stage
 * finished the batch holding it (one clock read per batch). Reading them is on demand
 * (`report`), off the hot path. Recording allocates nothing.
 */
export class HandlerMetricsRecorder {
  readonly name: string;
  readonly #latency: hdr.Histogram = newHistogram(MAX_TRACKABLE, true);
  readonly #batchSizes: hdr.Histogram = newHistogram(1 << 30, true);
  #events = 0;
  #batches = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** Called after a batch lo…hi. `event` is a scratch flyweight the processor owns. */
  recordBatch(ring: RingBuffer, event: Flyweight, lo: number, hi: number): void {
    const now = ring.now();
    let events = 0;
    for (let s = lo; s <= hi; s++) {
      event.$wrap(ring.slotOffset(s));
      if (event.$kind === KIND_EVENT) {
        recordClamped(this.#latency, now - event.$timestamp);
        events++;
      }
    }
    this.#events += events;
    this.#batches++;
    recordClamped(this.#batchSizes, hi - lo + 1, 1 << 30);
  }

  /** Encodes the current state for the main thread. Allocates. */
  report(): HandlerMetricsReport {
    return {
      name: this.name,
      events: this.#events,
      batches: this.#batches,
      latency: encodeHistogram(this.#latency),
      batchSizes: encodeHistogram(this.#batchSizes),
    };
  }
}
