/**
 * Lifecycle over real workers: shutdown() drains in-flight events and runs every handler's
 * onShutdown once (onStart ran once too); halt() stops at once without draining; drain() with a
 * handler stuck in onEvent rejects with RINGBUS_ERR_DRAIN_TIMEOUT naming it, and shutdown/halt
 * still finish (a stuck worker is terminated after the timeout); publishing after shutdown or
 * halt throws a coded error. Nothing here may hang.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { RingBus } from '../../src/index.js';
import { nextMessage, startWorker, waitUntil } from '../helpers/workers.js';
import { fillEvent, isParked, newResults, nudgeGate, openGate, readCells, TestEvent } from './fixtures/events.js';
import type { CheckerOptions } from './fixtures/checker.js';
import { coded } from '../helpers/assertions.js';

const CHECKER = new URL('./fixtures/checker.js', import.meta.url);

/** first (checker slot 0, worker w1, may park at blockAt) → second (slot 1, worker w2), and side (slot 2, w2) off the ring. */
function busWith(blockAt?: number, capacity = 8192): { bus: RingBus; results: SharedArrayBuffer } {
  const results = newResults(3);
  const bus = new RingBus({ event: TestEvent, capacity });
  const first = bus.handler('first', CHECKER, {
    worker: 'w1',
    options: {
      results,
      slot: 0,
      role: 'a',
      mixed: true,
      ...(blockAt !== undefined ? { blockAt } : {}),
    } satisfies CheckerOptions,
  });
  const second = bus.handler('second', CHECKER, {
    worker: 'w2',
    options: { results, slot: 1, role: 'check-a', mixed: true } satisfies CheckerOptions,
  });
  const side = bus.handler('side', CHECKER, {
    worker: 'w2',
    options: { results, slot: 2, role: 'plain', mixed: true } satisfies CheckerOptions,
  });
  bus.handleEventsWith(first, side);
  bus.after(first).then(second);
  return { bus, results };
}

const publish = (bus: RingBus, n: number): void => {
  for (let i = 0; i < n; i++) bus.publishWith(fillEvent, null);
};

describe('bus lifecycle', () => {
  it('should drain in-flight events on shutdown() and call onStart and onShutdown once per handler', async () => {
    const N = 200_000;
    const { bus, results } = busWith();
    await bus.start();
    for (const slot of [0, 1, 2])
      await waitUntil(
        () => readCells(results, slot).starts === 1,
        () => `onStart of slot ${slot}`,
      );
    publish(bus, N);
    await bus.shutdown(); // no drain() before: shutdown must drain
    assert.equal(bus.state, 'stopped');
    for (const slot of [0, 1, 2]) {
      const c = readCells(results, slot);
      assert.deepEqual(
        { count: c.count, errors: c.errors, last: c.last, starts: c.starts, shutdowns: c.shutdowns },
        { count: N, errors: 0, last: N - 1, starts: 1, shutdowns: 1 },
        `handler slot ${slot}`,
      );
    }
    assert.equal(bus.haltError, null);
    assert.throws(() => bus.publishWith(fillEvent, null), coded('RINGBUS_ERR_BUS_STATE', 'stopped'));
    await bus.shutdown();
    await bus.halt();
    assert.equal(readCells(results, 0).shutdowns, 1, 'a second shutdown/halt calls no handler again');
  });

  it('should stop at once on halt() without draining: the parked handler finishes its event and takes no further one', async () => {
    const K = 100;
    const M = 1000;
    const { bus, results } = busWith(K);
    const haltEvents: Error[] = [];
    bus.on('halt', (e: Error) => haltEvents.push(e));
    await bus.start();
    publish(bus, K + 1);
    await waitUntil(
      () => isParked(results, 0),
      () => `first parked at ${K}: ${JSON.stringify(readCells(results, 0))}`,
    );
    publish(bus, M); // K+1 … K+M are in the ring, never handed to 'first' (it is inside the batch that ended at K)
    const halting = bus.halt();
    openGate(results, 0);
    await halting;
    assert.equal(bus.state, 'halted');
    const first = readCells(results, 0);
    assert.deepEqual(
      { count: first.count, last: first.last, errors: first.errors },
      { count: K + 1, last: K, errors: 0 },
    );
    assert.ok(readCells(results, 1).count <= K + 1, 'second ran after first only');
    assert.equal(readCells(results, 2).errors, 0);
    for (const slot of [0, 1, 2])
      assert.deepEqual([readCells(results, slot).starts, readCells(results, slot).shutdowns], [1, 1], `slot ${slot}`);
    assert.equal(haltEvents.length, 1);
    assert.equal(bus.haltError, haltEvents[0]);
    assert.throws(() => bus.publishWith(fillEvent, null), coded('RINGBUS_ERR_BUS_HALTED', 'halt() was called'));
    await assert.rejects(bus.drain(), coded('RINGBUS_ERR_BUS_HALTED'));
    await bus.shutdown();
    assert.equal(bus.state, 'stopped');
    assert.throws(() => bus.publishWith(fillEvent, null), coded('RINGBUS_ERR_BUS_HALTED'));
    assert.equal(readCells(results, 0).shutdowns, 1);
  });

  it('should reject drain() with RINGBUS_ERR_DRAIN_TIMEOUT naming the stuck handler, then halt() once the handler returns', async () => {
    const K = 5;
    const { bus, results } = busWith(K);
    await bus.start();
    publish(bus, 50);
    await waitUntil(
      () => isParked(results, 0),
      () => 'first parked',
    );
    await assert.rejects(bus.drain({ timeoutMs: 100 }), (e: unknown) => {
      coded('RINGBUS_ERR_DRAIN_TIMEOUT', 'timeoutMs=100', 'first at', 'second at')(e);
      assert.ok(!(e as Error).message.includes('side at'), `side is not behind: ${(e as Error).message}`);
      return true;
    });
    assert.equal(bus.state, 'running', 'a drain timeout alone does not stop the bus');
    const halting = bus.halt();
    openGate(results, 0);
    await halting;
    await bus.shutdown();
    assert.equal(bus.state, 'stopped');
    assert.equal(readCells(results, 0).shutdowns, 1);
  });

  it('should finish shutdown() with a handler stuck forever: the drain timeout is thrown and the stuck worker is terminated', async () => {
    const K = 5;
    const { bus, results } = busWith(K);
    const halted = once(bus, 'halt') as Promise<[Error]>;
    await bus.start();
    publish(bus, 50);
    await waitUntil(
      () => isParked(results, 0),
      () => 'first parked',
    );
    // the check below can fail: while its worker lives, the parked handler is a thread waiting on the gate
    await waitUntil(
      () => nudgeGate(results, 0) === 1,
      () => 'first waiting on its gate',
    );
    await assert.rejects(bus.shutdown({ timeoutMs: 200 }), coded('RINGBUS_ERR_DRAIN_TIMEOUT', 'first at'));
    assert.equal(bus.state, 'stopped');
    const [error] = await halted;
    assert.match(error.message, /shut down|failed drain/);
    assert.throws(() => bus.publishWith(fillEvent, null), coded('RINGBUS_ERR_BUS_HALTED', 'failed drain'));
    // the stuck worker was terminated: its onShutdown never ran; the other worker stopped normally
    assert.equal(readCells(results, 0).shutdowns, 0);
    assert.equal(readCells(results, 2).shutdowns, 1);
    // a worker still alive would be woken here, take event K and run onShutdown: nobody waits any more
    assert.equal(openGate(results, 0), 0, 'a thread still waited on the gate: the stuck worker was not terminated');
    assert.deepEqual([readCells(results, 0).count, readCells(results, 0).shutdowns], [K, 0]);
  });

  it('should refuse a gateway worker that publishes after shutdown() instead of parking it on a ring nobody consumes', async () => {
    const capacity = 64;
    const { bus, results } = busWith(undefined, capacity);
    await bus.start();
    const gateway = startWorker<{ published: number; code: string | null; message: string | null }>(
      new URL('./fixtures/lateGateway.js', import.meta.url),
      { descriptor: bus.publisherDescriptor() },
    );
    await nextMessage(gateway.worker, 'attached');
    publish(bus, 10);
    await bus.shutdown();
    gateway.worker.postMessage({ go: 4 * capacity });
    // hang guard only (a parked gateway never answers): far longer than the refusal takes
    let guard: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => (guard = setTimeout(() => resolve('hung'), 10_000)));
    const r = await Promise.race([gateway.result, hung]);
    clearTimeout(guard);
    if (r === 'hung') {
      await gateway.worker.terminate();
      assert.fail('the gateway publisher parked on the full ring of a stopped bus');
    }
    assert.equal(r.published, 0, `published after shutdown: ${JSON.stringify(r)}`);
    assert.ok(
      r.code === 'RINGBUS_ERR_BUS_HALTED' || r.code === 'RINGBUS_ERR_BUS_STATE',
      `coded refusal: ${JSON.stringify(r)}`,
    );
    assert.match(r.message ?? '', /shut down|stopped/);
    assert.equal(readCells(results, 0).count, 10);
  });

  it('should still drain and stop every worker when an onShutdown throws, then reject with RINGBUS_ERR_HANDLER_FAILED naming the handler', async () => {
    const results = newResults(2);
    const bus = new RingBus({ event: TestEvent, capacity: 1024 });
    const ok = bus.handler('ok', CHECKER, {
      worker: 'w1',
      options: { results, slot: 0, role: 'plain' } satisfies CheckerOptions,
    });
    const grumpy = bus.handler('grumpy', new URL('./fixtures/failingShutdown.js', import.meta.url), {
      worker: 'w2',
      options: { results, slot: 1 },
    });
    bus.handleEventsWith(ok, grumpy);
    await bus.start();
    publish(bus, 5000);
    await assert.rejects(
      bus.shutdown(),
      coded('RINGBUS_ERR_HANDLER_FAILED', "'grumpy'", 'onShutdown broken on purpose'),
    );
    assert.equal(bus.state, 'stopped');
    assert.equal(readCells(results, 0).count, 5000);
    assert.equal(readCells(results, 1).count, 5000);
    assert.equal(readCells(results, 0).shutdowns, 1);
  });
});
