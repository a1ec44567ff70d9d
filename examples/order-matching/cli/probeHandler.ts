/**
 * A latency probe stage (see latencyProbe.ts, which places it): for every live command it reaches,
 * it records when this stage saw the command done — one clock read per batch, at its end, so
 * every command of a batch gets the time the whole batch was done — into shared memory the
 * producer reads back. Per slot `seq & mask`: `doneNs` (ring clock, comparable across threads)
 * and a tag `seq | 0` stored last with Atomics.store, so the producer never reads a time before
 * it is written. Stateless (no snapshot, no part of the state hash); does nothing on replay or
 * without a buffer (as `ringbus replay` rebuilds it: the shared buffer is not recorded in
 * manifest.json). onEvent allocates nothing (the clock read may box one number per batch when
 * the native addon is missing).
 */
import { defineHandler } from '../../../src/processing/Handler.js';
import type { OrderCommandFlyweight } from '../events.js';

export interface ProbeOptions {
  /** Float64Array doneNs[size] followed by Int32Array tag[size]; size a power of two. */
  readonly buffer?: SharedArrayBuffer;
  readonly size?: number;
}

export default defineHandler<OrderCommandFlyweight, ProbeOptions>((ctx) => {
  const { buffer, size } = ctx.options ?? {};
  if (!(buffer instanceof SharedArrayBuffer) || typeof size !== 'number') return { onEvent() {} };
  const done = new Float64Array(buffer, 0, size);
  const tag = new Int32Array(buffer, size * 8, size);
  const mask = size - 1;
  const ring = ctx.ring;
  let first = -1; // first live sequence of the batch in progress
  return {
    onEvent(_event, sequence, endOfBatch) {
      if (!ctx.isReplay(sequence) && first < 0) first = sequence;
      if (!endOfBatch || first < 0) return;
      const now = ring.now();
      for (let s = first; s <= sequence; s++) {
        done[s & mask] = now;
        Atomics.store(tag, s & mask, s | 0); // publishes done[s] to the producer
      }
      first = -1;
    },
  };
});
