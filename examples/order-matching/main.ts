/**
 * The order-matching example: the main job of `npm run example`.
 *
 *   producer (main thread) ─▶ ring ─┬─▶ journal (own worker, fsync per batch) ───┐
 *                                   └─▶ exchange (worker "engine") ─────────────┴─▶ ack
 *
 * exchange runs risk → match → settle of each command in one handler (exchange/Exchange.ts), so
 * its decisions do not depend on batch boundaries; the journal has its own worker so that fsyncs
 * do not stall matching; ack runs after both, so nothing is acknowledged before it is durable and
 * matched. pipeline.ts adds the reports ring (startExchangePipeline).
 *
 * Usage: node dist/examples/order-matching/main.js [--events N] [--seed S] [--data-dir D]
 *          [--fsync batch|none|<ms>] [--capacity N] [--json]
 * Without --data-dir it uses a fresh temporary directory; with one, a second run recovers the
 * first run's state (snapshot + journal) before it publishes more.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { RingBus, type BusMetrics, type PlacementReport } from '../../src/index.js';
import type { FsyncPolicy } from '../../src/persistence/JournalWriter.js';
import { OrderCommand } from './events.js';
import { demoExchangeOptions, type ExchangeOptions } from './exchange/config.js';
import { ExchangeFlow, exchangeFlowTranslator } from './exchange/exchangeFlow.js';
import type { AckSnapshot } from './handlers/ack.js';

export interface OrderMatchingBusOptions {
  dataDir: string;
  fsync?: FsyncPolicy;
  capacity?: number;
  domain?: ExchangeOptions;
  snapshotEveryEvents?: number;
  /** 'split' (default): journal on its own worker; 'shared': every handler on one worker. */
  placement?: 'split' | 'shared';
}

/** Builds (does not start) the order-matching bus. */
export function buildOrderMatchingBus(o: OrderMatchingBusOptions): RingBus {
  const domain = o.domain ?? demoExchangeOptions();
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
  // risk → match → settle of each command in one handler (exchange/Exchange.ts); reports ring: see pipeline.ts
  const exchange = bus.handler('exchange', url('exchange'), { worker: 'engine', options: domain });
  const ack = bus.handler('ack', url('ack'), { worker: 'engine' });
  bus.handleEventsWith(bus.journal, exchange);
  bus.after(bus.journal, exchange).handleEventsWith(ack);
  return bus;
}

export interface OrderMatchingReport {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSec: number;
  readonly stateHash: string;
  readonly acks: AckSnapshot;
  readonly recovered: { readonly from: number | null; readonly replayed: number };
  readonly metrics: BusMetrics;
  readonly placement: PlacementReport;
}

/** Runs `events` commands from a seeded flow through the bus and reports. */
export async function runOrderMatching(
  o: OrderMatchingBusOptions & { events: number; seed: number },
): Promise<OrderMatchingReport> {
  const domain = o.domain ?? demoExchangeOptions();
  const bus = buildOrderMatchingBus({ ...o, domain });
  await bus.start();
  try {
    const r = bus.recovery!;
    const flow = new ExchangeFlow({
      seed: o.seed,
      exchange: domain,
      firstOrderId: r.replayedThrough + 2,
      firstTime: (r.replayedThrough + 2) * 1_000,
    });
    const t0 = performance.now();
    for (let i = 0; i < o.events; i++) {
      bus.publishWith(exchangeFlowTranslator as never, flow);
      // give the event loop a turn now and then (periodic snapshots run there)
      if ((i & 0xffff) === 0xffff) await new Promise((resolve) => setImmediate(resolve));
    }
    await bus.drain({ timeoutMs: 120_000 });
    const seconds = (performance.now() - t0) / 1000;
    const { states } = await bus.captureState();
    const { hash } = await bus.stateHash();
    return {
      events: o.events,
      seconds,
      eventsPerSec: o.events / seconds,
      stateHash: hash,
      acks: states.ack as AckSnapshot,
      recovered: { from: r.snapshot?.sequence ?? null, replayed: Math.max(0, r.replayedThrough - r.startSequence + 1) },
      metrics: await bus.metrics(),
      placement: bus.placement(),
    };
  } finally {
    await bus.shutdown();
  }
}

function printText(r: OrderMatchingReport, dataDir: string): void {
  const lines: string[] = [];
  lines.push(
    `ringbus order-matching: ${r.events.toLocaleString('en')} commands in ${r.seconds.toFixed(2)} s = ${Math.round(r.eventsPerSec).toLocaleString('en')} commands/s`,
  );
  if (r.recovered.from !== null || r.recovered.replayed > 0)
    lines.push(`recovered from snapshot ${r.recovered.from ?? '(none)'} + ${r.recovered.replayed} journaled events`);
  lines.push(
    `accepted ${r.acks.accepted}, rejected ${r.acks.rejected}, filled ${r.acks.filled}; last acknowledged sequence ${r.acks.lastSequence}`,
  );
  lines.push('');
  lines.push('stage        events      p50 µs    p99 µs  p99.99 µs    max µs   batch p50');
  for (const [name, h] of Object.entries(r.metrics.handlers)) {
    const l = h.latencyNs;
    const us = (ns: number): string => (ns / 1000).toFixed(1).padStart(9);
    lines.push(
      `${name.padEnd(10)} ${String(h.eventsProcessed).padStart(8)} ${us(l.p50)} ${us(l.p99)} ${us(l.p9999).padStart(10)} ${us(l.max)}   ${String(h.batchSize.p50).padStart(9)}`,
    );
  }
  lines.push(
    '(latency: from the producer stamping the command to the stage finishing its batch; the producer publishes as fast as back-pressure allows, so queueing dominates)',
  );
  lines.push('');
  lines.push(
    `placement: producer on the ${r.placement.producer}; ${r.placement.workers.map((w) => `${w.name} [${w.handlers.join(', ')}] ${w.waitStrategy}${w.pinned ? ` pinned to ${w.cpus}` : ''}`).join('; ')}; ${r.placement.cores} cores`,
  );
  for (const w of r.placement.warnings) lines.push(`warning: ${w}`);
  lines.push(`state hash ${r.stateHash}`);
  lines.push(
    dataDir === ''
      ? 'data directory: temporary, removed (pass --data-dir D to keep it and recover from it next run)'
      : `data directory ${dataDir} (inspect with: npm run -s ringbus -- journal verify --data-dir ${dataDir})`,
  );
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '42' },
      'data-dir': { type: 'string' },
      fsync: { type: 'string', default: 'batch' },
      capacity: { type: 'string', default: String(1 << 16) },
      json: { type: 'boolean', default: false },
    },
  });
  const events = Number(values.events);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(events) || events < 1)
    throw new Error(`--events must be a positive integer, got ${values.events}`);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`--seed must be a non-negative integer, got ${values.seed}`);
  const fsync: FsyncPolicy =
    values.fsync === 'batch' || values.fsync === 'none' ? values.fsync : { everyMs: Number(values.fsync) };
  const temporary = values['data-dir'] === undefined;
  const dataDir = values['data-dir'] ?? mkdtempSync(join(tmpdir(), 'ringbus-order-matching-'));
  try {
    const report = await runOrderMatching({ dataDir, fsync, capacity: Number(values.capacity), events, seed });
    if (values.json) console.log(JSON.stringify(report));
    else printText(report, temporary ? '' : dataDir);
  } finally {
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
