/**
 * The built-in journal handler: appends every sequence of the ring (events, and also control and
 * void slots, so the journal has no gaps) to the data directory's segment files, commits at the
 * end of each batch, and publishes the journal's DURABLE SEQUENCE on its own line of the ring's
 * control block (options.durableLine). Stages placed after `bus.journal` gate on that line, not
 * on this stage's processed sequence, so under every policy they see only what the policy calls
 * durable (see docs/persistence.md):
 *   - 'batch': commit() writes and fdatasyncs everything of the batch before the durable line
 *     moves. Group commit: while this thread is blocked in fdatasync, what producers publish
 *     accumulates in the ring and is written and synced by the next single commit.
 *   - { everyMs }: commit() writes; the durable line moves after each fdatasync, done at a batch
 *     end or by onIdle once everyMs has passed since the last one (onIdle is called when due under
 *     every wait strategy: see WorkerLoop).
 *   - 'none': the durable line moves once the records are written to the OS (a process crash
 *     keeps them; a power loss may not).
 *
 * Replay: records the journal already holds (sequence ≤ options.skipThrough) are not appended
 * again; they are durable already, so the durable line follows them. onEvent allocates nothing
 * (bytes are copied into the writer's reusable buffer).
 */
import { defineHandler } from '../../processing/Handler.js';
import { SLOT_HEADER_BYTES } from '../../layout/RingBufferDescriptor.js';
import { JournalWriter } from '../JournalWriter.js';
import type { FsyncPolicy } from '../fsyncPolicy.js';
import type { RecoveredTail } from '../journalRecovery.js';
import { JournalSyncStats } from '../JournalSyncStats.js';

export interface JournalHandlerOptions {
  readonly dataDir: string;
  readonly fsync: FsyncPolicy;
  readonly segmentBytes?: number;
  readonly fingerprint: string;
  readonly eventName: string;
  readonly payloadSize: number;
  readonly epochMs: number;
  /** Last sequence already in the journal (-1: none): replayed records up to it are skipped. */
  readonly skipThrough: number;
  /** Do not write at all (replay / time travel on a journal that must not change). */
  readonly readOnly?: boolean;
  /** The tail the bus's recovery already repaired (saves the writer a second scan). */
  readonly recoveredTail?: RecoveredTail;
  /** Sequence line of the ring where the durable sequence is published (-1: none). */
  readonly durableLine: number;
  /** JournalSyncStats buffer (sync count, latency, group sizes), read by bus.metrics(). */
  readonly syncStats?: SharedArrayBuffer;
}

export default defineHandler<never, JournalHandlerOptions>((ctx) => {
  const o = ctx.options;
  const ring = ctx.ring;
  const durable = o.durableLine >= 0 ? ring.attachSequence(o.durableLine) : null;
  /** Moves the durable line to `sequence` (if it is ahead) and wakes stages gated on it. */
  const publishDurable = (sequence: number): void => {
    if (durable !== null && sequence > durable.get()) {
      durable.set(sequence);
      ring.signalProgress();
    }
  };
  if (o.readOnly)
    return {
      receivesAllKinds: true,
      onEvent(_event: unknown, sequence: number, endOfBatch: boolean) {
        if (endOfBatch) publishDurable(sequence); // what is replayed is in the journal already
      },
    };
  const writer = JournalWriter.open(o.dataDir, {
    fingerprint: o.fingerprint,
    eventName: o.eventName,
    payloadSize: o.payloadSize,
    epochMs: o.epochMs,
    fsync: o.fsync,
    ...(o.segmentBytes !== undefined ? { segmentBytes: o.segmentBytes } : {}),
    ...(o.recoveredTail ? { recoveredTail: o.recoveredTail } : {}),
    ...(o.syncStats ? { syncStats: new JournalSyncStats(o.syncStats) } : {}),
  });
  const bytes = new Uint8Array(ring.buffer);
  const skipThrough = o.skipThrough;
  const payloadSize = o.payloadSize;
  const periodic = typeof o.fsync === 'object';
  let pending = false;
  return {
    receivesAllKinds: true,
    onEvent(event: any, sequence: number, endOfBatch: boolean) {
      if (sequence > skipThrough) {
        writer.append(
          sequence,
          event.$timestamp,
          event.$kind,
          event.$aux,
          bytes,
          event.$base + SLOT_HEADER_BYTES,
          payloadSize,
        );
        pending = true;
      }
      if (endOfBatch) {
        if (pending) {
          writer.commit();
          pending = false;
        }
        publishDurable(sequence <= skipThrough ? sequence : writer.durableSequence());
      }
    },
    // only the periodic policy has timed work: the others are durable at each batch end
    ...(periodic
      ? {
          onIdle(): number {
            writer.tick();
            publishDurable(writer.durableSequence());
            return writer.msUntilSyncDue();
          },
        }
      : {}),
    onShutdown() {
      writer.commit();
      writer.sync();
      publishDurable(writer.durableSequence());
      writer.close();
    },
  };
});
