/**
 * More threads than cores with the default waits: 4 gateway threads publish into a 64-slot
 * multi-producer ring consumed by 2 workers, on this 2-core machine. Correctness only (speed is
 * in the bench): the fixed workload completes and every consumer sees every sequence once, in
 * order, with the producer's bytes.
 *
 *   | observed                                                   | verdict   |
 *   |------------------------------------------------------------|-----------|
 *   | the workload completes (drain returns)                     | required  |
 *   | a consumer misses, repeats or reorders a sequence          | FORBIDDEN |
 *   | the bus lets more threads spin than there are cores        | FORBIDDEN |
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { RingBus } from '../../src/index.js';
import { startWorker } from '../helpers/workers.js';
import { newResults, readCells, TestEvent } from './fixtures/events.js';
import type { CheckerOptions } from './fixtures/checker.js';

const CHECKER = new URL('./fixtures/checker.js', import.meta.url);
const GATEWAY = new URL('./fixtures/gateway.js', import.meta.url);
const SCALE = Number(process.env.RINGBUS_STRESS_SCALE ?? 1) || 1;
const PER_PRODUCER = Math.round(50_000 * SCALE);

describe('oversubscription with the default waits', () => {
  it('should complete 4 producers and 2 consumers on a 64-slot ring, every event once and in order', async () => {
    const results = newResults(2);
    const bus = new RingBus({ event: TestEvent, capacity: 64, producerType: 'multi' });
    const consumers = ['c1', 'c2'].map((name, slot) =>
      bus.handler(name, CHECKER, {
        worker: `w${slot}`,
        options: { results, slot, role: 'plain', mixed: true } satisfies CheckerOptions,
      }),
    );
    bus.handleEventsWith(...consumers);
    await bus.start();
    try {
      const placement = bus.placement();
      const spinning = placement.workers.filter((w) => w.waitStrategy !== 'blocking').length;
      // 4 gateways + 2 workers cannot all spin on 2 cores: the bus must have chosen to block
      if (availableParallelism() < 6)
        assert.equal(spinning, 0, `workers that may spin: ${spinning} (${placement.waits})`);
      assert.match(placement.waits, /may spin/);
      const descriptor = bus.publisherDescriptor();
      assert.equal(descriptor.ring.waitStrategy.type, spinning === 0 ? 'blocking' : 'phased');
      const gateways = [0, 1, 2, 3].map(() =>
        startWorker<{ first: number; last: number }>(GATEWAY, { descriptor, events: PER_PRODUCER }),
      );
      await Promise.all(gateways.map((g) => g.result));
      await bus.drain({ timeoutMs: 300_000 });
    } finally {
      await bus.shutdown();
    }
    for (const slot of [0, 1]) {
      const c = readCells(results, slot);
      assert.equal(c.errors, 0, `consumer ${slot}: ${c.errors} bad events, first at ${c.firstBad}`);
      assert.equal(c.count, 4 * PER_PRODUCER, `consumer ${slot} saw ${c.count} of ${4 * PER_PRODUCER}`);
      assert.equal(c.last, 4 * PER_PRODUCER - 1, `consumer ${slot} ended at ${c.last}`);
    }
  });
});
