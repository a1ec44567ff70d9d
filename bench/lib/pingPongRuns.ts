/**
 * The measured runs of the ping-pong scenario (scenarios/ping-pong.ts assembles the report): the
 * ring variants per wait strategy (two CPUs, or one CPU for both threads), the raw Atomics round
 * trip (the limit, same threads and harness), the postMessage baseline and the RingBus variant.
 * Each returns its latency summary, encoded histogram, round trips per second and preemptions.
 */
import type { Worker } from 'node:worker_threads';
import type * as hdr from 'hdr-histogram-js';
import { RingBuffer, RingBus, type HiccupInfo, type WaitStrategyType } from '../../src/index.js';
import type { LatencySummary } from './histogram.js';
import { createClockRing } from './clockCost.js';
import {
  awaitMessage,
  createRecordingHistogram,
  encodeHistogram,
  involuntarySwitches,
  recordNs,
  setAffinity,
  summarize,
} from './latencyTools.js';
import { tryPin } from './placement.js';
import { median } from './timing.js';
import { PingEvent, RAW_CELL, RAW_STOP, type PingFlyweight } from '../workers/pingPongEvent.js';
import { pingBus, pingRaw, pingRings } from '../workers/pingPongPinger.js';

export const PINGER_CPU = 0;
export const PONGER_CPU = 1;
export const CAPACITY = 64;

export interface Measured {
  readonly latency: LatencySummary;
  /** The histogram, encoded (lib/latencyTools.encodeHistogram). */
  readonly histogram: string;
  readonly perSec: number;
  readonly switches: number;
}

/** Warm-up, then `reps` timed runs of `n` round trips each, all recorded into one histogram. */
export function measureSync(
  warmup: number,
  n: number,
  reps: number,
  run: (firstId: number, n: number, h: hdr.Histogram | null) => number,
): Measured {
  const h = createRecordingHistogram();
  let id = 0;
  run(id, warmup, null);
  id += warmup;
  const rates: number[] = [];
  const switches0 = involuntarySwitches();
  for (let r = 0; r < reps; r++) {
    const ms = run(id, n, h);
    id += n;
    rates.push((n * 1000) / ms);
  }
  const switches = involuntarySwitches() - switches0;
  const latency = summarize(h);
  const histogram = encodeHistogram(h);
  h.destroy(); // frees the WebAssembly memory
  return { latency, histogram, perSec: median(rates), switches };
}

/** The low-level ring variant with one wait strategy, against the ponger worker. */
export async function ringVariant(
  worker: Worker,
  wait: WaitStrategyType,
  warmup: number,
  n: number,
  reps: number,
): Promise<Measured> {
  const ping = new RingBuffer<PingFlyweight>({ capacity: CAPACITY, event: PingEvent, waitStrategy: wait });
  const pong = new RingBuffer<PingFlyweight>({ capacity: CAPACITY, event: PingEvent, waitStrategy: wait });
  const pingSeq = ping.newSequence();
  ping.addGatingSequences(pingSeq);
  const pongSeq = pong.newSequence();
  pong.addGatingSequences(pongSeq);
  const pongBarrier = pong.newBarrier();
  const ready = awaitMessage(worker, 'ring-ready');
  const done = awaitMessage<{ count: number }>(worker, 'ring-done');
  done.catch(() => undefined); // awaited below; a failure before that must not go unhandled
  worker.postMessage({ cmd: 'ring', ping: ping.descriptor(), pong: pong.descriptor(), line: pingSeq.line });
  await ready;
  let measured: Measured;
  try {
    measured = measureSync(warmup, n, reps, (firstId, count, h) =>
      pingRings(ping, pong, pongSeq, pongBarrier, firstId, count, h),
    );
  } finally {
    ping.halt();
  }
  const { count } = await done;
  if (count !== warmup + n * reps)
    throw new Error(`ping-pong (${wait}): the ponger answered ${count} pings, expected ${warmup + n * reps}`);
  return measured;
}

/**
 * The machine's limit: the same pinger and ponger threads (main, worker 1, same CPUs), the same
 * harness (measureSync), warm-up, clock and histogram as the ring variants, but nothing between
 * them except one Int32 cell each way, both sides busy-spinning on Atomics.load. Whatever the
 * ring variants add to this is the library's cost, so this is a lower bound for each of them.
 */
export async function rawVariant(worker: Worker, warmup: number, n: number, reps: number): Promise<Measured> {
  const ping = new Int32Array(new SharedArrayBuffer(128));
  const pong = new Int32Array(new SharedArrayBuffer(128));
  const clock = new RingBuffer<PingFlyweight>({ capacity: CAPACITY, event: PingEvent, waitStrategy: 'busy-spin' });
  const ready = awaitMessage(worker, 'raw-ready');
  const done = awaitMessage<{ count: number }>(worker, 'raw-done');
  done.catch(() => undefined); // awaited below
  worker.postMessage({ cmd: 'raw', ping: ping.buffer, pong: pong.buffer });
  await ready;
  let measured: Measured;
  try {
    measured = measureSync(warmup, n, reps, (firstId, count, h) => pingRaw(ping, pong, clock, firstId, count, h));
  } finally {
    Atomics.store(ping, RAW_CELL, RAW_STOP);
  }
  const { count } = await done;
  if (count !== warmup + n * reps)
    throw new Error(`ping-pong (raw Atomics): the ponger answered ${count} pings, expected ${warmup + n * reps}`);
  return measured;
}

/**
 * The ring variants with both threads on ONE CPU (the pinger pins itself onto the ponger's CPU for
 * the run): what each wait strategy costs when spinning threads outnumber free cores. A busy-spinning
 * waiter then holds the CPU until the scheduler preempts it, so each round trip waits out a time
 * slice: busy-spin runs only a few hundred round trips. Empty when this thread cannot be pinned
 * (unpinned threads would float over both CPUs and measure something else).
 */
export async function sharedCpuVariants(
  worker: Worker,
  quick: boolean,
  sampled: <M>(measure: () => Promise<M>) => Promise<M & { hiccups: HiccupInfo }>,
): Promise<Array<{ wait: WaitStrategyType; n: number; m: Measured & { hiccups: HiccupInfo } }>> {
  const out = [];
  for (const wait of ['busy-spin', 'yielding', 'phased'] as const) {
    const n = wait === 'busy-spin' ? (quick ? 20 : 200) : quick ? 2_000 : 50_000;
    if (tryPin(PONGER_CPU) === null) return [];
    try {
      out.push({ wait, n, m: await sampled(() => ringVariant(worker, wait, Math.ceil(n / 10), n, 1)) });
    } finally {
      tryPin(PINGER_CPU);
    }
  }
  return out;
}

/**
 * `n` postMessage round trips (one message each way, carrying the send time on `clock`);
 * records into `h` unless null. Resolves with the elapsed ms.
 */
function pingPostMessage(worker: Worker, clock: RingBuffer, n: number, h: hdr.Histogram | null): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const t0 = performance.now();
    const onMessage = (m: unknown): void => {
      if (typeof m !== 'number') return;
      const now = clock.now();
      if (h !== null) recordNs(h, now - m);
      if (++done === n) {
        worker.off('message', onMessage);
        worker.off('error', onError);
        resolve(performance.now() - t0);
      } else {
        worker.postMessage(clock.now());
      }
    };
    const onError = (err: Error): void => {
      worker.off('message', onMessage);
      reject(err);
    };
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(clock.now());
  });
}

export async function postMessageBaseline(worker: Worker, warmup: number, n: number, reps: number): Promise<Measured> {
  const h = createRecordingHistogram();
  const clock = createClockRing();
  await pingPostMessage(worker, clock, warmup, null);
  const rates: number[] = [];
  const switches0 = involuntarySwitches();
  for (let r = 0; r < reps; r++) rates.push((n * 1000) / (await pingPostMessage(worker, clock, n, h)));
  const switches = involuntarySwitches() - switches0;
  const latency = summarize(h);
  const histogram = encodeHistogram(h);
  h.destroy();
  return { latency, histogram, perSec: median(rates), switches };
}

/** The RingBus variant: a handler on a pinned, busy-spinning bus worker answers on an outbound ring. */
export async function busVariant(
  warmup: number,
  n: number,
  reps: number,
): Promise<Measured & { workerCpu: number | null }> {
  const pong = new RingBuffer<PingFlyweight>({ capacity: CAPACITY, event: PingEvent, waitStrategy: 'busy-spin' });
  const pongSeq = pong.newSequence();
  pong.addGatingSequences(pongSeq);
  const pongBarrier = pong.newBarrier();
  // the bus checks worker CPUs against this thread's affinity: widen it while the bus starts
  setAffinity([PINGER_CPU, PONGER_CPU]);
  const bus = new RingBus<PingFlyweight>({
    event: PingEvent,
    capacity: CAPACITY,
    waitStrategy: 'busy-spin',
    metrics: false,
    workers: { pong: { cpu: PONGER_CPU, waitStrategy: 'busy-spin' } },
    outbound: { pong: pong.descriptor() },
  });
  bus.handleEventsWith(
    bus.handler('ponger', new URL('../workers/pingPongHandler.js', import.meta.url), { worker: 'pong' }),
  );
  await bus.start();
  try {
    tryPin(PINGER_CPU); // back onto the pinger's CPU (widened for start)
    const w = bus.placement().workers[0]!;
    const run = (firstId: number, count: number, h: hdr.Histogram | null): number =>
      pingBus(bus, pong, pongSeq, pongBarrier, firstId, count, h);
    const measured = measureSync(warmup, n, reps, run);
    return { ...measured, workerCpu: w.pinned ? PONGER_CPU : null };
  } finally {
    await bus.shutdown({ timeoutMs: 10_000 }).catch(() => bus.halt());
  }
}
