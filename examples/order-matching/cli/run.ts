/**
 * One program run: opens the bus on the data directory (recovering what a previous run left),
 * publishes, drains within a bound, writes a snapshot when stopped by a signal, and gathers the
 * report. `--rates` runs one paced stretch per rate on the same bus (see rates.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  measureHiccups,
  type EventType,
  type HiccupInfo,
  type PlacementReport,
  type RingBus,
} from '../../../src/index.js';
import type { OrderCommandFlyweight } from '../events.js';
import { buildOrderMatchingStages } from '../bus.js';
import { demoExchangeOptions } from '../exchange/config.js';
import { ExchangeFlow } from '../exchange/exchangeFlow.js';
import { warmUpProducer } from '../exchange/warmUp.js';
import type { ProgramArgs } from './args.js';
import { accountPositions, domainStats, statsSince, type AccountPositions, type DomainStats } from './domainStats.js';
import { Leader, REPORTS_RING, type LeaderReport } from './leader.js';
import { attachLatencyProbes, type LatencyPercentiles, type LatencyProbes } from './latencyProbe.js';
import { publishOrders, type PublishResult, type StopSignal } from './pacing.js';

/** How long draining may take after publishing stops (a stuck stage then fails the run, never hangs it). */
export const DRAIN_TIMEOUT_MS = 60_000;
/** How long the hiccup meter runs after the run, on the producer thread, while the workers are idle. */
export const HICCUP_METER_MS = 250;

export interface MachineInfo {
  readonly cpus: number;
  readonly model: string;
  readonly node: string;
  readonly loadAverage1m: number;
  /** A lone spinning thread's gaps, measured right after the run (workers idle): the machine's floor. */
  readonly hiccups: HiccupInfo;
  /** Paced runs: the gaps the producer saw while it spun between orders during the run (producerHiccups.ts). */
  readonly hiccupsDuringRun?: HiccupInfo | null;
}

export interface RunReport {
  readonly mode: 'flat-out' | 'paced';
  readonly rate: number | null;
  /** Commands the engine and the producer warmed up on before publishing (--warmup). */
  readonly warmupCommands: number;
  readonly publish: PublishResult;
  readonly ordersPerSec: number;
  /** This run's commands (a resumed run excludes what it recovered). */
  readonly stats: DomainStats;
  readonly latencyNs: { readonly reportOut: LatencyPercentiles; readonly durableAck: LatencyPercentiles };
  readonly stateHash: string;
  readonly lastSequence: number;
  readonly recovered: { readonly fromSnapshot: number | null; readonly replayed: number };
  /** The snapshot written after a signal (null: none). */
  readonly snapshot: { readonly sequence: number; readonly path: string } | null;
  readonly placement: PlacementReport;
  readonly machine: MachineInfo;
  /** '' when the data directory was temporary (removed at exit). */
  readonly dataDir: string;
  /** --replicate: the lease, both streams' replication metrics and the state hash published (null: not replicating). */
  readonly replication: LeaderReport | null;
  /** --replicate: each account's position per symbol, from the exchange's state (what a read model of the reports must show). */
  readonly positions: AccountPositions | null;
}

/** An open bus with its probes and flow; what runProgram and runRates share. */
export interface Session {
  readonly bus: RingBus;
  readonly probes: LatencyProbes;
  readonly flow: ExchangeFlow;
  /** The exchange's symbol ids in book order (its snapshot lists books by symbol index). */
  readonly symbolIds: readonly number[];
  readonly recovered: RunReport['recovered'];
  readonly baseline: DomainStats | null;
  readonly dataDir: string;
  readonly temporary: boolean;
  /** --replicate: the leader (lease, replication, reports ring); null otherwise. */
  readonly leader: Leader | null;
}

/** Starts the bus on the data directory (a temporary one when args.dataDir is ''), recovering. */
export async function openSession(args: ProgramArgs): Promise<Session> {
  const temporary = args.dataDir === '';
  const dataDir = temporary ? mkdtempSync(join(tmpdir(), 'ringbus-order-matching-')) : args.dataDir;
  let leader: Leader | null = null;
  try {
    // the lease first: nothing is journaled before this process is the leader
    leader = args.replicate ? await Leader.take(args.replicate, dataDir, args.capacity) : null;
    const domain = demoExchangeOptions({ accounts: args.accounts, symbols: args.symbols });
    const { bus, stages } = buildOrderMatchingStages({
      dataDir,
      fsync: args.fsync,
      capacity: args.capacity,
      domain,
      warmupCommands: args.warmup,
      ...(leader ? { reportsRing: REPORTS_RING, ackAfter: (b: RingBus) => leader!.attach(b) } : {}),
    });
    const probes = attachLatencyProbes(bus, stages, args.capacity);
    if (leader) await leader.start(bus);
    else await bus.start(); // the engine worker warms up before it reports started
    warmUpProducer(domain, bus.ring.event as EventType<OrderCommandFlyweight>, args.warmup);
    const r = bus.recovery!;
    const replayed = Math.max(0, r.replayedThrough - r.startSequence + 1);
    const resumed = r.snapshot !== null || replayed > 0;
    const symbolIds = domain.symbols.map((sym) => sym.symbolId);
    let baseline: DomainStats | null = null;
    try {
      if (resumed) baseline = domainStats((await bus.captureState()).states, symbolIds);
    } catch (error) {
      await (leader ? leader.close(10_000) : bus.shutdown({ timeoutMs: 10_000 }));
      leader = null;
      throw error;
    }
    // Resuming: the journal holds replayedThrough + 1 commands, each with at most one new order id,
    // so ids from replayedThrough + 2 on are above every id used (the engine rejects ids at or
    // below an account's last one), and event time goes on 1 µs per command.
    const flow = new ExchangeFlow({
      seed: args.seed,
      exchange: domain,
      firstOrderId: r.replayedThrough + 2,
      firstTime: 1_000 * (r.replayedThrough + 2),
    });
    return {
      bus,
      probes,
      flow,
      symbolIds,
      recovered: { fromSnapshot: r.snapshot?.sequence ?? null, replayed },
      baseline,
      dataDir,
      temporary,
      leader,
    };
  } catch (error) {
    await leader?.close(10_000).catch(() => undefined);
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Shuts the bus down and removes a temporary data directory. */
export async function closeSession(s: Session): Promise<void> {
  try {
    await (s.leader ? s.leader.close(10_000) : s.bus.shutdown({ timeoutMs: 10_000 }));
  } finally {
    s.probes.reportOut.destroy();
    s.probes.durableAck.destroy();
    if (s.temporary) rmSync(s.dataDir, { recursive: true, force: true });
  }
}

/** What the machine looks like, with its hiccups measured now (call it while the workers are idle). */
export async function machineInfo(): Promise<MachineInfo> {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
    hiccups: await measureHiccups(HICCUP_METER_MS),
  };
}

/** The single run: `npm run example` without --rates. */
export async function runProgram(
  args: ProgramArgs,
  stop: StopSignal,
  hooks: { onStart(s: Session): void; progress(published: number): void },
): Promise<RunReport> {
  const s = await openSession(args);
  try {
    hooks.onStart(s);
    const t0 = s.bus.ring.now();
    const pub = await publishOrders(
      s.bus,
      s.flow,
      s.probes,
      { orders: args.orders, rate: args.rate, durationSec: args.durationSec },
      stop,
      hooks.progress,
    );
    await s.bus.drain({ timeoutMs: DRAIN_TIMEOUT_MS });
    const seconds = (s.bus.ring.now() - t0) / 1e9;
    s.probes.reportOut.harvest();
    s.probes.durableAck.harvest();
    const snapshot = pub.stoppedBy === 'signal' ? await s.bus.snapshot({ timeoutMs: DRAIN_TIMEOUT_MS }) : null;
    const { states } = await s.bus.captureState();
    // a leader publishes its final state hash for standbys once both streams hold everything
    const { hash, sequence } = s.leader ? await s.leader.finish(DRAIN_TIMEOUT_MS) : await s.bus.stateHash();
    return {
      mode: args.rate === null ? 'flat-out' : 'paced',
      rate: args.rate,
      warmupCommands: args.warmup,
      publish: pub,
      ordersPerSec: seconds > 0 ? pub.published / seconds : 0,
      stats: statsSince(domainStats(states, s.symbolIds), s.baseline),
      latencyNs: { reportOut: s.probes.reportOut.percentiles(), durableAck: s.probes.durableAck.percentiles() },
      stateHash: hash,
      lastSequence: sequence,
      recovered: s.recovered,
      snapshot,
      placement: s.bus.placement(),
      machine: { ...(await machineInfo()), hiccupsDuringRun: pub.hiccups },
      dataDir: s.temporary ? '' : s.dataDir,
      replication: s.leader ? await s.leader.report() : null,
      positions: s.leader ? accountPositions(states, s.symbolIds) : null,
    };
  } finally {
    await closeSession(s);
  }
}
