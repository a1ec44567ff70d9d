/**
 * The pinger's loops of the ping-pong scenario (main thread), one per transport so that each
 * call site stays monomorphic: send a ping stamped with the ring's clock (RingBuffer.now()), wait
 * (spinning with the ring's wait strategy) for its pong, record now - sentNs on the same clock. One ping in flight at a time;
 * every pong's id is checked. Allocation-free per round trip.
 */
import type * as hdr from 'hdr-histogram-js';
import type { RingBuffer, RingBus, Sequence, SequenceBarrier } from '../../src/index.js';
import { recordNs } from '../lib/latencyTools.js';
import { RAW_CELL, type PingFlyweight } from './pingPongEvent.js';

/**
 * `n` round trips over the rings, ids from `firstId`; records into `h` unless null. Returns the
 * elapsed ms. Allocation-free per round trip.
 */
export function pingRings(
  ping: RingBuffer<PingFlyweight>,
  pong: RingBuffer<PingFlyweight>,
  pongSeq: Sequence,
  pongBarrier: SequenceBarrier,
  firstId: number,
  n: number,
  h: hdr.Histogram | null,
): number {
  const out = ping.flyweight();
  let next = pongSeq.get() + 1;
  const t0 = performance.now();
  for (let id = firstId, end = firstId + n; id < end; id++) {
    const s = ping.next();
    out.$wrap(ping.slotOffset(s));
    out.id = id;
    out.sentNs = ping.now();
    ping.publish(s);
    const available = pongBarrier.waitFor(next);
    const now = ping.now();
    if (available < next) throw new Error(`ping-pong: the pong ring was halted at round trip ${id}`);
    const back = pong.get(next);
    if (back.id !== id) throw new Error(`ping-pong: pong ${next} carries id ${back.id}, expected ${id}`);
    const rttNs = now - back.sentNs;
    pongSeq.set(next);
    pong.signalProgress();
    next++;
    if (h !== null) recordNs(h, rttNs);
  }
  return performance.now() - t0;
}

/**
 * `n` raw round trips (the machine's limit, no library), ids firstId+1 … firstId+n (0 is the
 * cells' initial value): the same loop as
 * pingRings without the rings: stamp the clock, Atomics.store the id into `ping`, spin on
 * Atomics.load of `pong` until the ponger echoes it, read the clock. One Int32 cell each way, each
 * in its own SharedArrayBuffer (as each ring's cursor is), timed on the same clock. Records into
 * `h` unless null; returns the elapsed ms. Allocation-free per round trip.
 */
export function pingRaw(
  ping: Int32Array,
  pong: Int32Array,
  clock: RingBuffer<PingFlyweight>,
  firstId: number,
  n: number,
  h: hdr.Histogram | null,
): number {
  const t0 = performance.now();
  for (let id = firstId + 1, end = firstId + n; id <= end; id++) {
    const sent = clock.now();
    Atomics.store(ping, RAW_CELL, id);
    while (Atomics.load(pong, RAW_CELL) !== id);
    const now = clock.now();
    if (h !== null) recordNs(h, now - sent);
  }
  return performance.now() - t0;
}

const busArg: { id: number; clock: RingBuffer<PingFlyweight> | null } = { id: 0, clock: null };
function stampPing(e: PingFlyweight, _sequence: number, a: typeof busArg): void {
  e.id = a.id;
  e.sentNs = a.clock!.now();
}

/**
 * `n` round trips through a RingBus: bus.publishWith the ping, wait on the outbound ring the
 * bus's handler answers on; timed with the pong ring's clock. Returns the elapsed ms.
 */
export function pingBus(
  bus: RingBus<PingFlyweight>,
  pong: RingBuffer<PingFlyweight>,
  pongSeq: Sequence,
  pongBarrier: SequenceBarrier,
  firstId: number,
  n: number,
  h: hdr.Histogram | null,
): number {
  let next = pongSeq.get() + 1;
  busArg.clock = pong;
  const t0 = performance.now();
  for (let id = firstId, end = firstId + n; id < end; id++) {
    busArg.id = id;
    bus.publishWith(stampPing, busArg);
    const available = pongBarrier.waitFor(next);
    const now = pong.now();
    if (available < next) throw new Error(`ping-pong (RingBus): the pong ring was halted at round trip ${id}`);
    const back = pong.get(next);
    if (back.id !== id) throw new Error(`ping-pong (RingBus): pong ${next} carries id ${back.id}, expected ${id}`);
    const rttNs = now - back.sentNs;
    pongSeq.set(next);
    pong.signalProgress();
    next++;
    if (h !== null) recordNs(h, rttNs);
  }
  return performance.now() - t0;
}
