import type { HandlerMetricsReport } from './HandlerMetricsRecorder.js';
import { mergeEncoded, percentiles, type Percentiles } from './histograms.js';

export interface HandlerMetrics {
  readonly worker: string;
  /** Last sequence the handler finished. */
  readonly sequence: number;
  /** Events published but not yet finished by this handler. */
  readonly lag: number;
  readonly eventsProcessed: number;
  readonly batches: number;
  /** Batch sizes the handler was given. */
  readonly batchSize: Percentiles;
  /** ns from the producer's publish timestamp to this stage finishing the event's batch. */
  readonly latencyNs: Percentiles;
}

export interface BusMetrics {
  readonly cursor: number;
  readonly handlers: Readonly<Record<string, HandlerMetrics>>;
  /** With persistence: written and durable sequences, syncs, sync latency and group sizes. */
  readonly journal?: {
    readonly writtenSequence: number;
    readonly durableSequence: number;
    readonly syncs: number;
    readonly syncLatencyNs: Percentiles;
    readonly groupSize: Percentiles;
  };
}

/** Merges worker reports with the sequences read from shared memory. Allocates: on demand only. */
export function buildMetrics(
  cursor: number,
  handlers: ReadonlyArray<{ name: string; worker: string; sequence: number }>,
  reports: readonly HandlerMetricsReport[],
): BusMetrics {
  const out: Record<string, HandlerMetrics> = {};
  for (const h of handlers) {
    const r = reports.filter((x) => x.name === h.name);
    const latency = mergeEncoded(r.map((x) => x.latency).filter((x) => x !== ''));
    const batchSizes = mergeEncoded(
      r.map((x) => x.batchSizes).filter((x) => x !== ''),
      1 << 30,
    );
    out[h.name] = {
      worker: h.worker,
      sequence: h.sequence,
      lag: Math.max(0, cursor - h.sequence),
      eventsProcessed: r.reduce((a, x) => a + x.events, 0),
      batches: r.reduce((a, x) => a + x.batches, 0),
      batchSize: percentiles(batchSizes),
      latencyNs: percentiles(latency),
    };
  }
  return { cursor, handlers: out };
}
