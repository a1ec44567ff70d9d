/**
 * bus.metrics() and bus.placement() over real workers: after N events and a drain, every handler
 * reports sequence == cursor, lag 0, N events processed, at least one batch, batch-size and
 * latency percentiles over the right counts and in order; the placement lists each worker with
 * its handlers.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { DEFAULT_WORKER, RingBus, type Percentiles } from '../../src/index.js';
import { waitUntil } from '../helpers/workers.js';
import { fillEvent, isParked, newResults, openGate, readCells, TestEvent } from './fixtures/events.js';
import type { CheckerOptions } from './fixtures/checker.js';

const CHECKER = new URL('./fixtures/checker.js', import.meta.url);

function assertOrdered(p: Percentiles, what: string): void {
  assert.ok(
    p.p50 <= p.p90 && p.p90 <= p.p99 && p.p99 <= p.p999 && p.p999 <= p.max,
    `${what}: percentiles out of order ${JSON.stringify(p)}`,
  );
  assert.ok(p.p50 >= 1, `${what}: p50 ${p.p50}`);
  assert.ok(p.mean > 0 && p.mean <= p.max, `${what}: mean ${p.mean}, max ${p.max}`);
}

describe('bus metrics and placement', () => {
  it('should report, per handler, sequence == cursor, lag 0, N events, batches and ordered percentiles over N latencies', async () => {
    const N = 50_000;
    const results = newResults(4);
    const bus = new RingBus({ event: TestEvent, capacity: 1024 });
    const opts = (slot: number, role: CheckerOptions['role']): CheckerOptions => ({ results, slot, role, mixed: true });
    const a = bus.handler('a', CHECKER, { worker: 'left', options: opts(0, 'a') });
    const b = bus.handler('b', CHECKER, { worker: 'right', options: opts(1, 'b') });
    const c = bus.handler('c', CHECKER, { worker: 'left', options: opts(2, 'check-ab') });
    const d = bus.handler('d', CHECKER, { options: opts(3, 'plain') });
    bus.handleEventsWith(a, b, d).then(c);
    await bus.start();
    try {
      const before = await bus.metrics();
      assert.equal(before.cursor, -1);
      for (const name of ['a', 'b', 'c', 'd']) {
        const h = before.handlers[name]!;
        assert.deepEqual(
          [h.sequence, h.lag, h.eventsProcessed, h.batches, h.latencyNs.count],
          [-1, 0, 0, 0, 0],
          `${name} before any event`,
        );
      }

      for (let i = 0; i < N; i++) bus.publishWith(fillEvent, null);
      await bus.drain();
      const m = await bus.metrics();
      assert.equal(m.cursor, N - 1);
      assert.deepEqual(Object.keys(m.handlers).sort(), ['a', 'b', 'c', 'd']);
      const workers: Record<string, string> = { a: 'left', b: 'right', c: 'left', d: DEFAULT_WORKER };
      for (const [name, h] of Object.entries(m.handlers)) {
        assert.equal(h.worker, workers[name], `${name} worker`);
        assert.equal(h.sequence, m.cursor, `${name} sequence`);
        assert.equal(h.lag, 0, `${name} lag`);
        assert.equal(h.eventsProcessed, N, `${name} events`);
        assert.ok(h.batches >= 1 && h.batches <= N, `${name} batches ${h.batches}`);
        assert.equal(h.batchSize.count, h.batches, `${name}: one batch-size sample per batch`);
        assert.ok(h.batchSize.max <= 1024, `${name}: a batch never exceeds the ring (${h.batchSize.max})`);
        assertOrdered(h.batchSize, `${name} batch size`);
        assert.equal(h.latencyNs.count, N, `${name}: one latency sample per event`);
        assertOrdered(h.latencyNs, `${name} latency`);
      }
      ['a', 'b', 'c', 'd'].forEach((name, slot) => {
        const cells = readCells(results, slot);
        const h = m.handlers[name]!;
        assert.equal(cells.errors, 0);
        assert.equal(cells.batchStarts, h.batches, `${name}: onBatchStart once per batch the metrics counted`);
        assert.equal(cells.endOfBatch, h.batches, `${name}: endOfBatch once per batch`);
        assert.equal(cells.batchEvents, N, `${name}: the batch sizes add up to the events`);
      });

      // counters keep growing with the next events
      for (let i = 0; i < 10; i++) bus.publishWith(fillEvent, null);
      await bus.drain();
      const again = await bus.metrics();
      for (const h of Object.values(again.handlers)) {
        assert.equal(h.eventsProcessed, N + 10);
        assert.equal(h.latencyNs.count, N + 10);
        assert.equal(h.sequence, N + 9);
      }

      const p = bus.placement();
      assert.deepEqual(p.workers.map((w) => [w.name, [...w.handlers].sort()]).sort(), [
        [DEFAULT_WORKER, ['d']],
        ['left', ['a', 'c']],
        ['right', ['b']],
      ]);
      // 1 producer + 3 workers may spin: 'phased' only if they fit the cores (waitChoice.ts)
      const expected = 4 <= p.cores ? 'phased' : 'blocking';
      assert.match(p.waits, /^4 thread\(s\) may spin/);
      for (const w of p.workers) {
        assert.equal(w.waitStrategy, expected);
        assert.equal(w.pinned, false);
        assert.equal(w.cpus, null);
      }
      assert.equal(p.producer, 'main thread');
      assert.equal(p.cores, availableParallelism());
      assert.deepEqual(p.warnings, [], 'phased or blocking waiting on 3 workers spins nobody');
    } finally {
      await bus.shutdown();
    }
  });

  it('should report a lagging handler: sequence, lag = cursor - sequence', async () => {
    const K = 20;
    const N = 100;
    const results = newResults(2);
    const bus = new RingBus({ event: TestEvent, capacity: 1024 });
    const slow = bus.handler('slow', CHECKER, {
      worker: 'w1',
      options: { results, slot: 0, role: 'plain', blockAt: K } satisfies CheckerOptions,
    });
    const fast = bus.handler('fast', CHECKER, {
      worker: 'w2',
      options: { results, slot: 1, role: 'plain' } satisfies CheckerOptions,
    });
    bus.handleEventsWith(slow, fast);
    await bus.start();
    try {
      // slow finishes 0 … K-1, then parks at K at the start of its next batch: its sequence stays K-1
      for (let i = 0; i < K; i++) bus.publishWith(fillEvent, null);
      await bus.drain();
      for (let i = K; i < N; i++) bus.publishWith(fillEvent, null);
      await waitUntil(
        () => isParked(results, 0) && readCells(results, 1).count === N,
        () => `slow ${JSON.stringify(readCells(results, 0))}, fast ${JSON.stringify(readCells(results, 1))}`,
      );
      const m = await bus.metrics({ timeoutMs: 200 }); // the parked worker cannot answer: its counters may be stale, sequences are not
      assert.equal(m.cursor, N - 1);
      assert.equal(m.handlers.fast!.sequence, N - 1);
      assert.equal(m.handlers.fast!.lag, 0);
      assert.equal(m.handlers.fast!.eventsProcessed, N);
      assert.equal(m.handlers.slow!.sequence, K - 1);
      assert.equal(m.handlers.slow!.lag, N - K);
    } finally {
      const halting = bus.halt();
      openGate(results, 0);
      await halting;
      await bus.shutdown();
    }
  });
});
