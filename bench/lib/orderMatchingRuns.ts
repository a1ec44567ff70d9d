/**
 * One timed run of each kind the `order-matching` benchmark measures. Every run starts fresh
 * (fresh bus or worker, fresh handler state, the same seeded order flow) and returns its elapsed
 * ns plus what it reached (per-stage hashes and ack counters), so the scenario can check that the
 * bus, the single-thread loop and the postMessage baseline all computed the same thing.
 */
import { Worker } from 'node:worker_threads';
import { RingBuffer, RingBus, type BusMetrics, type PlacementReport } from '../../src/index.js';
import type { FsyncPolicy } from '../../src/index.js';
import type { OrderMatchingOptions } from '../../examples/order-matching/config.js';
import {
  OrderCommand,
  type OrderCommandFlyweight,
  type OrderCommandInput,
} from '../../examples/order-matching/events.js';
import { createOrderFlow, orderFlowTranslator } from '../../examples/order-matching/generator.js';
import type { AckSnapshot } from '../../examples/order-matching/handlers/ack.js';
import { buildFirstPipelineBus as buildOrderMatchingBus } from '../../examples/order-matching/firstPipeline.js';
import { createStages, outcomeOf, type StagesOutcome } from '../workers/orderMatchingStages.js';
import { removeDir, tempDir } from './journalRecovery.js';
import { nowNs } from './timing.js';

export const SEED = 42;

export interface BusRun {
  readonly ns: number;
  readonly outcome: StagesOutcome;
  readonly metrics: BusMetrics;
  readonly placement: PlacementReport;
}

export interface BusRunOptions {
  readonly fsync: FsyncPolicy;
  readonly placement: 'split' | 'shared';
  readonly events: number;
  /** Offered load in commands/s (bursts every ms, sleeping in between); omit to publish as fast as back-pressure allows. */
  readonly paceRate?: number;
  /** false: the same engine stages without persistence (no journal stage at all); default true. */
  readonly journal?: boolean;
}

/** The example's engine (risk → matching → portfolio, ack after matching) on worker "engine", without persistence. */
function buildEngineOnlyBus(domain: OrderMatchingOptions): RingBus {
  const bus = new RingBus({ event: OrderCommand, capacity: 1 << 16, workers: { engine: {} } });
  const url = (name: string): URL => new URL(`../../examples/order-matching/handlers/${name}.js`, import.meta.url);
  const risk = bus.handler('risk', url('risk'), { worker: 'engine', options: domain });
  const matching = bus.handler('matching', url('matching'), { worker: 'engine', options: domain });
  const portfolio = bus.handler('portfolio', url('portfolio'), { worker: 'engine', options: domain });
  const ack = bus.handler('ack', url('ack'), { worker: 'engine' });
  bus.handleEventsWith(risk).then(matching);
  bus.after(matching).handleEventsWith(portfolio, ack);
  return bus;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * The example's bus (buildOrderMatchingBus: journal on worker "journal" or shared, risk →
 * matching → portfolio → ack on worker "engine", snapshots every 500k events) in a fresh
 * temporary data directory; publishes the seeded flow with the zero-allocation translator, as
 * the example program does flat out (examples/order-matching/cli/pacing.ts), and times from the
 * first publish to drained.
 */
export async function runBus(domain: OrderMatchingOptions, o: BusRunOptions): Promise<BusRun> {
  const dataDir = tempDir('order-matching');
  try {
    const bus =
      o.journal === false
        ? buildEngineOnlyBus(domain)
        : buildOrderMatchingBus({ dataDir, fsync: o.fsync, placement: o.placement, domain });
    await bus.start();
    try {
      const flow = createOrderFlow({ seed: SEED, accounts: domain.accounts, symbols: domain.symbols });
      const t0 = nowNs();
      if (o.paceRate === undefined) {
        for (let i = 0; i < o.events; i++) {
          bus.publishWith(orderFlowTranslator as never, flow);
          if ((i & 0xffff) === 0xffff) await new Promise((resolve) => setImmediate(resolve)); // periodic snapshots run on the event loop
        }
      } else {
        const burst = Math.max(1, Math.round(o.paceRate / 1000));
        const start = performance.now();
        for (let i = 0; i < o.events;) {
          const wait = start + (i * 1000) / o.paceRate - performance.now();
          if (wait > 0.02) Atomics.wait(sleeper, 0, 0, wait);
          const end = Math.min(o.events, i + burst);
          for (; i < end; i++) bus.publishWith(orderFlowTranslator as never, flow);
          if ((i & 0xffff) < burst) await new Promise((resolve) => setImmediate(resolve));
        }
      }
      await bus.drain({ timeoutMs: 300_000 });
      const ns = nowNs() - t0;
      const metrics = await bus.metrics();
      const { states } = await bus.captureState();
      const { handlers } = await bus.stateHash();
      return { ns, outcome: outcomeOf(handlers, states.ack as AckSnapshot), metrics, placement: bus.placement() };
    } finally {
      await bus.shutdown();
    }
  } finally {
    removeDir(dataDir);
  }
}

/** Single thread, no bus, no journal: the seeded flow into a ring in batches of `batch`, then the four stages over each batch. */
export function runSingleThread(
  domain: OrderMatchingOptions,
  events: number,
  batch = 512,
): { ns: number; outcome: StagesOutcome } {
  const ring = new RingBuffer<OrderCommandFlyweight>({
    capacity: 4096,
    event: OrderCommand,
    producerType: 'single',
    waitStrategy: 'yielding',
  });
  const flow = createOrderFlow({ seed: SEED, accounts: domain.accounts, symbols: domain.symbols });
  const stages = createStages(domain);
  const handlers = stages.handlers;
  const t0 = nowNs();
  let lo = ring.getCursor() + 1;
  for (let i = 0; i < events; i += batch) {
    const m = Math.min(batch, events - i);
    for (let k = 0; k < m; k++) ring.publishWith(orderFlowTranslator, flow);
    const hi = lo + m - 1;
    for (let h = 0; h < handlers.length; h++)
      for (let s = lo; s <= hi; s++) handlers[h]!.onEvent(ring.get(s), s, s === hi);
    lo = hi + 1;
  }
  return { ns: nowNs() - t0, outcome: stages.outcome() };
}

/**
 * The postMessage baseline: a fresh worker running the four stages; the main thread posts the
 * seeded flow, one plain object per message (`batch` 1) or arrays of `batch` objects, with no
 * flow control (the fastest way to use it), and the run ends when the worker's reply arrives.
 */
export async function runPostMessage(
  domain: OrderMatchingOptions,
  events: number,
  batch: number,
): Promise<{ ns: number; outcome: StagesOutcome }> {
  const worker = new Worker(new URL('../workers/orderMatchingBaseline.js', import.meta.url), {
    workerData: { domain },
  });
  try {
    const reply = <T>(type: string): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const onMessage = (m: { type?: string }): void => {
          if (m.type !== type) return;
          worker.off('message', onMessage);
          worker.off('error', reject);
          resolve(m as T);
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
      });
    await reply('ready');
    const done = reply<{ count: number; outcome: StagesOutcome }>('done');
    worker.postMessage({ cmd: 'begin', n: events });
    const flow = createOrderFlow({ seed: SEED, accounts: domain.accounts, symbols: domain.symbols });
    const t0 = nowNs();
    if (batch === 1) {
      const c: OrderCommandInput = { command: 0, orderId: 0, accountId: 0, symbolId: 0, side: 0, price: 0, qty: 0 };
      for (let i = 0; i < events; i++) {
        flow.next(c);
        worker.postMessage(c);
      }
    } else {
      for (let i = 0; i < events; i += batch) {
        const m = Math.min(batch, events - i);
        const list: OrderCommandInput[] = new Array(m);
        for (let k = 0; k < m; k++) {
          const c: OrderCommandInput = { command: 0, orderId: 0, accountId: 0, symbolId: 0, side: 0, price: 0, qty: 0 };
          flow.next(c);
          list[k] = c;
        }
        worker.postMessage(list);
      }
    }
    const r = await done;
    const ns = nowNs() - t0;
    if (r.count !== events) throw new Error(`postMessage baseline processed ${r.count} commands, expected ${events}`);
    return { ns, outcome: r.outcome };
  } finally {
    await worker.terminate();
  }
}
