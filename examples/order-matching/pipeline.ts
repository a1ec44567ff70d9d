/**
 * The exchange as two rings, built from options in one call:
 *
 *   producer ─▶ COMMANDS RING ─┬─▶ journal (worker "journal", fsync per batch)
 *                              └─▶ exchange: risk → match → settle per command (worker "engine")
 *                                     │ publishes execution reports
 *                                     ▼
 *                               REPORTS RING ──▶ pnl, marketData, reportSink (worker "reports")
 *
 * The reports bus starts first (its ring must exist before the commands bus names it as an
 * outbound ring); drain and shutdown go commands first, then reports, so every report of every
 * drained command has been consumed when drain() resolves.
 */
import { RingBus, type PlacementReport } from '../../src/index.js';
import type { FsyncPolicy } from '../../src/persistence/JournalWriter.js';
import { OrderCommand, type OrderCommandFlyweight } from './events.js';
import type { ExchangeOptions } from './exchange/config.js';
import { ExecutionReportEvent, type ExecutionReportFlyweight } from './exchange/reportEvent.js';

export interface ExchangePipelineOptions {
  readonly exchange: ExchangeOptions;
  /** Journal and snapshots here; omit for no persistence. */
  readonly dataDir?: string;
  readonly fsync?: FsyncPolicy;
  /** Commands ring capacity (default 65536). */
  readonly capacity?: number;
  /** Reports ring capacity (default 65536). */
  readonly reportsCapacity?: number;
  readonly snapshotEveryEvents?: number;
  /** false: no reports ring (the engine still keeps its report digest). Default true. */
  readonly reports?: boolean;
}

export interface ExchangePipeline {
  readonly commands: RingBus<OrderCommandFlyweight>;
  readonly reports: RingBus<ExecutionReportFlyweight> | null;
  drain(timeoutMs?: number): Promise<void>;
  shutdown(): Promise<void>;
  placement(): PlacementReport[];
}

const H = (name: string): URL => new URL(`./handlers/${name}.js`, import.meta.url);

/** Builds and starts both buses (with persistence: the commands bus recovers first; see `commands.recovery`). */
export async function startExchangePipeline(o: ExchangePipelineOptions): Promise<ExchangePipeline> {
  let reports: RingBus<ExecutionReportFlyweight> | null = null;
  if (o.reports !== false) {
    reports = new RingBus({
      event: ExecutionReportEvent,
      capacity: o.reportsCapacity ?? 1 << 16,
      workers: { reports: {} },
      // multi: the exchange handler publishes reports, and the main thread publishes snapshot markers
      producerType: 'multi',
      producerLabel: 'exchange handler',
    });
    const pnl = reports.handler('pnl', H('pnl'), { worker: 'reports', options: o.exchange });
    const md = reports.handler('marketData', H('marketData'), { worker: 'reports' });
    const sink = reports.handler('reportSink', H('reportSink'), { worker: 'reports' });
    reports.handleEventsWith(pnl, md, sink);
    await reports.start();
  }
  const commands = new RingBus<OrderCommandFlyweight>({
    event: OrderCommand,
    capacity: o.capacity ?? 1 << 16,
    workers: o.dataDir !== undefined ? { engine: {}, journal: {} } : { engine: {} },
    outbound: reports ? { reports: reports.publisherDescriptor().ring } : undefined,
    persistence:
      o.dataDir !== undefined
        ? {
            dataDir: o.dataDir,
            fsync: o.fsync ?? 'batch',
            snapshotEvery: { events: o.snapshotEveryEvents ?? 500_000 },
            worker: 'journal',
          }
        : undefined,
  });
  const exchange = commands.handler('exchange', H('exchange'), {
    worker: 'engine',
    options: reports ? { ...o.exchange, reportsRing: 'reports' } : o.exchange,
  });
  const ack = commands.handler('ack', H('ack'), { worker: 'engine' });
  if (o.dataDir !== undefined) {
    commands.handleEventsWith(commands.journal, exchange);
    commands.after(commands.journal, exchange).handleEventsWith(ack);
  } else commands.handleEventsWith(exchange).then(ack);
  try {
    await commands.start();
  } catch (error) {
    await reports?.shutdown();
    throw error;
  }
  return {
    commands,
    reports,
    async drain(timeoutMs = 120_000) {
      await commands.drain({ timeoutMs });
      await reports?.drain({ timeoutMs });
    },
    async shutdown() {
      try {
        await commands.shutdown();
      } finally {
        await reports?.shutdown();
      }
    },
    placement: () => (reports ? [commands.placement(), reports.placement()] : [commands.placement()]),
  };
}
