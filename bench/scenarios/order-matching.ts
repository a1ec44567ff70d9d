/**
 * order-matching: the example end to end (examples/order-matching) against the same handlers
 * chained with postMessage, in the same run.
 *
 *   main (seeded flow ─publishWith─▶) ring ─┬─▶ journal ........................ worker "journal" ─┐
 *                                           └─▶ risk ─▶ matching ─▶ portfolio ─ worker "engine" ──┴─▶ ack (engine)
 *   shared placement: the journal runs on worker "engine" too (2 threads on 2 cores)
 *   single thread:    main: flow ─▶ ring ─▶ risk ─▶ matching ─▶ portfolio ─▶ ack, batches of 512, no journal
 *   baseline:         main ──postMessage(command), one message per command──▶ worker: risk ─▶ matching ─▶ portfolio ─▶ ack
 *                     (also as arrays of 512 commands per message); no journal
 *
 * Bus rows: the example's bus (buildOrderMatchingBus, snapshots every 500k events, default
 * 'phased' wait strategy, nothing pinned) with fsync 'batch' and 'none', timed from the first
 * publish to drained; commands/s and per-stage latency (producer's publish stamp → the stage
 * finishing the event's batch) from bus.metrics(). Saturated rows publish as fast as
 * back-pressure allows, so their latency is mostly queueing; paced rows offer a fixed load
 * (bursts every millisecond) and show the latency at that load. Every run of every kind must
 * reach the same per-stage state hashes and ack counters, or the benchmark fails.
 */
import type { BusMetrics, PlacementReport } from '../../src/index.js';
import { demoOptions } from '../../examples/order-matching/config.js';
import { measureFsyncLatency } from '../lib/fsyncProbe.js';
import { machineInfo } from '../lib/machine.js';
import type { BenchOptions } from '../lib/options.js';
import type { Placement, ThreadPlacement } from '../lib/placement.js';
import type { BenchReport, BenchResult } from '../lib/report.js';
import { median, perSecond } from '../lib/timing.js';
import {
  runBus,
  runPostMessage,
  runSingleThread,
  SEED,
  type BusRun,
  type BusRunOptions,
} from '../lib/orderMatchingRuns.js';
import { outcomeKey, type StagesOutcome } from '../workers/orderMatchingStages.js';

/** Extra figures of an order-matching row. */
export interface OrderMatchingExtra {
  /** Where each thread ran (bus rows: from bus.placement()). */
  readonly placement: string;
  /** Bus rows: per stage, its worker, batch size p50 and latency percentiles (ns) from bus.metrics(). */
  readonly stages?: Readonly<
    Record<string, { worker: string; batchP50: number; latencyNs: BusMetrics['handlers'][string]['latencyNs'] }>
  >;
  /** Ratio against the batched postMessage row (bus and single-thread rows). */
  readonly ratioVsBatchedPostMessage?: number;
  /** Paced rows: the offered load (commands/s). */
  readonly offeredPerSec?: number;
  /** Journaled rows: bus.metrics().journal (syncs, sync latency and group-size percentiles). */
  readonly journal?: BusMetrics['journal'];
  /** Paced rows: the machine's fdatasync latency measured in the same run (lib/fsyncProbe.ts). */
  readonly fsyncProbeNs?: { readonly p50: number; readonly p99: number };
}

type Row = BenchResult & { readonly extra: OrderMatchingExtra };

const POST_BATCH = 512;

function describeBus(p: PlacementReport): string {
  const workers = p.workers.map(
    (w) =>
      `worker "${w.name}" [${w.handlers.join(', ')}] ${w.waitStrategy}, ${w.pinned ? `pinned to ${w.cpus?.join(',')}` : 'unpinned'}`,
  );
  return `producer on the ${p.producer} (unpinned); ${workers.join('; ')}; a supervisor worker idles on its event loop`;
}

function stagesOf(m: BusMetrics): NonNullable<OrderMatchingExtra['stages']> {
  return Object.fromEntries(
    Object.entries(m.handlers).map(([name, h]) => [
      name,
      { worker: h.worker, batchP50: h.batchSize.p50, latencyNs: h.latencyNs },
    ]),
  );
}

/** "journal p50/p99 1.2/3.4 ms (batch 512), …" for the text report. */
function stageLine(stages: NonNullable<OrderMatchingExtra['stages']>): string {
  const ms = (ns: number): string => (ns / 1e6).toFixed(ns < 1e7 ? 2 : 0);
  return (
    Object.entries(stages)
      .map(([name, s]) => `${name} ${ms(s.latencyNs.p50)}/${ms(s.latencyNs.p99)} ms (batch p50 ${s.batchP50})`)
      .join(', ') + ' [p50/p99]'
  );
}

/**
 * Journal figures beside the machine's fdatasync latency: sync latency and group size per
 * journaled row; for paced rows, the engine's latency (portfolio, the last engine stage) with the
 * journal against without it, and publish → durable ack p50 against one fdatasync.
 */
function durabilityNotes(rows: readonly Row[], probe: { p50: number; p99: number }): string[] {
  const us = (ns: number): string => (ns / 1e3).toFixed(0);
  const out = [
    `machine fdatasync (64-byte append + fdatasync, same run): p50 ${us(probe.p50)} µs, p99 ${us(probe.p99)} µs`,
  ];
  for (const r of rows) {
    const j = r.extra.journal;
    if (j)
      out.push(
        `  ${r.name}: ${j.syncs} syncs, sync p50/p99 ${us(j.syncLatencyNs.p50)}/${us(j.syncLatencyNs.p99)} µs, group p50/max ${j.groupSize.p50}/${j.groupSize.max} records`,
      );
  }
  const engine = (r: Row | undefined): number => r?.extra.stages?.portfolio?.latencyNs.p50 ?? NaN;
  const paced = rows.filter((r) => r.extra.offeredPerSec !== undefined);
  const off = paced.find((r) => r.extra.stages?.journal === undefined);
  for (const on of paced.filter((r) => r.extra.stages?.journal !== undefined)) {
    const ack = on.extra.stages?.ack?.latencyNs.p50 ?? NaN;
    out.push(
      `  ${on.name}: engine (→ portfolio) p50 ${us(engine(on))} µs vs ${us(engine(off))} µs without a journal (${(engine(on) / engine(off)).toFixed(2)}×); publish → ack p50 ${us(ack)} µs vs one fdatasync ${us(probe.p50)} µs`,
    );
  }
  return out;
}

/** The run with the median time (lower middle for an even count). */
function medianRun<T extends { ns: number }>(runs: readonly T[]): T {
  return [...runs].sort((a, b) => a.ns - b.ns)[(runs.length - 1) >> 1]!;
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const quick = options.quick;
  const events = options.events ?? (quick ? 20_000 : 1_000_000);
  const reps = options.reps ?? (quick ? 1 : 3);
  const paceRate = 50_000;
  const pacedEvents = Math.min(events, quick ? 5_000 : 100_000);
  const machine = machineInfo();
  const domain = demoOptions();

  const busVariants: Array<{ name: string; o: BusRunOptions }> = [
    { name: "bus, fsync 'batch', split", o: { fsync: 'batch', placement: 'split', events } },
    { name: "bus, fsync 'none', split", o: { fsync: 'none', placement: 'split', events } },
    { name: "bus, fsync 'batch', shared", o: { fsync: 'batch', placement: 'shared', events } },
    {
      name: `bus paced ${paceRate / 1000}k/s, fsync 'batch', split`,
      o: { fsync: 'batch', placement: 'split', events: pacedEvents, paceRate },
    },
    {
      name: `bus paced ${paceRate / 1000}k/s, fsync 'none', split`,
      o: { fsync: 'none', placement: 'split', events: pacedEvents, paceRate },
    },
    {
      name: `engine only, paced ${paceRate / 1000}k/s, no journal`,
      o: { fsync: 'none', placement: 'split', events: pacedEvents, paceRate, journal: false },
    },
  ];
  const busRuns = busVariants.map(() => [] as BusRun[]);
  const single: number[] = [];
  const perMessage: number[] = [];
  const batched: number[] = [];
  const outcomes = new Map<string, string>();
  const check = (what: string, n: number, o: StagesOutcome): void => {
    const key = `${n}`;
    const k = outcomeKey(o);
    const seen = outcomes.get(key);
    if (seen === undefined) outcomes.set(key, k);
    else if (seen !== k)
      throw new Error(`${what} reached another state after ${n} commands (seed ${SEED}):\n  ${k}\nexpected\n  ${seen}`);
  };

  // warm-up of this thread's JIT (bus and baseline runs start fresh threads); also the reference outcome of the paced runs
  check('single thread (warm-up)', pacedEvents, runSingleThread(domain, pacedEvents).outcome);
  // round-robin over the kinds, so machine noise spreads over all of them
  for (let r = 0; r < reps; r++) {
    const s = runSingleThread(domain, events);
    check('single thread', events, s.outcome);
    single.push(s.ns);
    const p = await runPostMessage(domain, events, 1);
    check('postMessage per command', events, p.outcome);
    perMessage.push(p.ns);
    const b = await runPostMessage(domain, events, POST_BATCH);
    check('postMessage batched', events, b.outcome);
    batched.push(b.ns);
    for (let v = 0; v < busVariants.length; v++) {
      const { name, o } = busVariants[v]!;
      const run = await runBus(domain, o);
      check(name, o.events, run.outcome);
      busRuns[v]!.push(run);
    }
  }

  // the disk's own fdatasync latency, in the same run: what a durable ack can approach at best
  const fsyncProbe = measureFsyncLatency(quick ? 20 : 200);
  const baseRate = perSecond(events, median(perMessage));
  const batchedRate = perSecond(events, median(batched));
  const rows: Row[] = [];
  let splitPlacement = '';
  let sharedPlacement = '';
  busVariants.forEach(({ name, o }, v) => {
    const runs = busRuns[v]!;
    const m = medianRun(runs);
    const rate = perSecond(o.events, median(runs.map((x) => x.ns)));
    const placement = describeBus(m.placement);
    if (o.placement === 'split') splitPlacement = placement;
    else sharedPlacement = placement;
    const ack = m.metrics.handlers.ack!;
    const paced = o.paceRate !== undefined;
    rows.push({
      name,
      eventsPerSec: rate,
      ...(paced ? {} : { ratioVsBaseline: rate / baseRate }),
      latencyNs: ack.latencyNs,
      events: o.events,
      reps,
      detail: paced
        ? `offered ${o.paceRate} commands/s in 1 ms bursts; latency: publish → ack`
        : 'saturated; latency: publish → ack (queueing)',
      extra: {
        placement,
        stages: stagesOf(m.metrics),
        ...(paced
          ? { offeredPerSec: o.paceRate, fsyncProbeNs: { p50: fsyncProbe.p50, p99: fsyncProbe.p99 } }
          : { ratioVsBatchedPostMessage: rate / batchedRate }),
        // journal figures where the policy syncs ('none' never calls fdatasync: nothing to show)
        ...(m.metrics.journal && m.metrics.journal.syncs > 0 ? { journal: m.metrics.journal } : {}),
      },
    });
  });
  const singleRate = perSecond(events, median(single));
  rows.push({
    name: 'single thread, no bus, no journal',
    eventsPerSec: singleRate,
    ratioVsBaseline: singleRate / baseRate,
    events,
    reps,
    detail: 'upper bound: 4 stages over batches of 512 on main',
    extra: { placement: 'everything on the main thread', ratioVsBatchedPostMessage: singleRate / batchedRate },
  });
  rows.push({
    name: `postMessage, ${POST_BATCH} commands per message`,
    eventsPerSec: batchedRate,
    ratioVsBaseline: batchedRate / baseRate,
    events,
    reps,
    detail: 'arrays of plain objects; no journal',
    extra: { placement: 'producer on main; 4 stages on one worker (event loop); unpinned' },
  });
  const baseline: Row = {
    name: 'postMessage, one message per command',
    eventsPerSec: baseRate,
    events,
    reps,
    detail: 'plain object per command; no journal',
    extra: { placement: 'producer on main; 4 stages on one worker (event loop); unpinned' },
  };

  const threads: ThreadPlacement[] = [
    { role: 'producer (seeded flow)', thread: 'main', cpu: null, wait: 'phased (when the ring is full)' },
    { role: 'journal (split)', thread: 'worker "journal"', cpu: null, wait: 'blocking (chosen: off the latency path)' },
    {
      role: 'risk → matching → portfolio → ack (+ journal when shared)',
      thread: 'worker "engine"',
      cpu: null,
      wait: 'phased',
    },
    { role: 'supervisor', thread: 'worker (supervisor)', cpu: null, wait: 'event loop (idle)' },
    {
      role: 'baseline: risk → matching → portfolio → ack',
      thread: 'worker (postMessage)',
      cpu: null,
      wait: 'event loop',
    },
  ];
  const placement: Placement = {
    threads,
    pinned: false,
    note: 'not pinned: the example bus runs with its default placement (no cpu option); with the producer, engine and journal busy, 3 threads share 2 cores in the split placement',
  };
  return {
    scenario: 'order-matching',
    results: rows,
    baseline,
    machine,
    placement,
    notes: [
      `${events} commands per run (paced: ${pacedEvents}), seeded flow (seed ${SEED}), ${domain.accounts.length} accounts, ${domain.symbols.length} symbols; median of ${reps} runs, each with fresh threads; every run reached the same per-stage state hashes and ack counters`,
      `split: ${splitPlacement}`,
      `shared: ${sharedPlacement}`,
      `vs baseline = ÷ postMessage one message per command (${(baseRate / 1e3).toFixed(0)} k/s); extra.ratioVsBatchedPostMessage = ÷ postMessage with ${POST_BATCH} commands per message (${(batchedRate / 1e3).toFixed(0)} k/s); the baselines do not journal, the bus rows do`,
      'latency columns: the ack stage (publish stamp → ack finished its batch) of the median run, over the whole run of fresh workers (JIT warm-up included); extra.stages has every stage:',
      ...rows.filter((r) => r.extra.stages).map((r) => `  ${r.name}: ${stageLine(r.extra.stages!)}`),
      ...durabilityNotes(rows, fsyncProbe),
    ],
    quick,
  };
}
