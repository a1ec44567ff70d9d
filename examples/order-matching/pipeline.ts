/**
 * The exchange as two rings of one BusGroup, built from options in one call:
 *
 *   producer ─▶ COMMANDS RING ─┬─▶ journal (worker "journal", fsync per batch)
 *                              └─▶ exchange: risk → match → settle per command (worker "engine")
 *                                     │ publishes execution reports (outbound 'reports')
 *                                     ▼
 *                               REPORTS RING ──▶ pnl, marketData (worker "reports")
 *                                            └─▶ reportSink, gated on commands.journal: a report
 *                                                 is released once its command (report.sequence)
 *                                                 is durable in the journal
 *
 * The group starts the reports ring's workers before the commands ring's; drain and shutdown go
 * commands first, then reports, so every report of every drained command has been consumed when
 * drain() resolves; a halt of either ring halts the other.
 */
import { BusGroup, RingBus, type PlacementReport } from '../../src/index.js';
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
  /** Both rings ('commands', 'reports'): group-wide metrics(), placement() with the links, halt(). */
  readonly group: BusGroup;
  readonly commands: RingBus<OrderCommandFlyweight>;
  readonly reports: RingBus<ExecutionReportFlyweight> | null;
  drain(timeoutMs?: number): Promise<void>;
  shutdown(): Promise<void>;
  /** Each ring's placement, commands first. */
  placement(): PlacementReport[];
}

const H = (name: string): URL => new URL(`./handlers/${name}.js`, import.meta.url);

/** Builds and starts both rings (with persistence: the commands ring recovers first; see `commands.recovery`). */
export async function startExchangePipeline(o: ExchangePipelineOptions): Promise<ExchangePipeline> {
  const group = new BusGroup();
  const persistent = o.dataDir !== undefined;
  const commands = group.add(
    'commands',
    new RingBus<OrderCommandFlyweight>({
      event: OrderCommand,
      capacity: o.capacity ?? 1 << 16,
      workers: persistent ? { engine: {}, journal: {} } : { engine: {} },
      persistence: persistent
        ? {
            dataDir: o.dataDir!,
            fsync: o.fsync ?? 'batch',
            snapshotEvery: { events: o.snapshotEveryEvents ?? 500_000 },
            worker: 'journal',
          }
        : undefined,
    }),
  );
  let reports: RingBus<ExecutionReportFlyweight> | null = null;
  if (o.reports !== false) {
    reports = group.add(
      'reports',
      new RingBus({
        event: ExecutionReportEvent,
        capacity: o.reportsCapacity ?? 1 << 16,
        workers: { reports: {} },
        // multi: the exchange handler publishes reports, and the main thread publishes snapshot markers
        producerType: 'multi',
        producerLabel: 'exchange handler',
      }),
    );
    group.outbound(commands, 'reports', reports);
    const pnl = reports.handler('pnl', H('pnl'), { worker: 'reports', options: o.exchange });
    const md = reports.handler('marketData', H('marketData'), { worker: 'reports' });
    const sink = reports.handler('reportSink', H('reportSink'), { worker: 'reports' });
    reports.handleEventsWith(pnl, md);
    // with a journal, the sink releases a report only once its command is durable
    if (persistent) group.after(commands.journal, { sequenceField: 'sequence' }).handleEventsWith(sink);
    else reports.handleEventsWith(sink);
  }
  const exchange = commands.handler('exchange', H('exchange'), {
    worker: 'engine',
    options: reports ? { ...o.exchange, reportsRing: 'reports' } : o.exchange,
  });
  const ack = commands.handler('ack', H('ack'), { worker: 'engine' });
  if (persistent) {
    commands.handleEventsWith(commands.journal, exchange);
    commands.after(commands.journal, exchange).handleEventsWith(ack);
  } else commands.handleEventsWith(exchange).then(ack);
  await group.start();
  return {
    group,
    commands,
    reports,
    drain: (timeoutMs = 120_000) => group.drain({ timeoutMs }),
    shutdown: () => group.shutdown({ timeoutMs: 120_000 }),
    placement: () => Object.values(group.placement().rings),
  };
}
