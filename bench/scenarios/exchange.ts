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
import { removeDir, tempDir } from '../lib/journalRecovery.js';
import { machineInfo } from '../lib/machine.js';
import type { BenchOptions } from '../lib/options.js';
import { describePlacement } from '../lib/placement.js';
import type { BenchReport, BenchResult } from '../lib/report.js';
import { nowNs } from '../lib/timing.js';

const SEED = 42;
const options = demoExchangeOptions({ accounts: 16, symbols: 4 });

function commands(n: number): ExchangeFlowCommand[] {
  const flow = new ExchangeFlow({ seed: SEED, exchange: options });
  return Array.from({ length: n }, () => {
    const c = {
      command: 0,
      orderId: 0,
      accountId: 0,
      symbolId: 0,
      side: 0,
      price: 0,
      qty: 0,
      tif: 0,
      flags: 0,
      time: 0,
    };
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
    ],
    quick: o.quick,
  };
}
