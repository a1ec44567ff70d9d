/**
 * The producer's pacing in the pipeline scenario (main thread): event i goes out at
 * start + i/rate, whatever happened to the ones before (coordinated-omission-free load).
 */
import type { Worker } from 'node:worker_threads';
import type { RingBuffer, RingBus } from '../../src/index.js';
import { spin } from '../lib/latencyTools.js';
import type { PipelineFlyweight } from './pipelineEvent.js';

/** The first event is scheduled this long after a run starts. */
const LEAD_NS = 200_000;

/**
 * Before each event the producer spins until its scheduled time, reading the clock only near
 * the deadline: while more than PACE_MARGIN_NS remain it spins without reading it (`spin`,
 * calibrated per run), so a wait of 10 µs costs a few clock reads rather than hundreds. Two
 * loops, one per transport, each calling its clock and its send directly: a shared loop over
 * callbacks would box every double the clock returns (an allocation per read, and a scavenge
 * every few ms on the producer that lands in the tail).
 */
const PACE_MARGIN_NS = 1_000;

export interface Paced {
  readonly startNs: number;
  readonly maxLateNs: number;
}

/** Publishes `n` events into the bus at `rate`, stamping each with its scheduled time. Allocation-free per event. */
export function paceRing(
  bus: RingBus<PipelineFlyweight>,
  n: number,
  rate: number,
  run: number,
  spinPerNs: number,
): Paced {
  const ring = bus.ring;
  const interval = 1e9 / rate;
  const arg = pacedArg;
  arg.run = run;
  const startNs = ring.now() + LEAD_NS;
  let maxLateNs = 0;
  for (let i = 0; i < n; i++) {
    const scheduled = startNs + i * interval;
    let t = ring.now();
    while (t < scheduled) {
      if (scheduled - t > PACE_MARGIN_NS) spin((scheduled - t - PACE_MARGIN_NS) * spinPerNs);
      t = ring.now();
    }
    if (t - scheduled > maxLateNs) maxLateNs = t - scheduled;
    arg.value = i;
    arg.scheduledNs = scheduled;
    bus.publishWith(translatePaced, arg);
  }
  return { startNs, maxLateNs };
}

const pacedArg = { value: 0, scheduledNs: 0, run: 0 };
function translatePaced(e: PipelineFlyweight, _sequence: number, x: typeof pacedArg): void {
  e.value = x.value;
  e.scheduledNs = x.scheduledNs;
  e.run = x.run;
}

/** Posts `n` scheduled times (ns on `clock`, a ring shared with the worker) to `worker` at `rate`. */
export function pacePostMessage(worker: Worker, n: number, rate: number, clock: RingBuffer, spinPerNs: number): Paced {
  const interval = 1e9 / rate;
  const startNs = clock.now() + LEAD_NS;
  let maxLateNs = 0;
  for (let i = 0; i < n; i++) {
    const scheduled = startNs + i * interval;
    let t = clock.now();
    while (t < scheduled) {
      if (scheduled - t > PACE_MARGIN_NS) spin((scheduled - t - PACE_MARGIN_NS) * spinPerNs);
      t = clock.now();
    }
    if (t - scheduled > maxLateNs) maxLateNs = t - scheduled;
    worker.postMessage(scheduled);
  }
  return { startNs, maxLateNs };
}
