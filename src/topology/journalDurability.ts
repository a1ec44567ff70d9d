/**
 * The bus side of the journal's durable sequence: one sequence line of the ring's control block
 * (its own 128-byte line, see layout/RingBufferDescriptor.ts) that only the journal handler moves,
 * when records are durable under the fsync policy. Stages placed after `bus.journal` take that line
 * as their upstream instead of the journal stage's processed sequence.
 */
import type { RingBuffer } from '../core/RingBuffer.js';
import type { Sequence } from '../core/Sequence.js';
import { JournalSyncStats, type SyncPercentiles } from '../persistence/JournalSyncStats.js';
import type { HandlerRef } from './HandlerRef.js';

/** The journal's figures in bus.metrics(). */
export interface JournalMetrics {
  /** Last sequence the journal stage wrote (handed to the OS). */
  readonly writtenSequence: number;
  /** Last sequence durable under the fsync policy: what stages after bus.journal may see. */
  readonly durableSequence: number;
  /** fdatasync calls that made records durable. */
  readonly syncs: number;
  /** ns per fdatasync (log-linear buckets: a percentile reads at most 12.5 % high). */
  readonly syncLatencyNs: SyncPercentiles;
  /** Records made durable per fdatasync (group commit). */
  readonly groupSize: SyncPercentiles;
}

export class JournalDurability {
  readonly durable: Sequence;
  readonly stats = new JournalSyncStats();
  readonly #journal: HandlerRef;
  readonly #written: Sequence;

  /** Allocates the durable line (at the ring's start, like every stage's sequence). */
  constructor(ring: RingBuffer, journal: HandlerRef, journalSequence: Sequence) {
    this.durable = ring.newSequence();
    this.#journal = journal;
    this.#written = journalSequence;
  }

  /** The line a stage reads for its upstream `d`: the durable line in place of the journal's own. */
  upstreamLine(d: HandlerRef, lineOf: (h: HandlerRef) => number): number {
    return d === this.#journal ? this.durable.line : lineOf(d);
  }

  /** What the journal handler needs in its options. */
  handlerOptions(): { durableLine: number; syncStats: SharedArrayBuffer } {
    return { durableLine: this.durable.line, syncStats: this.stats.buffer };
  }

  metrics(reference: number): JournalMetrics {
    return {
      writtenSequence: this.#written.read(reference),
      durableSequence: this.durable.read(reference),
      syncs: this.stats.syncs,
      syncLatencyNs: this.stats.latencyNs(),
      groupSize: this.stats.groupSize(),
    };
  }
}
