/**
 * The measured runs of the pipeline scenario (scenarios/pipeline.ts assembles the report): the
 * RingBus pipeline with a chosen wait strategy, the postMessage pipeline and the piscina
 * pipeline, each at every offered rate of a plan, each rate's runs beside a hiccup sampler.
 */
import { Worker } from 'node:worker_threads';
import { DEFAULT_WORKER, RingBus, type HiccupInfo, type WaitStrategyType } from '../../src/index.js';
import type { LatencySummary } from './histogram.js';
import { createClockRing } from './clockCost.js';
import {
  awaitMessage,
  involuntarySwitches,
  mergeToEncoded,
  setAffinity,
  spinIterationsPerNs,
  summarizeEncoded,
} from './latencyTools.js';
import { tryPin } from './placement.js';
import { startHiccupSampler } from './hiccupThread.js';
import { pacePiscina, startPiscina } from './piscinaRuns.js';
import { PipelineEvent, type PipelineFlyweight } from '../workers/pipelineEvent.js';
import { pacePostMessage, paceRing } from '../workers/pipelinePacing.js';
import type { PipelineStageOptions, StageCSnapshot } from '../workers/pipelineStage.js';

export const PRODUCER_CPU = 0;
export const WORKER_CPU = 1;

export interface Plan {
  readonly rates: readonly number[];
  readonly eventsAt: (rate: number) => number;
  readonly reps: number;
  readonly warmup: number;
}

export interface RunFigures {
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
export async function postMessageRuns(
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

/**
 * The RingBus pipeline at every rate (one bus throughout), its handler worker waiting with
 * `wait` (busy-spin, or what a user picks when spinning threads outnumber free cores: yielding,
 * phased). The producer spins on the clock between events whatever the strategy.
 */
export async function ringRuns(
  plan: Plan,
  wait: WaitStrategyType,
): Promise<{ runs: RunFigures[]; workerCpu: number | null; sameClock: boolean; producerCpu: number | null }> {
  const totalRuns = 1 + plan.rates.length * plan.reps;
  const stage = new URL('../workers/pipelineStage.js', import.meta.url);
  // the bus checks worker CPUs against this thread's affinity: widen it while the bus starts
  setAffinity([PRODUCER_CPU, WORKER_CPU]);
  const bus = new RingBus<PipelineFlyweight>({
    event: PipelineEvent,
    capacity: 65536,
    waitStrategy: wait,
    metrics: false,
    workers: { [DEFAULT_WORKER]: { cpu: WORKER_CPU, waitStrategy: wait } },
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

/**
 * The piscina pipeline at every rate (one pool throughout, its thread pinned to the worker CPU):
 * the same stages in one task per event (lib/piscinaRuns.ts). `maxEvents` caps the events per
 * run: piscina tops out far below the ring's rates, and a run's events all queue in its heap.
 */
export async function piscinaRuns(
  plan: Plan,
  maxEvents: number,
): Promise<{ runs: RunFigures[]; workerCpu: number | null; sameClock: boolean }> {
  const clock = createClockRing();
  const pool = startPiscina(WORKER_CPU, clock);
  try {
    tryPin(PRODUCER_CPU);
    const eventsAt = (rate: number): number => Math.min(maxEvents, plan.eventsAt(rate));
    await pacePiscina(pool, clock, 0, Math.min(maxEvents, plan.warmup), plan.rates[0]!);
    const runs: RunFigures[] = [];
    let run = 1;
    let workerCpu: number | null = null;
    let sameClock = true;
    for (const rate of plan.rates) {
      const n = eventsAt(rate);
      const reps = [];
      const sampler = await startHiccupSampler();
      for (let r = 0; r < plan.reps; r++) {
        const switches0 = involuntarySwitches();
        const p = await pacePiscina(pool, clock, run++, n, rate);
        reps.push({ ...p, switches: involuntarySwitches() - switches0 });
        workerCpu = p.cpu;
        sameClock &&= p.sameClock;
      }
      runs.push({
        hiccups: await sampler.stop(),
        histogram: mergeToEncoded(reps.map((x) => x.encoded)),
        rate,
        events: n,
        latency: summarizeEncoded(reps.map((x) => x.encoded)),
        p99ByRun: reps.map((x) => summarizeEncoded([x.encoded]).p99),
        achieved: Math.min(...reps.map((x) => (n * 1e9) / (x.lastFinishNs - x.startNs))),
        maxLateNs: Math.max(...reps.map((x) => x.maxLateNs)),
        switches: reps.reduce((a, x) => a + x.switches, 0),
      });
    }
    return { runs, workerCpu, sameClock };
  } finally {
    await pool.destroy();
  }
}
