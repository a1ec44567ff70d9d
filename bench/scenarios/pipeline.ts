/**
 * pipeline: one producer → three stages (a → b → c) at a FIXED offered rate; end-to-end latency
 * from each event's scheduled send time to stage c finishing it (the Disruptor's
 * OneToThreePipelineSequencedThroughputTest, measured for latency).
 *
 *     main thread (producer, cpu 0)          bus worker 'handlers' (cpu 1, busy-spin)
 *     ┌───────────────────────────┐  ring   ┌──────────────────────────────────────────────┐
 *     │ spin until t0 + i/rate,   │ ──────▶ │ a: a = 3v+1 ─▶ b: b = 2a ─▶ c: c = b+7       │
 *     │ publishWith(v, scheduled) │         │ (each its own sequence; same batch, no hop)  │
 *     └───────────────────────────┘         │ c records now - scheduled (HDR, per run)     │
 *                                           └──────────────────────────────────────────────┘
 *     baseline, same shape and threads:  main ── postMessage(scheduled) ──▶ worker 1 runs a, b, c
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
 * A hiccup sampler thread (lib/hiccupThread.ts, sleeping) runs beside the runs at each rate.
 * The producer's pacing loops live in workers/pipelinePacing.ts, the stages in
 * workers/pipelineStage.ts, the baseline's worker in workers/pipelinePostMessage.ts.
 */
import { Worker } from 'node:worker_threads';
import { DEFAULT_WORKER, RingBus, hiccupNote, measureHiccups, type HiccupInfo } from '../../src/index.js';
import type { LatencySummary } from '../lib/histogram.js';
import { clockNote, createClockRing, measureClock, type ClockInfo } from '../lib/clockCost.js';
import {
  awaitMessage,
  involuntarySwitches,
  latencyRatios,
  mergeToEncoded,
  setAffinity,
  spinIterationsPerNs,
  summarizeEncoded,
} from '../lib/latencyTools.js';
import { machineInfo } from '../lib/machine.js';
import type { BenchOptions } from '../lib/options.js';
import { describePlacement, tryPin } from '../lib/placement.js';
import { formatNs, formatRate, type BenchReport, type BenchResult } from '../lib/report.js';
import { startHiccupSampler } from '../lib/hiccupThread.js';
import { PipelineEvent, type PipelineFlyweight } from '../workers/pipelineEvent.js';
import { pacePostMessage, paceRing } from '../workers/pipelinePacing.js';
import type { PipelineStageOptions, StageCSnapshot } from '../workers/pipelineStage.js';

const PRODUCER_CPU = 0;
const WORKER_CPU = 1;
/** Target: the ring pipeline's p99 at least this many times below postMessage's at the same rate. */
const TARGET_P99_RATIO = 50;

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

interface Plan {
  readonly rates: readonly number[];
  readonly eventsAt: (rate: number) => number;
  readonly reps: number;
  readonly warmup: number;
}

interface RunFigures {
  readonly rate: number;
  readonly events: number;
  readonly latency: LatencySummary;
  readonly uncorrected?: LatencySummary;
  readonly achieved: number;
  readonly maxLateNs: number;
  readonly switches: number;
  readonly p99ByRun: readonly number[];
  /** The runs' histograms merged, encoded. */
  readonly histogram: string;
  /** What a hiccup sampler thread saw during the runs at this rate. */
  readonly hiccups: HiccupInfo;
}

/** The postMessage pipeline at every rate (same worker throughout). */
async function postMessageRuns(
  plan: Plan,
): Promise<{ runs: RunFigures[]; workerCpu: number | null; sameClock: boolean }> {
  const clock = createClockRing();
  const worker = new Worker(new URL('../workers/pipelinePostMessage.js', import.meta.url), {
    workerData: { cpu: WORKER_CPU, clock: clock.descriptor() },
  });
  try {
    const ready = await awaitMessage<{ cpu: number | null; timeOrigin: number }>(worker, 'ready');
    tryPin(PRODUCER_CPU);
    const spinPerNs = spinIterationsPerNs();
    const one = async (
      run: number,
      n: number,
      rate: number,
    ): Promise<{ encoded: string; achieved: number; maxLateNs: number; switches: number }> => {
      const switches0 = involuntarySwitches();
      worker.postMessage({ cmd: 'run', run, n });
      const done = awaitMessage<{
        run: number;
        count: number;
        histogram: string;
        lastFinishNs: number;
        mismatches: number;
      }>(worker, 'run-done');
      done.catch(() => undefined);
      const { startNs, maxLateNs } = pacePostMessage(worker, n, rate, clock, spinPerNs);
      const d = await done;
      if (d.run !== run || d.count !== n || d.mismatches !== 0)
        throw new Error(
          `pipeline (postMessage) run ${run}: ${d.count} events, ${d.mismatches} wrong results, expected ${n} events`,
        );
      return {
        encoded: d.histogram,
        achieved: (n * 1e9) / (d.lastFinishNs - startNs),
        maxLateNs,
        switches: involuntarySwitches() - switches0,
      };
    };
    await one(0, plan.warmup, plan.rates[0]!);
    const runs: RunFigures[] = [];
    let run = 1;
    for (const rate of plan.rates) {
      const n = plan.eventsAt(rate);
      const reps = [];
      const sampler = await startHiccupSampler();
      for (let r = 0; r < plan.reps; r++) reps.push(await one(run++, n, rate));
      runs.push({
        hiccups: await sampler.stop(),
        histogram: mergeToEncoded(reps.map((x) => x.encoded)),
        rate,
        events: n,
        latency: summarizeEncoded(reps.map((x) => x.encoded)),
        p99ByRun: reps.map((x) => summarizeEncoded([x.encoded]).p99),
        achieved: Math.min(...reps.map((x) => x.achieved)),
        maxLateNs: Math.max(...reps.map((x) => x.maxLateNs)),
        switches: reps.reduce((a, x) => a + x.switches, 0),
      });
    }
    return { runs, workerCpu: ready.cpu, sameClock: ready.timeOrigin === performance.timeOrigin };
  } finally {
    await worker.terminate();
  }
}

/** The RingBus pipeline at every rate (one bus throughout). */
async function ringRuns(
  plan: Plan,
): Promise<{ runs: RunFigures[]; workerCpu: number | null; sameClock: boolean; producerCpu: number | null }> {
  const totalRuns = 1 + plan.rates.length * plan.reps;
  const stage = new URL('../workers/pipelineStage.js', import.meta.url);
  // the bus checks worker CPUs against this thread's affinity: widen it while the bus starts
  setAffinity([PRODUCER_CPU, WORKER_CPU]);
  const bus = new RingBus<PipelineFlyweight>({
    event: PipelineEvent,
    capacity: 65536,
    waitStrategy: 'busy-spin',
    metrics: false,
    workers: { [DEFAULT_WORKER]: { cpu: WORKER_CPU, waitStrategy: 'busy-spin' } },
  });
  const handler = (s: PipelineStageOptions['stage']) =>
    bus.handler(s, stage, { options: { stage: s, runs: totalRuns } satisfies PipelineStageOptions });
  bus.handleEventsWith(handler('a')).then(handler('b')).then(handler('c'));
  await bus.start();
  try {
    const producerCpu = tryPin(PRODUCER_CPU);
    const spinPerNs = spinIterationsPerNs();
    const one = async (
      run: number,
      n: number,
      rate: number,
    ): Promise<{ startNs: number; maxLateNs: number; switches: number }> => {
      const switches0 = involuntarySwitches();
      const r = paceRing(bus, n, rate, run, spinPerNs);
      await bus.drain({ timeoutMs: 60_000 }); // the next run starts on an empty ring
      return { ...r, switches: involuntarySwitches() - switches0 };
    };
    await one(0, plan.warmup, plan.rates[0]!);
    const paced: Array<{
      rate: number;
      n: number;
      runs: Array<{ run: number; startNs: number; maxLateNs: number; switches: number }>;
      hiccups: HiccupInfo;
    }> = [];
    let run = 1;
    for (const rate of plan.rates) {
      const n = plan.eventsAt(rate);
      const runs = [];
      const sampler = await startHiccupSampler();
      for (let r = 0; r < plan.reps; r++, run++) runs.push({ run, ...(await one(run, n, rate)) });
      paced.push({ rate, n, runs, hiccups: await sampler.stop() });
    }
    const cut = await bus.captureState({ timeoutMs: 30_000 });
    const c = cut.states.c as StageCSnapshot;
    if (c.mismatches !== 0 || c.outOfRange !== 0)
      throw new Error(
        `pipeline (ring): stage c saw ${c.mismatches} wrong results and ${c.outOfRange} events of unknown runs`,
      );
    if (c.runs[0]!.count !== plan.warmup)
      throw new Error(`pipeline (ring): stage c finished ${c.runs[0]!.count} warm-up events, expected ${plan.warmup}`);
    const runs: RunFigures[] = paced.map(({ rate, n, runs: rs, hiccups }) => {
      for (const { run: r } of rs)
        if (c.runs[r]!.count !== n)
          throw new Error(`pipeline (ring) run ${r}: stage c finished ${c.runs[r]!.count} events, expected ${n}`);
      return {
        rate,
        events: n,
        hiccups,
        histogram: mergeToEncoded(rs.map(({ run: r }) => c.runs[r]!.corrected)),
        latency: summarizeEncoded(rs.map(({ run: r }) => c.runs[r]!.corrected)),
        p99ByRun: rs.map(({ run: r }) => summarizeEncoded([c.runs[r]!.corrected]).p99),
        uncorrected: summarizeEncoded(rs.map(({ run: r }) => c.runs[r]!.uncorrected)),
        achieved: Math.min(...rs.map(({ run: r, startNs }) => (n * 1e9) / (c.runs[r]!.lastFinishNs - startNs))),
        maxLateNs: Math.max(...rs.map((x) => x.maxLateNs)),
        switches: rs.reduce((a, x) => a + x.switches, 0),
      };
    });
    const w = bus.placement().workers[0]!;
    return {
      runs,
      workerCpu: w.pinned ? WORKER_CPU : null,
      sameClock: c.timeOrigin === performance.timeOrigin,
      producerCpu,
    };
  } finally {
    await bus.shutdown({ timeoutMs: 30_000 }).catch(() => bus.halt());
  }
}

function toResult(
  name: string,
  f: RunFigures,
  reps: number,
  detail: string,
  baseline?: RunFigures,
  baselineName?: string,
): PipelineResult {
  const ratios = baseline ? latencyRatios(baseline.latency, f.latency) : undefined;
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
      ? { ratioVsBaseline: ratios.p50, ratiosVsBaseline: ratios, ratios: { [baselineName]: ratios.p50 } }
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

  const post = await postMessageRuns(plan);
  const ring = await ringRuns(plan);

  const baselines = post.runs.map((f) =>
    toResult(
      `postMessage @${rateLabel(f.rate)}`,
      f,
      plan.reps,
      'main → worker 1 (a → b → c in order), one message per event',
    ),
  );
  const results = ring.runs.map((f, i) =>
    toResult(
      `ring @${rateLabel(f.rate)}`,
      f,
      plan.reps,
      'RingBus a → b → c on one worker, busy-spin, metrics off',
      post.runs[i],
      baselines[i]!.name,
    ),
  );
  const met = Object.fromEntries(
    results.map((r) => [rateLabel(r.offeredPerSec), r.ratiosVsBaseline!.p99 >= TARGET_P99_RATIO]),
  );
  const coordinatedOmission =
    "latency is measured from each event's SCHEDULED send time (t0 + i/rate), not its actual send time, so a producer held back (full ring, slow send, preemption) counts against the figure (coordinated omission corrected)";
  return {
    scenario: 'pipeline',
    results,
    baseline: baselines[0]!,
    baselines,
    machine,
    placement: describePlacement([
      {
        role: 'producer',
        thread: 'main',
        cpu: ring.producerCpu,
        wait: 'spins on the clock between events; busy-spin on a full ring',
      },
      {
        role: 'stages a → b → c (ring)',
        thread: `bus worker '${DEFAULT_WORKER}'`,
        cpu: ring.workerCpu,
        wait: 'busy-spin',
      },
      { role: 'stages a → b → c (postMessage)', thread: 'worker 1', cpu: post.workerCpu, wait: 'event loop' },
    ]),
    clock,
    hiccups,
    coordinatedOmission,
    targets: { minP99RatioVsBaseline: TARGET_P99_RATIO, met },
    notes: [
      coordinatedOmission,
      `events per run: ${rates.map((r) => `${plan.eventsAt(r)} @${rateLabel(r)}`).join(', ')}, ${plan.reps} run(s) per rate (their histograms merged) after ${plan.warmup} warm-up events @${rateLabel(rates[0]!)}; every stage result is checked (c = 6·value + 9)`,
      `preemptions = involuntary context switches of the process during the timed runs (getrusage); a preempted producer or worker stalls the pipeline for milliseconds, which the coordinated-omission correction charges to every event scheduled meanwhile`,
      `events/s = achieved rate (events / (last finish at stage c - first scheduled time), the lowest of the runs); ratios = postMessage @ the same offered rate / ring`,
      ...baselines.map(
        (b) =>
          `postMessage @${rateLabel(b.offeredPerSec)}: p50 ${formatNs(b.latencyNs.p50)}, p99 ${formatNs(b.latencyNs.p99)}, p99.9 ${formatNs(b.latencyNs.p999)}, max ${formatNs(b.latencyNs.max)}, achieved ${formatRate(b.eventsPerSec)}, producer ≤ ${formatNs(b.producerMaxLateNs)} late, ${b.involuntaryContextSwitches} preemptions`,
      ),
      ...results.map(
        (r) =>
          `ring @${rateLabel(r.offeredPerSec)} uncorrected (from the actual publish): p50 ${formatNs(r.uncorrectedLatencyNs!.p50)}, p99 ${formatNs(r.uncorrectedLatencyNs!.p99)}, max ${formatNs(r.uncorrectedLatencyNs!.max)}; producer ≤ ${formatNs(r.producerMaxLateNs)} late`,
      ),
      `p99 of each run on its own (the table merges the runs): ${[...results, ...baselines].map((r) => `${r.name} ${r.p99ByRunNs.map(formatNs).join(' / ')}`).join('; ')}`,
      `clocks: producer and stage c (and the baseline's worker) read RingBuffer.now() of one ring: the same monotonic clock in every thread, each thread's reading mapped onto the shared performance.now() timeline; worker time origins ${ring.sameClock && post.sameClock ? 'equal' : 'DIFFER from'} the main thread's`,
      clockNote(clock),
      `${hiccupNote(hiccups, `main @cpu${meterCpu ?? '?'}`)}; a stalled producer or worker delays every event scheduled meanwhile, so the corrected percentiles above ${(100 - hiccups.lostPercent).toFixed(1)} % are set by these gaps, not by the ring`,
      `target: ring p99 ≥ ${TARGET_P99_RATIO}× below postMessage at the same rate: ${Object.entries(met)
        .map(([k, v]) => `${k} ${v ? 'met' : 'missed'}`)
        .join(', ')}`,
    ],
    quick: options.quick,
  };
}
