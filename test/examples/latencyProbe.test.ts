/**
 * The latency probe (examples/order-matching/cli/latencyProbe.ts + probeHandler.ts), in one thread
 * with a real ring: what it records, in order, skipping replayed sequences; and that the probe
 * stage plus the producer side allocate nothing per order (GC count over 2 million orders).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import { RingBuffer, type Flyweight } from '../../src/index.js';
import type { HandlerContext } from '../../src/processing/Handler.js';
import { OrderCommand, type OrderCommandFlyweight } from '../../examples/order-matching/events.js';
import { LatencyProbe } from '../../examples/order-matching/cli/latencyProbe.js';
import probeModule, { type ProbeOptions } from '../../examples/order-matching/cli/probeHandler.js';

const CAPACITY = 1024;

function setUp(replayThrough = -1) {
  const ring = new RingBuffer<OrderCommandFlyweight>({ capacity: CAPACITY, event: OrderCommand });
  const probe = new LatencyProbe('test', CAPACITY);
  const ctx: HandlerContext<ProbeOptions> = {
    name: 'probe',
    workerName: 'main',
    options: probe.handlerOptions(),
    ring: ring as unknown as RingBuffer<Flyweight>,
    isReplay: (s) => s <= replayThrough,
    outbound: () => {
      throw new Error('none');
    },
  };
  const handler = probeModule.factory(ctx);
  const event = ring.get(0);
  return { ring, probe, handler, event };
}

describe('latency probe', () => {
  it('should record each order once, oldest first, from its due time to the end of its batch', () => {
    const { ring, probe, handler, event } = setUp();
    const due = ring.now();
    for (let s = 0; s < 10; s++) probe.expect(s, due - 1000 * s); // earlier due → longer latency
    for (let s = 0; s < 4; s++) handler.onEvent(event, s, s === 3);
    assert.equal(probe.harvest(), 4);
    assert.equal(probe.pending, 6);
    assert.equal(probe.harvest(), 0, 'nothing more is done');
    for (let s = 4; s < 10; s++) handler.onEvent(event, s, s === 9);
    assert.equal(probe.harvest(), 6);
    const p = probe.percentiles();
    assert.equal(p.count, 10);
    assert.ok(p.p50 >= 1 && p.max >= 9000, `max ${p.max} covers the 9 µs earlier due time`);
    probe.destroy();
  });

  it('should not stamp replayed sequences and should survive a handler without a buffer', () => {
    const { ring, probe, handler, event } = setUp(4);
    for (let s = 0; s < 8; s++) handler.onEvent(event, s, s === 7);
    for (let s = 0; s < 5; s++) probe.expect(s, ring.now());
    assert.equal(probe.harvest(), 0, 'replayed sequences were never stamped');
    const bare = probeModule.factory({ options: {} } as HandlerContext<ProbeOptions>);
    bare.onEvent(event, 0, true); // as `ringbus replay` rebuilds it: a no-op
    probe.destroy();
  });

  it('should allocate nothing per order (2 million orders, GC count)', async () => {
    const { ring, probe, handler, event } = setUp();
    const run = (n: number, from: number): void => {
      for (let s = from; s < from + n; s++) {
        probe.harvest();
        probe.expect(s, 0);
        // batches of 256 (one clock read each), as the engine worker would see them
        if ((s & 255) === 255) for (let k = s - 255; k <= s; k++) handler.onEvent(event, k, k === s);
      }
    };
    run(200_000, 0); // warm-up (JIT)
    let next = 200_000;
    /** GCs seen while running n orders (the observer and its timer cost a GC or two of their own). */
    const gcsOver = async (n: number): Promise<number> => {
      let gcs = 0;
      const observer = new PerformanceObserver((list) => {
        gcs += list.getEntries().length;
      });
      observer.observe({ entryTypes: ['gc'] });
      run(n, next);
      next += n;
      await new Promise((resolve) => setTimeout(resolve, 20)); // deliver the last GC entries
      observer.disconnect();
      return gcs;
    };
    const baseline = await gcsOver(1_000);
    const many = await gcsOver(2_000_000);
    assert.equal(probe.percentiles().count + probe.pending, next);
    // 16 bytes per order would be 32 MB: several more scavenges of a young generation of a few MB
    assert.ok(many <= baseline + 1, `${many} GCs over 2 million orders, ${baseline} over a thousand`);
    void ring;
    probe.destroy();
  });
});
