/**
 * The journal's durable sequence in a running bus (real workers, real files): a stage placed after
 * bus.journal sees only what the fsync policy calls durable, an idle periodic journal syncs on
 * time under 'blocking' waits, and bus.metrics().journal reports the syncs.
 *
 *   | observed                                                        | verdict   |
 *   |-----------------------------------------------------------------|-----------|
 *   | the ack stage behind the durable sequence                       | required  |
 *   | the ack stage ahead of metrics().journal.durableSequence        | FORBIDDEN |
 *   | an idle { everyMs } journal never syncing its last events       | FORBIDDEN |
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingBus, type FsyncPolicy, type WorkerOptions } from '../../src/index.js';
import { waitUntil } from '../helpers/workers.js';
import { fillEvent, newResults, readCells, TestEvent } from './fixtures/events.js';
import type { CheckerOptions } from './fixtures/checker.js';

const CHECKER = new URL('./fixtures/checker.js', import.meta.url);

async function withBus(
  fsync: FsyncPolicy,
  waitStrategy: WorkerOptions['waitStrategy'],
  body: (bus: RingBus, acked: () => number) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ringbus-durable-seq-'));
  const results = newResults(1);
  const bus = new RingBus({
    event: TestEvent,
    capacity: 1024,
    ...(waitStrategy ? { waitStrategy } : {}),
    workers: { journal: {}, engine: {} },
    persistence: { dataDir: dir, fsync, worker: 'journal' },
  });
  const ack = bus.handler('ack', CHECKER, {
    worker: 'engine',
    options: { results, slot: 0, role: 'plain', mixed: true } satisfies CheckerOptions,
  });
  bus.handleEventsWith(bus.journal).then(ack);
  await bus.start();
  try {
    await body(bus, () => readCells(results, 0).count);
  } finally {
    await bus.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
  const c = readCells(results, 0);
  assert.equal(c.errors, 0, `ack stage: ${c.errors} bad events, first at ${c.firstBad}`);
}

describe('the journal durable sequence in a running bus', () => {
  it('should never let a stage after the journal get ahead of the durable sequence ({ everyMs: 50 })', async () => {
    await withBus({ everyMs: 50 }, undefined, async (bus, acked) => {
      let samples = 0;
      let behind = 0;
      for (let round = 0; round < 40; round++) {
        for (let i = 0; i < 500; i++) bus.publishWith(fillEvent, null);
        await new Promise((resolve) => setImmediate(resolve));
        const seen = acked(); // sequences 0 … seen-1 reached the ack stage
        const j = (await bus.metrics()).journal!;
        assert.ok(j.durableSequence >= seen - 1, `ack saw ${seen - 1}, durable is ${j.durableSequence}`);
        assert.ok(
          j.writtenSequence >= j.durableSequence,
          `written ${j.writtenSequence} < durable ${j.durableSequence}`,
        );
        if (j.writtenSequence > j.durableSequence) behind++;
        samples++;
      }
      await bus.drain({ timeoutMs: 60_000 });
      const j = (await bus.metrics()).journal!;
      assert.equal(j.durableSequence, 40 * 500 - 1);
      assert.ok(j.syncs >= 1 && j.groupSize.count === j.syncs, `syncs ${j.syncs}, groups ${j.groupSize.count}`);
      // the check above means something only if writes did run ahead of syncs at some sample
      assert.ok(behind > 0, `in ${samples} samples the journal was never written ahead of durable`);
    });
  });

  it("should sync an idle periodic journal's last events on time under 'blocking' waits", async () => {
    await withBus({ everyMs: 100 }, 'blocking', async (bus, acked) => {
      for (let i = 0; i < 10; i++) bus.publishWith(fillEvent, null);
      // hang guard only: the idle hook is due after ~100 ms; counting idle passes made it ~51 s
      await waitUntil(
        () => acked() === 10,
        () => `ack stage saw ${acked()} of 10`,
        30_000,
        5,
      );
      const j = (await bus.metrics()).journal!;
      assert.equal(j.durableSequence, 9);
      assert.ok(j.syncs >= 1);
    });
  });

  it("should count one group per fdatasync under 'batch', covering every event", async () => {
    await withBus('batch', undefined, async (bus) => {
      for (let i = 0; i < 5000; i++) bus.publishWith(fillEvent, null);
      await bus.drain({ timeoutMs: 60_000 });
      const j = (await bus.metrics()).journal!;
      assert.equal(j.durableSequence, 4999);
      assert.equal(j.writtenSequence, 4999);
      assert.equal(j.groupSize.count, j.syncs);
      assert.ok(j.syncLatencyNs.count === j.syncs && j.syncLatencyNs.p50 > 0, JSON.stringify(j.syncLatencyNs));
      assert.ok(j.groupSize.max >= 1 && j.groupSize.max <= 5000 * 1.125, JSON.stringify(j.groupSize));
    });
  });

  it('should block on the journal-only worker and say why in placement()', async () => {
    await withBus('none', undefined, async (bus) => {
      const p = bus.placement();
      assert.equal(p.workers.find((w) => w.name === 'journal')!.waitStrategy, 'blocking');
      assert.match(p.waits, /journal off the latency path/);
    });
  });
});
