/**
 * pipeline: one producer → three stages (a → b → c) at a FIXED offered rate; end-to-end latency
 * from each event's scheduled send time to stage c finishing it (the Disruptor's
 * OneToThreePipelineSequencedThroughputTest, measured for latency).
 *
 *     main thread (producer, cpu 0)          bus worker 'handlers' (cpu 1, busy-spin | yielding | phased)
 *     ┌───────────────────────────┐  ring   ┌──────────────────────────────────────────────┐
 *     │ spin until t0 + i/rate,   │ ──────▶ │ a: a = 3v+1 ─▶ b: b = 2a ─▶ c: c = b+7       │
 *     │ publishWith(v, scheduled) │         │ (each its own sequence; same batch, no hop)  │
 *     └───────────────────────────┘         │ c records now - scheduled (HDR, per run)     │
 *                                           └──────────────────────────────────────────────┘
 *     baseline, same shape and threads:  main ── postMessage(scheduled) ──▶ worker 1 runs a, b, c
 *     peer, same shape and threads:      main ── pool.run(scheduled) ──▶ piscina's one thread runs a, b, c
 *
 * Coordinated omission: event i is scheduled at t0 + i/rate; the producer spins until then and
 * publishes, stamping the SCHEDULED time into the event. Latency is measured from that time,
 * not from the actual send: if the producer falls behind (a full ring, a slow postMessage, a
 * preempted thread), the delay counts against the figure instead of silently thinning the
 * offered load. The ring version also records the uncorrected latency (from the publish
 * timestamp) to show the difference.
 *
 * Shape: the bus's default placement on 2 cores (every handler on one worker, the producer on
 * the main thread); the baseline runs the same three stages in order in one worker fed by
 * postMessage, so both use the same two threads and one hop. Handlers run with metrics off
 * (stage c measures itself). Main is pinned to CPU 0 and the worker to CPU 1 when the addon
 * loads; both spin (the producer on the clock between events), two spinning threads on two cores.
 * The ring runs once per wait strategy of its worker: busy-spin (the pick when every spinning
 * thread has its own core), yielding and phased (the picks when they outnumber the free cores),
 * so the table shows what each costs; the rows name the strategy and the CPUs.
 * A hiccup sampler thread (lib/hiccupThread.ts, sleeping) runs beside the runs at each rate.
 * The runs live in lib/pipelineRuns.ts, the producer's pacing loops in workers/pipelinePacing.ts
 * (piscina's in lib/piscinaRuns.ts), the stages in workers/pipelineStage.ts, the baseline's
 * worker in workers/pipelinePostMessage.ts, piscina's task in workers/piscinaTask.ts.
 */
import { DEFAULT_WORKER, hiccupNote, measureHiccups, type HiccupInfo, type WaitStrategyType } from '../../src/index.js';
import type { LatencySummary } from '../lib/histogram.js';
import { clockNote, measureClock, type ClockInfo } from '../lib/clockCost.js';
import { latencyRatios } from '../lib/latencyTools.js';
import { machineInfo } from '../lib/machine.js';
import type { BenchOptions } from '../lib/options.js';
import { describePlacement, tryPin } from '../lib/placement.js';
import { formatNs, formatRate, type BenchReport, type BenchResult } from '../lib/report.js';
import {
  piscinaRuns,
  postMessageRuns,
  PRODUCER_CPU,
  ringRuns,
  type Plan,
  type RunFigures,
} from '../lib/pipelineRuns.js';

/** Target: the ring pipeline's p99 at least this many times below postMessage's at the same rate. */
const TARGET_P99_RATIO = 50;
/** The handler worker's wait strategies measured: busy-spin, and what a user picks with fewer free cores than spinning threads. */
const WAITS: readonly WaitStrategyType[] = ['busy-spin', 'yielding', 'phased'];

export interface PipelineResult extends BenchResult {
  readonly latencyNs: LatencySummary;
  /** Achieved rate: events / (last finish at stage c - first scheduled time). */
  readonly eventsPerSec: number;
  readonly offeredPerSec: number;
  /** How far behind schedule the producer got, at most (ns). */
  readonly producerMaxLateNs: number;
  /** Ring only: latency from the actual publish timestamp (not corrected for coordinated omission). */
  readonly uncorrectedLatencyNs?: LatencySummary;
  /** Against the postMessage pipeline at the same offered rate. */
  readonly ratiosVsBaseline?: { readonly p50: number; readonly p99: number };
  /** Involuntary context switches of the process during the timed runs (preemptions). */
  readonly involuntaryContextSwitches: number;
  /** p99 of each timed run on its own (latencyNs merges them): how much the tail moves between runs. */
  readonly p99ByRunNs: readonly number[];
}

export interface PipelineReport extends BenchReport {
  readonly results: readonly PipelineResult[];
  readonly baseline: PipelineResult;
  /** The postMessage pipeline at every offered rate (`baseline` is the first). */
  readonly baselines: readonly PipelineResult[];
  readonly clock: ClockInfo;
  /** The platform's floor: gaps a lone spinning thread saw on the producer's CPU before the runs. */
  readonly hiccups: HiccupInfo;
  readonly coordinatedOmission: string;
  readonly targets: { readonly minP99RatioVsBaseline: number; readonly met: Readonly<Record<string, boolean>> };
}

/** "100k/s", "1M/s". */
function rateLabel(rate: number): string {
  return rate >= 1e6 && rate % 1e6 === 0
    ? `${rate / 1e6}M/s`
    : rate >= 1e3 && rate % 1e3 === 0
      ? `${rate / 1e3}k/s`
      : `${rate}/s`;
}

function toResult(
  name: string,
  f: RunFigures,
  reps: number,
  detail: string,
  baseline?: RunFigures,
  baselineName?: string,
  peer?: { readonly name: string; readonly f: RunFigures },
): PipelineResult {
  const ratios = baseline ? latencyRatios(baseline.latency, f.latency) : undefined;
  const peerRatio = peer ? latencyRatios(peer.f.latency, f.latency) : undefined;
  return {
    name,
    latencyNs: f.latency,
    histogram: f.histogram,
    hiccups: f.hiccups,
    eventsPerSec: f.achieved,
    offeredPerSec: f.rate,
    producerMaxLateNs: f.maxLateNs,
    involuntaryContextSwitches: f.switches,
    p99ByRunNs: f.p99ByRun,
    ...(f.uncorrected ? { uncorrectedLatencyNs: f.uncorrected } : {}),
    ...(ratios && baselineName
      ? {
          ratioVsBaseline: ratios.p50,
          ratiosVsBaseline: ratios,
          ratios: { [baselineName]: ratios.p50, ...(peer && peerRatio ? { [peer.name]: peerRatio.p50 } : {}) },
        }
      : {}),
    events: f.events,
    reps,
    detail: `${ratios ? `${detail}; vs postMessage @${rateLabel(f.rate)}: p99 ${ratios.p99.toFixed(0)}× lower` : detail}; ${f.switches} preemptions`,
  };
}

export async function run(options: BenchOptions): Promise<PipelineReport> {
  const rates = options.quick ? [20_000, 100_000] : [100_000, 500_000, 1_000_000];
  const seconds = options.quick ? 0.05 : 1;
  const minEvents = options.quick ? 2_000 : 200_000;
  const plan: Plan = {
    rates,
    eventsAt: (rate) => options.events ?? Math.max(minEvents, Math.round(rate * seconds)),
    reps: options.reps ?? (options.quick ? 1 : 3),
    warmup: options.quick ? 2_000 : 200_000,
  };
  const machine = machineInfo(); // before pinning: availableParallelism follows this thread's affinity
  const clock = measureClock(options.quick ? 100_000 : 500_000);
  const meterCpu = tryPin(PRODUCER_CPU);
  const hiccups = await measureHiccups(options.quick ? 100 : 1000);

  // yielding and phased (and piscina) run fewer repetitions unless --full: they answer "which
  // strategy to pick", busy-spin's figures answer the targets
  const sidePlan: Plan = { ...plan, reps: options.full ? plan.reps : 1 };
  const piscinaMax = options.quick ? 2_000 : options.full ? 200_000 : 50_000;
  const post = await postMessageRuns(plan);
  const pool = await piscinaRuns(sidePlan, piscinaMax);
  const ringByWait: Array<{ wait: WaitStrategyType; reps: number; r: Awaited<ReturnType<typeof ringRuns>> }> = [];
  for (const wait of WAITS) {
    const p = wait === 'busy-spin' ? plan : sidePlan;
    ringByWait.push({ wait, reps: p.reps, r: await ringRuns(p, wait) });
  }
  const ring = ringByWait[0]!.r; // busy-spin: the producer's placement is the same in every strategy

  const baselines = post.runs.map((f) =>
    toResult(
      `postMessage @${rateLabel(f.rate)}`,
      f,
      plan.reps,
      'main → worker 1 (a → b → c in order), one message per event',
    ),
  );
  const peers = pool.runs.map((f) =>
    toResult(
      `piscina @${rateLabel(f.rate)}`,
      f,
      sidePlan.reps,
      `main → 1-thread pool, pool.run(due) per event (a → b → c in the task); ≤ ${piscinaMax} events per run`,
    ),
  );
  const results = ringByWait.flatMap(({ wait, reps, r }) =>
    r.runs.map((f, i) =>
      toResult(
        `ring ${wait} @${rateLabel(f.rate)}`,
        f,
        reps,
        `RingBus a → b → c on one worker @cpu${r.workerCpu ?? '?'} waiting ${wait}, producer @cpu${r.producerCpu ?? '?'} spinning on the clock, metrics off`,
        post.runs[i],
        baselines[i]!.name,
        { name: peers[i]!.name, f: pool.runs[i]! },
      ),
    ),
  );
  const met = Object.fromEntries(results.map((r) => [r.name, r.ratiosVsBaseline!.p99 >= TARGET_P99_RATIO]));
  const coordinatedOmission =
    "latency is measured from each event's SCHEDULED send time (t0 + i/rate), not its actual send time, so a producer held back (full ring, slow send, preemption) counts against the figure (coordinated omission corrected)";
  return {
    scenario: 'pipeline',
    results,
    baseline: baselines[0]!,
    baselines,
    peers,
    machine,
    placement: describePlacement([
      {
        role: 'producer',
        thread: 'main',
        cpu: ring.producerCpu,
        wait: 'spins on the clock between events; busy-spin on a full ring',
      },
      ...ringByWait.map(({ wait, r }) => ({
        role: `stages a → b → c (ring ${wait})`,
        thread: `bus worker '${DEFAULT_WORKER}' (a fresh bus per strategy)`,
        cpu: r.workerCpu,
        wait,
      })),
      { role: 'stages a → b → c (postMessage)', thread: 'worker 1', cpu: post.workerCpu, wait: 'event loop' },
      {
        role: 'stages a → b → c (piscina)',
        thread: 'piscina worker',
        cpu: pool.workerCpu,
        wait: "piscina's (Atomics.wait between tasks)",
      },
    ]),
    clock,
    hiccups,
    coordinatedOmission,
    targets: { minP99RatioVsBaseline: TARGET_P99_RATIO, met },
    notes: [
      coordinatedOmission,
      `events per run: ${rates.map((r) => `${plan.eventsAt(r)} @${rateLabel(r)}`).join(', ')}, ${plan.reps} run(s) per rate (their histograms merged) after ${plan.warmup} warm-up events @${rateLabel(rates[0]!)}; every stage result is checked (c = 6·value + 9)`,
      `preemptions = involuntary context switches of the process during the timed runs (getrusage); a preempted producer or worker stalls the pipeline for milliseconds, which the coordinated-omission correction charges to every event scheduled meanwhile`,
      `events/s = achieved rate (events / (last finish at stage c - first scheduled time), the lowest of the runs); ratios = postMessage (or piscina) @ the same offered rate / ring`,
      `wait strategies: the bus worker waits busy-spin (${plan.reps} run(s) per rate), yielding and phased (${sidePlan.reps} run(s) per rate${options.full ? '' : '; --full runs as many as busy-spin'}): with both threads pinned to their own CPU busy-spin is the pick; yielding and phased are what to pick when spinning threads outnumber free cores, and their rows show what they cost here`,
      `piscina: a one-thread pool pinned to the worker's CPU, pool.run(due) per event, the producer giving the event loop a turn while ahead of schedule (piscina needs it to dispatch and to hand results back); ${sidePlan.reps} run(s) per rate of at most ${piscinaMax} events`,
      ...peers.map(
        (b) =>
          `piscina @${rateLabel(b.offeredPerSec)}: p50 ${formatNs(b.latencyNs.p50)}, p99 ${formatNs(b.latencyNs.p99)}, max ${formatNs(b.latencyNs.max)}, achieved ${formatRate(b.eventsPerSec)}, producer ≤ ${formatNs(b.producerMaxLateNs)} late`,
      ),
      ...baselines.map(
        (b) =>
          `postMessage @${rateLabel(b.offeredPerSec)}: p50 ${formatNs(b.latencyNs.p50)}, p99 ${formatNs(b.latencyNs.p99)}, p99.9 ${formatNs(b.latencyNs.p999)}, max ${formatNs(b.latencyNs.max)}, achieved ${formatRate(b.eventsPerSec)}, producer ≤ ${formatNs(b.producerMaxLateNs)} late, ${b.involuntaryContextSwitches} preemptions`,
      ),
      ...results.map(
        (r) =>
          `${r.name} uncorrected (from the actual publish): p50 ${formatNs(r.uncorrectedLatencyNs!.p50)}, p99 ${formatNs(r.uncorrectedLatencyNs!.p99)}, max ${formatNs(r.uncorrectedLatencyNs!.max)}; producer ≤ ${formatNs(r.producerMaxLateNs)} late`,
      ),
      `p99 of each run on its own (the table merges the runs): ${[...results, ...baselines].map((r) => `${r.name} ${r.p99ByRunNs.map(formatNs).join(' / ')}`).join('; ')}`,
      `clocks: producer and stage c (and the baseline's worker) read RingBuffer.now() of one ring: the same monotonic clock in every thread, each thread's reading mapped onto the shared performance.now() timeline; worker time origins ${ringByWait.every((x) => x.r.sameClock) && post.sameClock && pool.sameClock ? 'equal' : 'DIFFER from'} the main thread's`,
      clockNote(clock),
      `${hiccupNote(hiccups, `main @cpu${meterCpu ?? '?'}`)}; a stalled producer or worker delays every event scheduled meanwhile, so the corrected percentiles above ${(100 - hiccups.lostPercent).toFixed(1)} % are set by these gaps, not by the ring`,
      `target: ring p99 ≥ ${TARGET_P99_RATIO}× below postMessage at the same rate: ${Object.entries(met)
        .map(([k, v]) => `${k} ${v ? 'met' : 'missed'}`)
        .join(', ')}`,
    ],
    quick: options.quick,
  };
}
