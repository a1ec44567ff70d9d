/**
 * The supervisor's stall watchdog. A handler stuck inside onEvent (an infinite loop, a lock that
 * never opens) would otherwise leave a producer parked on a full ring forever, with no thread
 * able to call shutdown(). The supervisor's event loop never blocks, so it polls every handler's
 * sequence: a handler of a running worker that has events waiting for it (its barrier — the
 * cursor or the handlers it follows — is ahead of it) and has not moved for `stallTimeoutMs`
 * halts the bus with HALT_STALLED, naming the handler and the last sequence it completed (a
 * handler publishes its sequence per batch, so the stuck event is in the batch after it). Halting
 * the ring wakes every blocked producer, which then throws RINGBUS_ERR_HANDLER_STALLED.
 *
 * A handler that is merely idle (nothing waiting) is never stalled. Cold path: a timer a few
 * times per timeout, reading a handful of Atomics words.
 */
import type { RingBuffer } from '../core/RingBuffer.js';
import type { Sequence } from '../core/Sequence.js';
import { HALT_STALLED, WORKER_RUNNING } from '../layout/BusStatusDescriptor.js';
import type { BusStatus } from '../runtime/BusStatus.js';
import type { WorkerInit } from '../runtime/protocol.js';

interface Watched {
  readonly name: string;
  readonly workerIndex: number;
  readonly handlerIndex: number;
  readonly own: Sequence;
  readonly dependsOn: readonly Sequence[];
  last: number;
  since: number;
}

/** Starts polling; returns the function that stops it (call it when the workers are gone). */
export function startStallWatchdog(
  ring: RingBuffer,
  status: BusStatus,
  workers: readonly WorkerInit[],
  stallTimeoutMs: number,
): () => void {
  if (!(stallTimeoutMs > 0)) return () => {};
  const now = performance.now();
  const watched: Watched[] = [];
  for (const w of workers)
    for (const h of w.handlers)
      watched.push({
        name: h.name,
        workerIndex: w.workerIndex,
        handlerIndex: h.index,
        own: ring.attachSequence(h.sequenceLine),
        dependsOn: h.dependsOnLines.map((line) => ring.attachSequence(line)),
        last: Number.NaN,
        since: now,
      });
  const check = (): void => {
    if (status.haltReason() !== 0) {
      clearInterval(timer);
      return;
    }
    const t = performance.now();
    const cursor = ring.getCursor();
    for (const h of watched) {
      const at = h.own.read(cursor);
      let available = cursor;
      for (const d of h.dependsOn) available = Math.min(available, d.read(cursor));
      const running = status.workerState(h.workerIndex) === WORKER_RUNNING;
      if (at !== h.last || at >= available || !running) {
        h.last = at;
        h.since = t;
        continue;
      }
      if (t - h.since < stallTimeoutMs) continue;
      const message =
        `handler '${h.name}' made no progress for ${Math.round(t - h.since)} ms (stallTimeoutMs ${stallTimeoutMs}) ` +
        `while events waited for it: it is stuck after sequence ${at} (events ${at + 1}..${available} wait for it)`;
      if (status.tryHalt(HALT_STALLED, h.workerIndex, h.handlerIndex, at + 1, message)) ring.halt(HALT_STALLED);
      clearInterval(timer);
      return;
    }
  };
  const timer = setInterval(check, Math.max(5, Math.min(1000, stallTimeoutMs / 4)));
  return () => clearInterval(timer);
}
