/**
 * The order-matching bus as `npm run example` and the benchmarks run it:
 *
 *   producer (main thread) ─▶ ring ─┬─▶ journal (own worker, fsync per batch) ───────────┐
 *                                   └─▶ risk ─▶ matching ─▶ portfolio   (worker "engine")  ├─▶ ack
 *                                                     └──────────────────────────────────┘
 *
 * risk, matching and portfolio share one worker (they run in order over each batch, no hop); the
 * journal has its own so that fsyncs do not stall matching; ack runs after both the journal and
 * matching, so nothing is acknowledged before it is durable and matched.
 */
import { RingBus, type FsyncPolicy, type HandlerRef } from '../../src/index.js';
import { demoOptions, type OrderMatchingOptions } from './config.js';
import { OrderCommand } from './events.js';

export interface OrderMatchingBusOptions {
  dataDir: string;
  fsync?: FsyncPolicy;
  capacity?: number;
  domain?: OrderMatchingOptions;
  snapshotEveryEvents?: number;
  /** 'split' (default): journal on its own worker; 'shared': every handler on one worker. */
  placement?: 'split' | 'shared';
}

export interface OrderMatchingStages {
  readonly risk: HandlerRef;
  readonly matching: HandlerRef;
  readonly portfolio: HandlerRef;
  readonly ack: HandlerRef;
}

/** Builds (does not start) the bus and returns its stages, so more stages can be wired after them. */
export function buildOrderMatchingStages(o: OrderMatchingBusOptions): { bus: RingBus; stages: OrderMatchingStages } {
  const domain = o.domain ?? demoOptions();
  const bus = new RingBus({
    event: OrderCommand,
    capacity: o.capacity ?? 1 << 16,
    workers: { engine: {}, journal: {} },
    persistence: {
      dataDir: o.dataDir,
      fsync: o.fsync ?? 'batch',
      snapshotEvery: { events: o.snapshotEveryEvents ?? 500_000 },
      worker: o.placement === 'shared' ? 'engine' : 'journal',
    },
  });
  const url = (name: string): URL => new URL(`./handlers/${name}.js`, import.meta.url);
  const risk = bus.handler('risk', url('risk'), { worker: 'engine', options: domain });
  const matching = bus.handler('matching', url('matching'), { worker: 'engine', options: domain });
  const portfolio = bus.handler('portfolio', url('portfolio'), { worker: 'engine', options: domain });
  const ack = bus.handler('ack', url('ack'), { worker: 'engine' });
  bus.handleEventsWith(bus.journal, risk).then(matching);
  bus.after(matching).handleEventsWith(portfolio);
  bus.after(bus.journal, matching).handleEventsWith(ack);
  return { bus, stages: { risk, matching, portfolio, ack } };
}

/** Builds (does not start) the order-matching bus. */
export function buildOrderMatchingBus(o: OrderMatchingBusOptions): RingBus {
  return buildOrderMatchingStages(o).bus;
}
