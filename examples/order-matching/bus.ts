/**
 * The commands bus that `npm run example` runs: the exchange engine (handlers/exchange.ts) behind
 * the journal, with the acknowledgement stage after both:
 *
 *   producer (main thread) ─▶ COMMANDS RING ─┬─▶ journal (own worker, fsync per batch) ─────┐
 *                                            └─▶ exchange: risk → match → settle            ├─▶ ack
 *                                                (worker "engine") ─────────────────────────┘
 *
 * The exchange runs each command's risk check, matching and settlement in one handler on the
 * engine worker; the journal has its own worker so that fsyncs do not stall matching; ack runs
 * after bus.journal (which gates on the journal's durable sequence) and the exchange, so nothing
 * is acknowledged before it is durable and decided.
 *
 * This bus has no reports ring: the exchange keeps its execution-report digest (part of its state
 * and state hash) but publishes no reports. pipeline.ts (startExchangePipeline) adds the reports
 * ring and its consumers on a third worker; the program leaves it out so that it busy-runs no more
 * threads than a 2-core machine carries and the latency path stays producer → engine.
 */
import { RingBus, type FsyncPolicy, type HandlerRef } from '../../src/index.js';
import { OrderCommand } from './events.js';
import { demoExchangeOptions, type ExchangeOptions } from './exchange/config.js';

export interface OrderMatchingBusOptions {
  dataDir: string;
  fsync?: FsyncPolicy;
  capacity?: number;
  /** The exchange's accounts and instruments (default demoExchangeOptions()). */
  domain?: ExchangeOptions;
  snapshotEveryEvents?: number;
  /** 'split' (default): journal on its own worker; 'shared': every handler on one worker. */
  placement?: 'split' | 'shared';
  /** Commands the engine worker warms up on before its first event (exchange/warmUp.ts); default 0. */
  warmupCommands?: number;
  /** The exchange publishes its execution reports to this outbound ring (a BusGroup link; cli/leader.ts). */
  reportsRing?: string;
  /**
   * What ack waits for besides the exchange, given the new bus: default `bus.journal` (durable
   * here); e.g. BusReplication's line (replicated: 'sync' replication, cli/leader.ts).
   */
  ackAfter?: (bus: RingBus) => HandlerRef;
}

/**
 * The journaled commands bus both pipelines start from (no handlers yet): an engine worker and,
 * unless placement is 'shared', a journal worker of its own.
 */
export function newCommandsBus(o: Omit<OrderMatchingBusOptions, 'domain'>): RingBus {
  return new RingBus({
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
}

export interface OrderMatchingStages {
  readonly exchange: HandlerRef;
  readonly ack: HandlerRef;
}

/** Builds (does not start) the bus and returns its stages, so more stages can be wired after them. */
export function buildOrderMatchingStages(o: OrderMatchingBusOptions): { bus: RingBus; stages: OrderMatchingStages } {
  const domain = o.domain ?? demoExchangeOptions();
  const bus = newCommandsBus(o);
  const url = (name: string): URL => new URL(`./handlers/${name}.js`, import.meta.url);
  const options = {
    ...domain,
    ...(o.warmupCommands ? { warmupCommands: o.warmupCommands } : {}),
    ...(o.reportsRing !== undefined ? { reportsRing: o.reportsRing } : {}),
  };
  const exchange = bus.handler('exchange', url('exchange'), { worker: 'engine', options });
  const ack = bus.handler('ack', url('ack'), { worker: 'engine', options: { exchangeCounts: true } });
  const durable = o.ackAfter?.(bus) ?? bus.journal;
  bus.handleEventsWith(bus.journal, exchange);
  bus.after(durable, exchange).handleEventsWith(ack);
  return { bus, stages: { exchange, ack } };
}

/** Builds (does not start) the order-matching bus. */
export function buildOrderMatchingBus(o: OrderMatchingBusOptions): RingBus {
  return buildOrderMatchingStages(o).bus;
}
