/**
 * exchange: the exchange engine (examples/order-matching/exchange) on the same seeded commands as
 * nodejs-order-book (npm), and the whole two-ring pipeline flat out.
 *
 *   engine alone       one thread: Exchange.process(command) for every command (risk on live
 *                      cash/positions/holds, matching, settlement, execution reports into the digest)
 *   pipeline           producer ─▶ commands ring ─┬─▶ journal (worker, fsync per batch)
 *                                                 └─▶ exchange (worker) ─▶ reports ring ─▶ pnl,
 *                                                     marketData, reportSink (worker); ack after both
 *   nodejs-order-book  (baseline) one OrderBook per symbol: limit (GTC/IOC/FOK, post-only), market,
 *                      cancel and modify of the same commands; no risk, no reports, no journal; its
 *                      order ids are strings built before the timed loop
 *   load @rate         latency versus load: the program's bus (`npm run example`: journal ∥ exchange,
 *                      ack after both) paced at stepped offered rates, one row per rate, due time →
 *                      durable ack, until the first rate it cannot sustain (lib/exchangeLoad.ts)
 *
 * Targets (issue 10): engine ≥ 20× the baseline; pipeline ≥ 2 M commands/s on the 2-core machine.
 */
import { OrderBook, Side } from 'nodejs-order-book';
import { CMD, FLAG } from '../../examples/order-matching/exchange/codes.js';
import { demoExchangeOptions } from '../../examples/order-matching/exchange/config.js';
import { Exchange } from '../../examples/order-matching/exchange/Exchange.js';
import {
  ExchangeFlow,
  exchangeFlowTranslator,
  type ExchangeFlowCommand,
} from '../../examples/order-matching/exchange/exchangeFlow.js';
import { startExchangePipeline } from '../../examples/order-matching/pipeline.js';
import { exchangeLoadSteps, type LoadSteps } from '../lib/exchangeLoad.js';
import { removeDir, tempDir } from '../lib/journalRecovery.js';
import { machineInfo } from '../lib/machine.js';
import type { BenchOptions } from '../lib/options.js';
import { describePlacement } from '../lib/placement.js';
import { formatNs, formatRate, type BenchReport, type BenchResult } from '../lib/report.js';
import { nowNs } from '../lib/timing.js';
import { blankCommand } from '../../examples/order-matching/exchange/ExchangeCommand.js';

const SEED = 42;
const options = demoExchangeOptions({ accounts: 16, symbols: 4 });

function commands(n: number): ExchangeFlowCommand[] {
  const flow = new ExchangeFlow({ seed: SEED, exchange: options });
  return Array.from({ length: n }, () => {
    const c = blankCommand();
    flow.next(c);
    return c;
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function engineRun(cmds: readonly ExchangeFlowCommand[]): number {
  const e = new Exchange(options);
  const t0 = nowNs();
  for (let i = 0; i < cmds.length; i++) e.process(cmds[i]!);
  const ns = nowNs() - t0;
  if (e.commands !== cmds.length) throw new Error('exchange: engine skipped commands');
  return ns;
}

const TIF_NAME = ['GTC', 'GTC', 'IOC', 'FOK'] as const;

function baselineRun(cmds: readonly ExchangeFlowCommand[], ids: readonly string[]): number {
  const books = new Map(options.symbols.map((s) => [s.symbolId, new OrderBook()]));
  const t0 = nowNs();
  for (let i = 0; i < cmds.length; i++) {
    const c = cmds[i]!;
    const book = books.get(c.symbolId);
    if (book === undefined) continue;
    const side = c.side === 1 ? Side.BUY : Side.SELL;
    if (c.command === CMD.NEW_LIMIT) {
      if (c.side !== 1 && c.side !== 2) continue;
      book.limit({
        id: ids[i]!,
        side,
        size: c.qty,
        price: c.price,
        timeInForce: TIF_NAME[c.tif] as never,
        postOnly: c.flags === FLAG.POST_ONLY,
      });
    } else if (c.command === CMD.NEW_MARKET) book.market({ side, size: c.qty });
    else if (c.command === CMD.CANCEL) book.cancel(ids[i]!);
    else if (c.command === CMD.MODIFY)
      book.modify(ids[i]!, c.price === 0 ? { size: c.qty } : { price: c.price, size: c.qty });
  }
  return nowNs() - t0;
}

async function pipelineRun(n: number): Promise<{ ns: number; placement: string }> {
  const dataDir = tempDir('exchange');
  try {
    const p = await startExchangePipeline({ exchange: options, dataDir, fsync: 'batch' });
    try {
      const flow = new ExchangeFlow({ seed: SEED, exchange: options });
      const t0 = nowNs();
      for (let i = 0; i < n; i++) {
        p.commands.publishWith(exchangeFlowTranslator as never, flow);
        if ((i & 0xffff) === 0xffff) await new Promise((resolve) => setImmediate(resolve));
      }
      await p.drain(300_000);
      const ns = nowNs() - t0;
      const placement = p
        .placement()
        .flatMap((pl) => pl.workers.map((w) => `${w.name} [${w.handlers.join(', ')}] ${w.waitStrategy}`))
        .join('; ');
      return { ns, placement };
    } finally {
      await p.shutdown();
    }
  } finally {
    removeDir(dataDir);
  }
}

/** Offered rates of the latency-versus-load steps (orders/s), ×2 apart (×√2 with --full). */
function loadRates(o: BenchOptions): number[] {
  if (o.quick) return [10_000, 20_000, 40_000];
  const step = o.full ? Math.SQRT2 : 2;
  const rates: number[] = [];
  for (let r = 25_000; r <= 6_400_000; r *= step) rates.push(Math.round(r / 1000) * 1000);
  return rates;
}

/** "25k/s", "1.6M/s". */
const loadRateLabel = (x: number): string => (x >= 1e6 ? `${x / 1e6}M/s` : `${x / 1e3}k/s`);

/** One row per step: due → durable ack percentiles; the report-out figures in the detail. */
function loadRows(load: LoadSteps): BenchResult[] {
  const where = load.placement.workers
    .map((w) => `${w.name} [${w.handlers.join(', ')}] ${w.waitStrategy}${w.pinned ? ` @cpu${w.cpus?.join(',')}` : ''}`)
    .join('; ');
  return load.steps.map((st) => ({
    name: `load @${loadRateLabel(st.rate)}`,
    // the program's probes keep percentiles only: no mean
    latencyNs: { ...st.durableAck, mean: NaN },
    hiccups: st.hiccups,
    eventsPerSec: st.achieved,
    events: st.published,
    reps: 1,
    against: [],
    detail: `${st.saturated ? 'SATURATED; ' : ''}due → durable ack; report out p50/p99 ${formatNs(st.reportOut.p50)}/${formatNs(st.reportOut.p99)}; producer ${st.behindMs.toFixed(1)} ms behind at the end; producer on main (unpinned), ${where}`,
  }));
}

export async function run(o: BenchOptions): Promise<BenchReport> {
  const n = o.events ?? (o.quick ? 20_000 : 1_000_000);
  const reps = o.reps ?? (o.quick ? 1 : 3);
  const cmds = commands(n);
  // the baseline's ids: "account:order" strings, built outside the timed loop
  const ids = cmds.map((c) => `${c.accountId}:${c.orderId}`);
  engineRun(cmds.slice(0, Math.min(n, 50_000)));
  baselineRun(cmds.slice(0, Math.min(n, 50_000)), ids);
  const engine: number[] = [];
  const baseline: number[] = [];
  const pipeline: number[] = [];
  let placement = '';
  for (let r = 0; r < reps; r++) {
    engine.push(engineRun(cmds));
    baseline.push(baselineRun(cmds, ids));
    const p = await pipelineRun(n);
    pipeline.push(p.ns);
    placement = p.placement;
  }
  const load = await exchangeLoadSteps(loadRates(o), o.quick ? 0.2 : o.full ? 2 : 1, o.quick ? 20_000 : 100_000);
  const rate = (ns: number[]): number => n / (median(ns) / 1e9);
  const base: BenchResult = {
    name: 'nodejs-order-book',
    eventsPerSec: rate(baseline),
    events: n,
    reps,
    ratioVsBaseline: 1,
  };
  const results: BenchResult[] = [
    {
      name: 'engine alone',
      eventsPerSec: rate(engine),
      events: n,
      reps,
      detail: 'risk + match + settle + reports (digest)',
    },
    { name: 'pipeline', eventsPerSec: rate(pipeline), events: n, reps, detail: 'journal fsync/batch + reports ring' },
  ].map((r) => ({ ...r, ratioVsBaseline: r.eventsPerSec / base.eventsPerSec! }));
  results.push(...loadRows(load));
  const last = load.steps[load.steps.length - 1];
  return {
    scenario: 'exchange',
    results,
    baseline: base,
    machine: machineInfo(),
    placement: describePlacement([
      { role: 'producer', thread: 'main', cpu: null, wait: 'back-pressure' },
      { role: 'pipeline workers', thread: placement, cpu: null, wait: 'see thread' },
    ]),
    notes: [
      'targets: engine alone ≥ 20× nodejs-order-book; pipeline ≥ 2 M commands/s (2 cores)',
      'the baseline runs no risk checks, keeps no accounts, publishes no reports and journals nothing',
      `seeded flow (seed ${SEED}): 16 accounts, 4 symbols; cancels of filled orders come back UNKNOWN_ORDER`,
      load.saturatedAt !== null
        ? `latency versus load: saturates at ${loadRateLabel(load.saturatedAt)} offered (achieved ${formatRate(last!.achieved)}); the rows stop there`
        : `latency versus load: kept up with every rate offered, up to ${loadRateLabel(last?.rate ?? 0)}; it saturates above that`,
      `load rows: the example program's bus and producer (npm run example --rates: fsync 'batch', 8 accounts, 4 symbols, seed 42, capacity 65536), ${load.warmUpOrders} orders flat out to warm up, then ${load.durationSec} s per rate, ×${o.full ? '√2' : '2'} apart, drained between rates; latency from each order's due time (coordinated omission corrected) to the ack stage (after the journal's durable sequence and the exchange); saturated = the producer ended > 5 % of the stretch (≥ 10 ms) behind or published < 95 % of the offered orders; mean not measured (the program's probes keep percentiles)`,
    ],
    quick: o.quick,
  };
}
