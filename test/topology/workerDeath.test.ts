/**
 * Supervision: when a handler worker dies — an exception escaping the worker loop, process.exit
 * in a handler, running out of heap — the bus halts with RINGBUS_ERR_WORKER_DIED naming the
 * worker and the cause; publishing then throws that error instead of blocking, even for a
 * producer that was already parked on a full ring when the worker died; the other workers stop
 * (their onShutdown runs) and shutdown() resolves.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { RingBus, type WorkerOptions } from '../../src/index.js';
import { fillEvent, newResults, readCells, TestEvent } from './fixtures/events.js';
import type { CheckerOptions } from './fixtures/checker.js';
import type { DyingOptions } from './fixtures/dying.js';

const CHECKER = new URL('./fixtures/checker.js', import.meta.url);
const DYING = new URL('./fixtures/dying.js', import.meta.url);

function assertWorkerDied(e: unknown, cause: RegExp): void {
  assert.ok(e instanceof Error, `expected an Error, got ${String(e)}`);
  assert.equal((e as { code?: string }).code, 'RINGBUS_ERR_WORKER_DIED', e.message);
  assert.ok(e.message.includes("worker 'doomed'"), `names the worker: ${e.message}`);
  assert.ok(e.message.includes('d1'), `names the worker's handler: ${e.message}`);
  assert.match(e.message, cause);
}

/** healthy (checker, worker 'ok', slot 0) beside d1 (dying, worker 'doomed', slot 1). */
function doomedBus(
  mode: DyingOptions['mode'],
  at: number,
  capacity: number,
  doomed: WorkerOptions = {},
): { bus: RingBus; results: SharedArrayBuffer } {
  const results = newResults(2);
  const bus = new RingBus({ event: TestEvent, capacity, workers: { doomed } });
  const healthy = bus.handler('healthy', CHECKER, {
    worker: 'ok',
    options: { results, slot: 0, role: 'plain', mixed: true } satisfies CheckerOptions,
  });
  const d1 = bus.handler('d1', DYING, {
    worker: 'doomed',
    options: { results, slot: 1, mode, at } satisfies DyingOptions,
  });
  bus.handleEventsWith(healthy, d1);
  return { bus, results };
}

/** Publishes up to `n` events; returns [how many were published, the error that stopped it or null]. */
function publishUntilRefused(bus: RingBus, n: number): [number, unknown] {
  for (let i = 0; i < n; i++) {
    try {
      bus.publishWith(fillEvent, null);
    } catch (error) {
      return [i, error];
    }
  }
  return [n, null];
}

describe('worker death', () => {
  for (const { label, mode, cause, limits } of [
    {
      label: 'an exception escaping the worker loop (onBatchStart throws)',
      mode: 'batch-start-throw',
      cause: /uncaught .*onBatchStart broken on purpose/,
    },
    { label: 'process.exit(3) in onEvent', mode: 'exit', cause: /exited with code 3/ },
    {
      label: 'running out of heap (resourceLimits)',
      mode: 'oom',
      cause: /out of memory/i,
      limits: { resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } },
    },
  ] as const) {
    it(`should halt with RINGBUS_ERR_WORKER_DIED naming the worker and the cause on ${label}`, async () => {
      const { bus, results } = doomedBus(mode, 10, 4096, limits ?? {});
      const halted = once(bus, 'halt') as Promise<[Error]>;
      await bus.start();
      try {
        const [, refused] = publishUntilRefused(bus, 2000);
        const [error] = await halted;
        assertWorkerDied(error, cause);
        assert.equal(bus.haltError, error);
        assert.equal(bus.state, 'halted');
        if (refused !== null) assertWorkerDied(refused, cause);
        assert.throws(
          () => bus.publishWith(fillEvent, null),
          (e: unknown) => (assertWorkerDied(e, cause), true),
        );
        assert.throws(
          () => bus.publishEvent({ value: 0, check: 0 }),
          (e: unknown) => (assertWorkerDied(e, cause), true),
        );
        await assert.rejects(bus.drain(), (e: unknown) => (assertWorkerDied(e, cause), true));
      } finally {
        await bus.shutdown();
      }
      assert.equal(bus.state, 'stopped');
      assert.equal(readCells(results, 0).shutdowns, 1, 'the healthy worker stopped through onShutdown');
      assert.equal(readCells(results, 0).errors, 0);
    });
  }

  it('should wake a producer parked on a full ring with RINGBUS_ERR_WORKER_DIED when a worker dies, and shut down without hanging', async () => {
    const capacity = 64;
    const { bus, results } = doomedBus('exit-when-producer-blocked', 0, capacity);
    await bus.start();
    let published: number;
    let refused: unknown;
    try {
      // d1 never finishes sequence 0: the ring fills after `capacity` events, the next publish parks
      [published, refused] = publishUntilRefused(bus, 10 * capacity);
      assert.equal(published, capacity, 'the publish that found the ring full is the one that failed');
      assertWorkerDied(refused, /exited with code 3/);
      assert.throws(
        () => bus.publishWith(fillEvent, null),
        (e: unknown) => (assertWorkerDied(e, /exited with code 3/), true),
      );
    } finally {
      await bus.shutdown();
    }
    assert.equal(bus.state, 'stopped');
    assertWorkerDied(bus.haltError, /exited with code 3/);
    assert.equal(readCells(results, 1).count, 0);
    assert.equal(readCells(results, 0).shutdowns, 1);
  });
});
