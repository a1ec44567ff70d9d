/**
 * The built-in journal handler: appends every sequence of the ring (events, and also control and
 * void slots, so the journal has no gaps) to the data directory's segment files, and commits at
 * the end of each batch.
 *
 * Durability contract (see docs/persistence.md):
 *   - fsync 'batch': commit() fsyncs before the batch returns, and the processor publishes the
 *     journal stage's sequence only after that. So a sequence is durable once the journal stage
 *     has passed it; a stage placed after the journal (an "ack" stage) only ever sees durable
 *     events.
 *   - fsync { everyMs }: commit() writes at batch end and fsyncs when everyMs has passed since
 *     the last fsync; an idle worker fsyncs within ~everyMs + 50 ms (onIdle). Passing the journal
 *     stage means written to the OS, durable at most everyMs later.
 *   - fsync 'none': written to the OS at batch end; the OS decides when it reaches the disk.
 *
 * Replay: records the journal already holds (sequence ≤ options.skipThrough) are not appended
 * again. onEvent allocates nothing (bytes are copied into the writer's reusable buffer).
 */
import { defineHandler } from '../../processing/Handler.js';
import { SLOT_HEADER_BYTES } from '../../layout/RingBufferDescriptor.js';
import { JournalWriter, type FsyncPolicy } from '../JournalWriter.js';
import type { RecoveredTail } from '../journalRecovery.js';

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
}

export default defineHandler<never, JournalHandlerOptions>((ctx) => {
  const o = ctx.options;
  if (o.readOnly) return { receivesAllKinds: true, onEvent() {} };
  const writer = JournalWriter.open(o.dataDir, {
    fingerprint: o.fingerprint,
    eventName: o.eventName,
    payloadSize: o.payloadSize,
    epochMs: o.epochMs,
    fsync: o.fsync,
    ...(o.segmentBytes !== undefined ? { segmentBytes: o.segmentBytes } : {}),
    ...(o.recoveredTail ? { recoveredTail: o.recoveredTail } : {}),
  });
  const bytes = new Uint8Array(ctx.ring.buffer);
  const skipThrough = o.skipThrough;
  const payloadSize = o.payloadSize;
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
      if (endOfBatch && pending) {
        writer.commit();
        pending = false;
      }
    },
    onIdle() {
      writer.tick();
    },
    onShutdown() {
      writer.commit();
      writer.sync();
      writer.close();
    },
  };
});
