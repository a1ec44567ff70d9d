/**
 * External progress lines (src/topology/progressLines.ts) in a running bus with real workers and a
 * real journal: the line's writer here is the test thread (ProgressLineWriter), moving the line
 * by seeded random steps.
 *
 *   | observed                                                          | verdict   |
 *   |-------------------------------------------------------------------|-----------|
 *   | the stage after the line reaches exactly the line                 | required  |
 *   | the stage after the line past the line                            | FORBIDDEN |
 *   | the line past the journal's durable sequence                      | FORBIDDEN |
 *   | a publish beyond line + maxLagEvents                              | FORBIDDEN |
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProgressLineWriter, RingBus, type ProgressLineOptions } from '../../src/index.js';
import { createPrng, freshSeed, seedFromEnv } from '../helpers/prng.js';
import { waitUntil } from '../helpers/workers.js';
import type { CheckerOptions } from './fixtures/checker.js';
import { fillEvent, newResults, readCells, TestEvent } from './fixtures/events.js';
import { busFromManifest } from '../../src/topology/busFromManifest.js';
import { Entry, valueOf } from '../recovery/fixtures/events.js';

const CHECKER = new URL('./fixtures/checker.js', import.meta.url);

async function withLine(
  options: ProgressLineOptions,
  body: (bus: RingBus, writer: ProgressLineWriter, seen: () => number) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ringbus-progress-line-'));
  const results = newResults(1);
  const bus = new RingBus({ event: TestEvent, capacity: 256, persistence: { dataDir: dir, fsync: 'none' } });
  const line = bus.addProgressLine('replicated', options);
  let writer: ProgressLineWriter | null = null;
  line.onRingReady((d) => (writer = new ProgressLineWriter(d)));
  const ack = bus.handler('ack', CHECKER, {
    options: { results, slot: 0, role: 'plain', mixed: true } satisfies CheckerOptions,
  });
  bus.after(line).handleEventsWith(ack);
  await bus.start();
  assert.ok(writer !== null, 'onRingReady ran during start()');
  try {
    await body(bus, writer, () => readCells(results, 0).count - 1);
  } finally {
    await bus.halt();
    rmSync(dir, { recursive: true, force: true });
  }
  const c = readCells(results, 0);
  assert.equal(c.errors, 0, `ack stage: ${c.errors} bad events, first at ${c.firstBad}`);
}

const durableOf = async (bus: RingBus): Promise<number> => (await bus.metrics()).journal!.durableSequence;

describe('external progress lines', () => {
  it('should let a stage after a progress line see exactly the events the line has passed', async () => {
    const seed = seedFromEnv(freshSeed());
    console.log(`progress line seed ${seed} (RINGBUS_SEED=${seed} replays it)`);
    const rnd = createPrng(seed);
    await withLine({}, async (bus, writer, seen) => {
      let published = -1;
      for (let round = 0; round < 60; round++) {
        const n = rnd.int(1, 100);
        for (let i = 0; i < n; i++) published = bus.tryPublishWith(fillEvent, null) >= 0 ? published + 1 : published;
        const target = Math.min(published, writer.sequence() + rnd.int(0, 120));
        await waitUntil(
          () => writer.durable() >= target,
          () => `journal durable ${writer.durable()} < ${target}`,
        );
        assert.equal(writer.advance(target), Math.max(target, writer.sequence()));
        const line = writer.sequence();
        await waitUntil(
          () => {
            const s = seen();
            assert.ok(s <= line, `seed ${seed}: the stage saw ${s}, beyond the line at ${line}`);
            return s === line;
          },
          () => `seed ${seed}: the stage at ${seen()}, the line at ${line}`,
        );
        assert.equal(bus.progressSequence(bus.progressLineOf('replicated')), line);
      }
    });
  });

  it('should never move the line past the journal durable sequence', async () => {
    await withLine({}, async (bus, writer) => {
      for (let i = 0; i < 100; i++) bus.publishWith(fillEvent, null);
      const line = writer.advance(1_000_000);
      assert.ok(line <= 99, `line ${line} beyond the last event 99`);
      await waitUntil(
        () => writer.durable() === 99,
        () => `durable ${writer.durable()}`,
      );
      assert.equal(writer.advance(1_000_000), 99);
      assert.equal(await durableOf(bus), 99);
    });
  });

  it('should hold publishers at line + maxLagEvents', async () => {
    await withLine({ maxLagEvents: 10 }, async (bus, writer) => {
      let n = 0;
      while (bus.tryPublishWith(fillEvent, null) >= 0) n++;
      assert.equal(n, 10, 'publishes allowed ahead of a line at -1');
      assert.throws(
        () => bus.publishEventWithTimeout({ value: 0, check: 0 }, 20),
        (e: { code?: string }) => e.code === 'RINGBUS_ERR_PUBLISH_TIMEOUT',
      );
      await waitUntil(
        () => writer.durable() === 9,
        () => `durable ${writer.durable()}`,
      );
      assert.equal(writer.advance(4), 4);
      let more = 0;
      while (bus.tryPublishWith(fillEvent, null) >= 0) more++;
      assert.equal(more, 5, 'the line moved by 5: five more publishes');
      assert.equal(bus.ring.getCursor(), 14);
    });
  });

  it('should halt the bus with the writer message when the writer gives up', async () => {
    await withLine({}, async (bus, writer) => {
      writer.halt('replication stopped: RINGBUS_ERR_REPLICATION_FENCED: another leader appended');
      assert.throws(
        () => bus.publishWith(fillEvent, null),
        (e: { code?: string; message: string }) =>
          e.code === 'RINGBUS_ERR_BUS_HALTED' && e.message.includes('RINGBUS_ERR_REPLICATION_FENCED'),
      );
    });
  });

  it("should give the writer's coded error as the halt's cause when it fails with a code", async () => {
    await withLine({}, async (bus, writer) => {
      writer.fail('replication', 'RINGBUS_ERR_REPLICATION_GAP', 'the journal was pruned past 41');
      assert.throws(
        () => bus.publishWith(fillEvent, null),
        (e: { code?: string; message: string; cause?: { code?: string; message?: string } }) =>
          e.code === 'RINGBUS_ERR_BUS_HALTED' &&
          e.message.includes('replication stopped: RINGBUS_ERR_REPLICATION_GAP') &&
          e.cause?.code === 'RINGBUS_ERR_REPLICATION_GAP' &&
          e.cause.message === 'the journal was pruned past 41',
      );
      assert.equal((bus.haltError as { cause?: { code?: string } }).cause?.code, 'RINGBUS_ERR_REPLICATION_GAP');
    });
  });

  it('should rebuild a bus with a progress line from its manifest (stages after the line run after the journal)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-progress-line-'));
    try {
      const bus = new RingBus({ event: Entry, capacity: 1024, persistence: { dataDir: dir, fsync: 'none' } });
      const line = bus.addProgressLine('replicated');
      let writer: ProgressLineWriter | null = null;
      line.onRingReady((d) => (writer = new ProgressLineWriter(d)));
      const ledger = bus.handler('ledger', new URL('../recovery/fixtures/ledger.js', import.meta.url));
      bus.after(line).handleEventsWith(ledger);
      await bus.start();
      // the writer is this thread: stay within the ring so publishing never waits for the line
      for (let i = 0; i < 300; i++) bus.publishEvent({ counter: i, value: valueOf(3, i), account: i % 7 });
      // the state-hash control event (sequence 300) reaches the ledger once the line passes it too
      const hashing = bus.stateHash();
      await waitUntil(
        () => writer!.advance(300) === 300,
        () => `line at ${writer!.sequence()}`,
      );
      const live = await hashing;
      assert.equal(live.sequence, 300);
      await bus.shutdown();
      const rebuilt = busFromManifest({ dataDir: dir, readOnly: true, recoverTo: { sequence: live.sequence } });
      await rebuilt.start();
      await rebuilt.drain();
      const replayed = await rebuilt.stateHash();
      await rebuilt.shutdown();
      assert.equal(replayed.hash, live.hash);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should refuse progress lines without persistence, twice the same name, bad bounds or after start', async () => {
    const plain = new RingBus({ event: TestEvent });
    assert.throws(() => plain.addProgressLine('replicated'), { code: 'RINGBUS_ERR_BUS_STATE' });
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-progress-line-'));
    try {
      const bus = new RingBus({ event: TestEvent, persistence: { dataDir: dir } });
      bus.addProgressLine('replicated');
      assert.throws(() => bus.addProgressLine('replicated'), { code: 'RINGBUS_ERR_TOPOLOGY' });
      assert.throws(() => bus.addProgressLine('journal'), { code: 'RINGBUS_ERR_TOPOLOGY' });
      assert.throws(
        () => bus.addProgressLine('x', { maxLagEvents: 0 }),
        /maxLagEvents must be a positive integer, got 0/,
      );
      assert.throws(() => bus.progressLineOf('nope'), { code: 'RINGBUS_ERR_TOPOLOGY' });
      await bus.start();
      assert.throws(() => bus.addProgressLine('late'), { code: 'RINGBUS_ERR_BUS_STATE' });
      await bus.shutdown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
