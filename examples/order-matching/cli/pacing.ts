/**
 * The producer loop: publishes the seeded exchange command flow (exchange/exchangeFlow.ts) flat out (as fast as back-pressure allows)
 * or paced at a fixed rate, and tells the latency probes when each order was due.
 *
 * Paced mode: order i is due at start + i / rate. The producer publishes every order that is due
 * and, when ahead, waits: it sleeps (Atomics.wait) while the next order is more than 200 µs away
 * and spins on the clock for the rest, because a sleep overshoots by tens of µs. Latency counts
 * from the due time, not from the moment the order was actually published, so a producer held up
 * by a full ring or by the machine is charged to the orders it delayed (coordinated omission
 * corrected). Flat out, the due time is the moment just before the publish.
 *
 * Paced, the producer is also the run's hiccup meter: the gaps between its clock reads while it
 * spins (producerHiccups.ts) show what the machine took from a spinning thread during the run.
 *
 * The loop gives the event loop a turn every few ms (signals, periodic snapshots and the progress
 * bar run there) and stops as soon as `stop.requested` is set. Allocation-free per order apart
 * from those turns (and the clock read when the native addon is missing).
 */
import type { HiccupInfo, RingBus } from '../../../src/index.js';
import { exchangeFlowTranslator, type ExchangeFlow } from '../exchange/exchangeFlow.js';
import type { LatencyProbes } from './latencyProbe.js';
import { ProducerHiccups } from './producerHiccups.js';

export interface PublishPlan {
  /** Orders to publish (Infinity: until the duration ends or a stop). */
  readonly orders: number;
  /** Orders/s; null: flat out. */
  readonly rate: number | null;
  /** Stop after this many seconds (null: no limit). */
  readonly durationSec: number | null;
}

export interface StopSignal {
  requested: boolean;
}

export interface PublishResult {
  readonly published: number;
  /** From the first due time to the last publish, in s. */
  readonly seconds: number;
  readonly stoppedBy: 'orders' | 'duration' | 'signal';
  /** Paced: how late the last order went out (its publish − its due time), in ns; 0 flat out. */
  readonly behindNs: number;
  /** Paced: the producer thread's hiccups while it ran (producerHiccups.ts); null flat out. */
  readonly hiccups: HiccupInfo | null;
}

const SLEEP_ABOVE_NS = 200_000;
const TURN_EVERY_NS = 5_000_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Publishes per `plan`; calls `progress(published)` on each event-loop turn. */
export async function publishOrders(
  bus: RingBus,
  flow: ExchangeFlow,
  probes: LatencyProbes,
  plan: PublishPlan,
  stop: StopSignal,
  progress: (published: number) => void,
): Promise<PublishResult> {
  const ring = bus.ring;
  const { reportOut, durableAck } = probes;
  const translator = exchangeFlowTranslator as never;
  const start = ring.now();
  const end = plan.durationSec === null ? Infinity : start + plan.durationSec * 1e9;
  const period = plan.rate === null ? 0 : 1e9 / plan.rate;
  let nextTurn = start + TURN_EVERY_NS;
  let i = 0;
  let stoppedBy: PublishResult['stoppedBy'] = 'orders';
  let last = start;
  const hiccups = period === 0 ? null : new ProducerHiccups();
  let previousRead = start;
  let ownGap = true; // the gap before the next read is the producer's own doing (a sleep, a turn)
  while (i < plan.orders) {
    const now = ring.now();
    if (hiccups !== null && !ownGap) hiccups.observe(now - previousRead);
    ownGap = false;
    previousRead = now;
    if (now >= nextTurn) {
      progress(i);
      await turn();
      nextTurn = ring.now() + TURN_EVERY_NS;
      ownGap = true;
    }
    if (stop.requested) {
      stoppedBy = 'signal';
      break;
    }
    if (now >= end) {
      stoppedBy = 'duration';
      break;
    }
    const due = period === 0 ? now : start + i * period;
    if (due > now) {
      const wait = due - now;
      if (wait > SLEEP_ABOVE_NS) {
        Atomics.wait(sleeper, 0, 0, Math.min(wait - SLEEP_ABOVE_NS / 2, nextTurn - now) / 1e6);
        ownGap = true;
      }
      continue; // spin on the clock for the last stretch
    }
    reportOut.harvest();
    durableAck.harvest();
    const seq = bus.publishWith(translator, flow);
    reportOut.expect(seq, due);
    durableAck.expect(seq, due);
    i++;
    last = due;
  }
  progress(i);
  const finished = ring.now();
  return {
    published: i,
    seconds: (finished - start) / 1e9,
    stoppedBy,
    behindNs: period === 0 || i === 0 ? 0 : Math.max(0, finished - last),
    hiccups: hiccups?.info() ?? null,
  };
}
