/**
 * ping-pong: round-trip latency between two threads over two rings (the Disruptor's
 * PingPongSequencedLatencyTest).
 *
 *     main thread: pinger (cpu 0)                              worker 1: ponger (cpu 1)
 *     ┌──────────────────────────────────┐  ring "ping" (64 slots)  ┌────────────────────────────┐
 *     │ sentNs = now · publish ping  ────────────────────────────────▶ waitFor ping              │
 *     │ waitFor pong · rtt = now - sentNs ◀──────────────────────────── publish pong (same sentNs)│
 *     └──────────────────────────────────┘  ring "pong" (64 slots)  └────────────────────────────┘
 *     baseline, same two threads:  main ── postMessage(sentNs) ──▶ worker 1 ── postMessage(sentNs) ──▶ main
 *
 * One ping in flight at a time. The pinger stamps its clock (RingBuffer.now()) into the ping right before
 * publishing it, the ponger copies it into the pong, and the pinger records now - sentNs when
 * the pong arrives, into an HDR histogram (ns). Warm-up round trips are not recorded.
 *
 * Variants:
 *   ring busy-spin     RingBuffer next/publish, SequenceBarrier.waitFor, busy-spin on both sides:
 *                      the ring's own cost, no bus lifecycle
 *   ring yielding      the same with the yielding strategy (spin 100 tries, then sched_yield)
 *   ring phased        the same with the phased strategy (spin, then yield, then block on a futex):
 *                      the choice when spinning threads outnumber free cores
 *   ring …, 1 CPU      busy-spin, yielding and phased with the pinger moved onto the ponger's CPU:
 *                      fewer free cores than spinning threads, which strategy to pick there
 *   RingBus busy-spin  bus.publishWith → a handler on a bus worker → ctx.outbound('pong')
 *                      .publishWith → the pinger's barrier on the outbound ring (metrics off):
 *                      what the bus adds (halt checks, processor loop, two timestamp stamps)
 *   postMessage        (baseline) one message each way, each side waiting in its event loop
 *   raw Atomics        (limit) no library: one Int32 cell each way, both sides spinning on
 *                      Atomics.load: the machine's own round trip, on the same two threads and
 *                      CPUs, with the same harness, clock and warm-up as the ring variants
 * A hiccup sampler thread (lib/hiccupThread.ts, sleeping, unpinned) runs beside every variant
 * and its gaps are reported with the variant.
 * Exactly two threads spin at any time (the bus variant's worker replaces worker 1, idle in its
 * event loop meanwhile, as is the bus's supervisor thread), pinned to CPUs 0 and 1 when the
 * native addon loads. The runs live in lib/pingPongRuns.ts, the pinger's loops in
 * workers/pingPongPinger.ts.
 */
import { Worker } from 'node:worker_threads';
import { hiccupNote, measureHiccups, type HiccupInfo } from '../../src/index.js';
import type { LatencySummary } from '../lib/histogram.js';
import { clockNote, measureClock, type ClockInfo } from '../lib/clockCost.js';
import { awaitMessage, latencyRatios } from '../lib/latencyTools.js';
import { machineInfo } from '../lib/machine.js';
import type { BenchOptions } from '../lib/options.js';
import { describePlacement, tryPin } from '../lib/placement.js';
import type { BenchReport, BenchResult } from '../lib/report.js';
import { withHiccups } from '../lib/hiccupThread.js';
import {
  busVariant,
  PINGER_CPU,
  PONGER_CPU,
  CAPACITY,
  postMessageBaseline,
  rawVariant,
  ringVariant,
  sharedCpuVariants,
  type Measured,
} from '../lib/pingPongRuns.js';

/** Targets for 'ring busy-spin' on a 2-core machine (see docs): p50, p99 and the ratio to postMessage. */
const TARGET_P50_NS = 300;
const TARGET_P99_NS = 1000;
const TARGET_RATIO = 100;
/** Target for 'ring busy-spin': its p50 at most this many times the raw Atomics round trip's p50. */
const TARGET_LIMIT_RATIO = 1.5;

/** A latency result with both ratios against the baseline. */
export interface LatencyResult extends BenchResult {
  readonly latencyNs: LatencySummary;
  /** Round trips per second (median over the repetitions). */
  readonly eventsPerSec: number;
  /** baseline p50 / this p50 and baseline p99 / this p99. */
  readonly ratiosVsBaseline?: { readonly p50: number; readonly p99: number };
  /** Involuntary context switches of the process during the timed runs (preemptions). */
  readonly involuntaryContextSwitches: number;
}

export interface PingPongReport extends BenchReport {
  readonly clock: ClockInfo;
  /** The platform's floor: gaps a lone spinning thread saw on the pinger's CPU before the runs. */
  readonly hiccups: HiccupInfo;
  /** The targets for 'ring busy-spin' and whether this run met them. */
  readonly targets: {
    readonly p50MaxNs: number;
    readonly p99MaxNs: number;
    readonly minRatioVsBaseline: number;
    /** Largest 'ring busy-spin' p50 ÷ raw Atomics p50 allowed, and the measured value. */
    readonly maxP50OverLimit: number;
    readonly p50OverLimit: number;
    readonly met: {
      readonly p50OverLimit: boolean;
      readonly p50: boolean;
      readonly p99: boolean;
      readonly ratioP50: boolean;
      readonly ratioP99: boolean;
    };
  };
}

function result(
  name: string,
  m: Measured & { hiccups?: HiccupInfo },
  baseline: LatencySummary,
  events: number,
  reps: number,
  detail: string,
): LatencyResult {
  const r = latencyRatios(baseline, m.latency);
  return {
    name,
    latencyNs: m.latency,
    histogram: m.histogram,
    hiccups: m.hiccups,
    eventsPerSec: m.perSec,
    ratioVsBaseline: r.p50,
    ratiosVsBaseline: r,
    involuntaryContextSwitches: m.switches,
    events,
    reps,
    detail: `${detail}; p99 ${r.p99.toFixed(0)}× lower; ${m.switches} preemptions`,
  };
}

export async function run(options: BenchOptions): Promise<PingPongReport> {
  const n = options.events ?? (options.quick ? 20_000 : 1_000_000);
  const reps = options.reps ?? (options.quick ? 1 : 3);
  const warmup = options.quick ? 5_000 : 200_000;
  const postN = options.quick ? 2_000 : Math.max(1_000, Math.ceil(n / 20));
  const postWarmup = options.quick ? 500 : 5_000;
  const machine = machineInfo(); // before pinning: availableParallelism follows this thread's affinity
  const clock = measureClock(options.quick ? 100_000 : 500_000);

  const worker = new Worker(new URL('../workers/pingPongPonger.js', import.meta.url), {
    workerData: { cpu: PONGER_CPU },
  });
  try {
    // start the worker first (a starting worker needs this thread's event loop), then pin this thread
    const { cpu: pongerCpu, nativeYield } = await awaitMessage<{ cpu: number | null; nativeYield: boolean }>(
      worker,
      'ready',
    );
    const pingerCpu = tryPin(PINGER_CPU);
    const hiccups = await measureHiccups(options.quick ? 100 : 1000);

    /** The measurement with the hiccups a sampler thread saw meanwhile. */
    const sampled = async <M>(measure: () => Promise<M>): Promise<M & { hiccups: HiccupInfo }> => {
      const { value, hiccups: h } = await withHiccups(measure);
      return { ...value, hiccups: h };
    };
    const post = await sampled(() => postMessageBaseline(worker, postWarmup, postN, reps));
    // the limit right before the ring variant it bounds, so both see the machine in the same state
    const raw = await sampled(() => rawVariant(worker, warmup, n, reps));
    const spin = await sampled(() => ringVariant(worker, 'busy-spin', warmup, n, reps));
    const yielding = await sampled(() => ringVariant(worker, 'yielding', warmup, n, reps));
    const phased = await sampled(() => ringVariant(worker, 'phased', warmup, n, reps));
    const bus = await sampled(() => busVariant(warmup, n, reps));
    // fewer free cores than spinning threads: the pinger moves onto the ponger's CPU, one run each
    const shared = await sharedCpuVariants(worker, options.quick, sampled);

    const baseline: LatencyResult = {
      name: 'postMessage',
      latencyNs: post.latency,
      histogram: post.histogram,
      hiccups: post.hiccups,
      eventsPerSec: post.perSec,
      involuntaryContextSwitches: post.switches,
      events: postN,
      reps,
      detail: 'one message each way (worker.postMessage / parentPort.postMessage)',
    };
    const results = [
      result('ring busy-spin', spin, post.latency, n, reps, 'RingBuffer + SequenceBarrier.waitFor, busy-spin'),
      result(
        'ring yielding',
        yielding,
        post.latency,
        n,
        reps,
        `yielding (100 spins, then ${nativeYield ? 'sched_yield' : '50 µs nap: no native addon'})`,
      ),
      result('ring phased', phased, post.latency, n, reps, 'phased (spin, then yield, then block on a futex)'),
      result('RingBus busy-spin', bus, post.latency, n, reps, 'bus.publishWith → handler → outbound ring, metrics off'),
      ...shared.map((v) => ({
        ...result(
          `ring ${v.wait}, 1 CPU`,
          v.m,
          post.latency,
          v.n,
          1,
          `${v.wait}, pinger and ponger both @cpu${PONGER_CPU}`,
        ),
        against: [], // the limit runs on two CPUs: no like-for-like comparison
      })),
    ];
    const limit: BenchResult = {
      name: 'raw Atomics round trip',
      latencyNs: raw.latency,
      histogram: raw.histogram,
      hiccups: raw.hiccups,
      eventsPerSec: raw.perSec,
      events: n,
      reps,
      detail:
        'Atomics.store / spin on Atomics.load, one Int32 cell each way, no library; same threads, CPUs, clock and harness',
    };
    const s = results[0]!;
    const overLimit = s.latencyNs.p50 / raw.latency.p50;
    const met = {
      p50OverLimit: overLimit <= TARGET_LIMIT_RATIO,
      p50: s.latencyNs.p50 <= TARGET_P50_NS,
      p99: s.latencyNs.p99 <= TARGET_P99_NS,
      ratioP50: s.ratiosVsBaseline!.p50 >= TARGET_RATIO,
      ratioP99: s.ratiosVsBaseline!.p99 >= TARGET_RATIO,
    };
    const wait = `busy-spin / yielding (rings), event loop (postMessage)`;
    return {
      scenario: 'ping-pong',
      results,
      baseline,
      limits: [limit],
      machine,
      placement: describePlacement([
        { role: 'pinger', thread: 'main', cpu: pingerCpu, wait },
        { role: 'ponger', thread: 'worker 1', cpu: pongerCpu, wait },
        { role: 'ponger (RingBus variant)', thread: "bus worker 'pong'", cpu: bus.workerCpu, wait: 'busy-spin' },
        ...(shared.length > 0
          ? [
              {
                role: 'pinger (1 CPU variants)',
                thread: 'main',
                cpu: PONGER_CPU,
                wait: 'busy-spin / yielding / phased',
              },
            ]
          : []),
      ]),
      clock,
      hiccups,
      targets: {
        p50MaxNs: TARGET_P50_NS,
        p99MaxNs: TARGET_P99_NS,
        minRatioVsBaseline: TARGET_RATIO,
        maxP50OverLimit: TARGET_LIMIT_RATIO,
        p50OverLimit: overLimit,
        met,
      },
      notes: [
        `latency = one round trip (ping out, pong back) timed on the pinger with ${clock.chosen}, recorded in an HDR histogram (ns, 3 digits); events/s = round trips per second (median of ${reps} runs)`,
        `${n} round trips per ring run × ${reps} after ${warmup} warm-up; postMessage ${postN} × ${reps} after ${postWarmup}; one ping in flight at a time; every pong's id is checked`,
        `preemptions = involuntary context switches of the process during the timed runs (getrusage): each one can put a multi-ms stall into the tail on a shared machine`,
        `'… , 1 CPU' rows: pinger and ponger pinned to the same CPU (fewer free cores than spinning threads), one run each (${shared.map((v) => `${v.wait} ${v.n}`).join(', ') || 'not run: this thread cannot be pinned'} round trips): busy-spin holds the CPU until the scheduler preempts it, so each round trip waits out a time slice; yielding hands the CPU over at once; phased yields, then blocks`,
        `exactly two threads spin at a time (worker 1 idles in its event loop during the RingBus variant, as does the bus's supervisor thread); ring capacity ${CAPACITY}`,
        clockNote(clock),
        hiccupNote(hiccups, `main @cpu${pingerCpu ?? '?'}`),
        `hiccups per variant: a sampler thread sleeping 1 ms at a time (jHiccup's method), unpinned, beside the two spinning threads: its oversleep beyond the timer's slack is time the machine held a runnable thread off a CPU; waking it costs a spinning thread a few µs per ms`,
        `ring busy-spin p50 ÷ raw Atomics p50 = ${overLimit.toFixed(2)}× (target ≤ ${TARGET_LIMIT_RATIO}×: ${met.p50OverLimit ? 'met' : 'missed'}); the raw round trip runs on the same two threads and CPUs as the ring variants, with the same harness, warm-up, clock and histogram, right before 'ring busy-spin'`,
        `ratios = postMessage figure / ring figure; target for ring busy-spin: p50 ≤ ${TARGET_P50_NS} ns (${met.p50 ? 'met' : 'missed'}), p99 ≤ ${TARGET_P99_NS} ns (${met.p99 ? 'met' : 'missed'}), ≥ ${TARGET_RATIO}× below postMessage at p50 (${met.ratioP50 ? 'met' : 'missed'}) and p99 (${met.ratioP99 ? 'met' : 'missed'})`,
      ],
      quick: options.quick,
    };
  } finally {
    await worker.terminate();
  }
}
