/**
 * The exchange on real buses (worker threads, two rings): the same seeded commands published in
 * batches of different sizes into rings of different capacities give the same engine state hash
 * as the engine run alone on one thread, and the report stream that reaches the reports ring is
 * the engine's (same digest, same count). With a journal, a restart recovers (snapshot + journal
 * tail) to the same hash. Seed: RINGBUS_SEED.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoExchangeOptions, validateExchangeOptions } from '../../../examples/order-matching/exchange/config.js';
import { Exchange } from '../../../examples/order-matching/exchange/Exchange.js';
import {
  ExchangeFlow,
  exchangeFlowTranslator,
  type ExchangeFlowCommand,
} from '../../../examples/order-matching/exchange/exchangeFlow.js';
import { startExchangePipeline, type ExchangePipeline } from '../../../examples/order-matching/pipeline.js';
import type { ReportSinkSnapshot } from '../../../examples/order-matching/handlers/reportSink.js';

const SEED = Number(process.env.RINGBUS_SEED ?? 7) >>> 0;
const N = 6000;
// half the accounts throttled (event time from the commands' `time` field) and with tight cash, so
// risk decisions depend on earlier fills
const demo = demoExchangeOptions({ accounts: 8, symbols: 3 });
const options = validateExchangeOptions({
  ...demo,
  accounts: demo.accounts.map((a, i) =>
    i % 2 === 0 ? { ...a, cash: 3_000_000, burst: 4, refillNs: 3_000, shortLimit: 300, stpMode: 1 + (i % 4) } : a,
  ),
});

function expected(count: number): { hash: string; digest: string } {
  const engine = new Exchange(options);
  const flow = new ExchangeFlow({ seed: SEED, exchange: options });
  const c = { command: 0, orderId: 0, accountId: 0, symbolId: 0, side: 0, price: 0, qty: 0, tif: 0, flags: 0, time: 0 };
  for (let i = 0; i < count; i++) {
    flow.next(c);
    engine.process(c);
  }
  return { hash: engine.stateHash(), digest: engine.digest.digest() };
}

async function publish(p: ExchangePipeline, flow: ExchangeFlow, count: number, chunk: number): Promise<void> {
  for (let i = 0; i < count;) {
    for (let j = 0; j < chunk && i < count; j++, i++)
      p.commands.publishWith(exchangeFlowTranslator as never, flow as unknown as ExchangeFlowCommand);
    if (chunk < count) await p.drain(60_000);
  }
  await p.drain(60_000);
}

describe('exchange pipeline on real buses', () => {
  const want = expected(N);

  for (const [capacity, chunk] of [
    [16, 7],
    [1024, 500],
    [8192, N],
  ] as const) {
    it(`should reach the single-thread state hash and report digest with capacity ${capacity}, batches of ≤ ${chunk}`, async () => {
      const p = await startExchangePipeline({ exchange: options, capacity, reportsCapacity: capacity });
      try {
        await publish(p, new ExchangeFlow({ seed: SEED, exchange: options }), N, chunk);
        const { handlers } = await p.commands.stateHash();
        assert.equal(handlers.exchange, want.hash, `seed ${SEED}`);
        const sink = (await p.reports!.captureState()).states.reportSink as ReportSinkSnapshot;
        assert.equal(sink.digest, want.digest, `seed ${SEED}: the reports ring carried the engine's report stream`);
      } finally {
        await p.shutdown();
      }
    });
  }

  for (const [capacity, reportsCapacity] of [
    [64, 16],
    [4096, 8192],
  ] as const) {
    it(`should release each report only once its command is durable (fsync batch, rings ${capacity}/${reportsCapacity})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ringbus-exchange-gate-'));
      try {
        const p = await startExchangePipeline({
          exchange: options,
          dataDir: dir,
          fsync: 'batch',
          capacity,
          reportsCapacity,
        });
        try {
          await publish(p, new ExchangeFlow({ seed: SEED, exchange: options }), N, 1000);
          const sink = (await p.reports!.captureState()).states.reportSink as ReportSinkSnapshot;
          // checked inside the sink for every report, against the durable sequence at that moment
          assert.equal(sink.gateViolations, 0, `seed ${SEED}: reports released before their command was durable`);
          assert.equal(sink.digest, want.digest, `seed ${SEED}: the gated sink saw the engine's report stream`);
          const m = await p.group.metrics();
          assert.ok(
            sink.lastSequence <= m.commands!.journal!.durableSequence,
            'last report within the durable journal',
          );
          assert.deepEqual(Object.keys(m), ['commands', 'reports']);
          assert.match(p.group.placement().links.join('\n'), /'reportSink' runs after 'journal' passed event.sequence/);
        } finally {
          await p.shutdown();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('should recover from a snapshot and the journal tail to the same state hash after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-exchange-'));
    try {
      const flow = new ExchangeFlow({ seed: SEED, exchange: options });
      const first = await startExchangePipeline({
        exchange: options,
        dataDir: dir,
        snapshotEveryEvents: 1000,
        reports: false,
      });
      try {
        await publish(first, flow, N / 2, N / 2);
        await first.commands.snapshot();
        await publish(first, flow, N / 2, N / 2);
      } finally {
        await first.shutdown();
      }
      const second = await startExchangePipeline({ exchange: options, dataDir: dir, reports: false });
      try {
        assert.ok(second.commands.recovery!.snapshot !== null, 'recovery used a snapshot');
        assert.equal((await second.commands.stateHash()).handlers.exchange, want.hash, `seed ${SEED}`);
      } finally {
        await second.shutdown();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
