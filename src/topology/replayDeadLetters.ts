import { RingbusError } from '../errors.js';
import { readDeadLetters, type DeadLetter } from '../persistence/DeadLetterWriter.js';
import { moduleUrl } from './HandlerRef.js';
import { RingBuffer } from '../core/RingBuffer.js';
import type { EventType, Flyweight } from '../schema/defineEvent.js';
import type { HandlerContext, HandlerModule } from '../processing/Handler.js';
import { describeError } from '../processing/ExceptionPolicy.js';
import { KIND_EVENT, SLOT_HEADER_BYTES } from '../layout/RingBufferDescriptor.js';

export interface DeadLetterReplayResult {
  /** Dead letters the handler now processed without throwing. */
  readonly succeeded: readonly number[];
  /** Those that failed again, with the new error. */
  readonly failed: ReadonlyArray<{ readonly sequence: number; readonly message: string }>;
  /** The handler's snapshot() after the replay, when it has one. */
  readonly state: unknown;
}

/**
 * Replays the events of a dead-letter file (written by the 'skip' policy) through a handler —
 * typically the fixed version of the one that failed — on the calling thread, in the order they
 * were recorded, with their original sequence numbers and timestamps. Events are rebuilt from the
 * recorded bytes in a private one-slot ring, so the handler reads them through the usual
 * flyweight. Off the hot path: allocates freely.
 *
 * ```ts
 * const r = await replayDeadLetters({
 *   path: '/data/dead-letters/risk.dlq',
 *   event: Order,
 *   module: new URL('./risk-fixed.js', import.meta.url),
 * });
 * ```
 */
export async function replayDeadLetters<F extends Flyweight>(o: {
  path: string;
  event: EventType<F>;
  module: URL | string;
  options?: unknown;
  /** Only letters recorded for this handler name (default: all). */
  handlerName?: string;
  /** State to restore into the handler before replaying (e.g. from a snapshot). */
  restore?: unknown;
}): Promise<DeadLetterReplayResult> {
  const letters: DeadLetter[] = readDeadLetters(o.path).filter(
    (l) => o.handlerName === undefined || l.handlerName === o.handlerName,
  );
  const url = moduleUrl(o.module, 'replayDeadLetters: module');
  const mod = (await import(url)) as { default?: HandlerModule<F> };
  if (mod.default?.kind !== 'ringbus-handler')
    throw new RingbusError(
      'RINGBUS_ERR_HANDLER_MODULE',
      `replayDeadLetters: ${url} must export default defineHandler(factory)`,
    );
  const ring = new RingBuffer<F>({ capacity: 2, event: o.event });
  const context: HandlerContext = {
    name: o.handlerName ?? 'dead-letter-replay',
    workerName: 'main',
    options: o.options,
    ring: ring as unknown as RingBuffer<Flyweight>,
    isReplay: () => true,
    outbound() {
      throw new RingbusError(
        'RINGBUS_ERR_TOPOLOGY',
        'replayDeadLetters: outbound rings are not available while replaying dead letters',
      );
    },
  };
  const handler = mod.default.factory(context as HandlerContext<never>);
  if (o.restore !== undefined) handler.restore?.(o.restore as never);
  await handler.onStart?.();
  const u8 = new Uint8Array(ring.buffer);
  const event = ring.flyweight();
  const succeeded: number[] = [];
  const failed: { sequence: number; message: string }[] = [];
  for (const l of letters) {
    event.$wrap(ring.slotOffset(0));
    const start = event.$base + SLOT_HEADER_BYTES;
    u8.fill(0, start, start + o.event.payloadSize);
    u8.set(l.payload.subarray(0, o.event.payloadSize), start);
    event.$timestamp = l.timestampNs;
    event.$kind = l.kind || KIND_EVENT;
    event.$aux = l.aux;
    try {
      handler.onEvent(event, l.sequence, true);
      succeeded.push(l.sequence);
    } catch (error) {
      failed.push({ sequence: l.sequence, message: describeError(error).message });
    }
  }
  await handler.onShutdown?.();
  return { succeeded, failed, state: handler.snapshot?.() };
}
