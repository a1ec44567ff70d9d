/**
 * A handler publishes events of its own onto an outbound ring (declared in the bus options); the
 * main thread consumes that ring: every event arrives once, in order, with the handler's content.
 * Back-pressure crosses too: the outbound ring is smaller than the input ring.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALERTED, defineEvent, RingBuffer, RingBus, TIMED_OUT } from '../../src/index.js';

const In = defineEvent('InEvent', { value: 'i32' });
const Out = defineEvent('OutEvent', { v: 'i53', seq: 'i53' });

describe('outbound rings', () => {
  it('should carry what a handler publishes to another ring, in order, with back-pressure', async () => {
    const out = new RingBuffer({ capacity: 64, event: Out });
    const consumed = out.newSequence();
    out.addGatingSequences(consumed);
    const barrier = out.newBarrier();
    const bus = new RingBus({ event: In, capacity: 1024, outbound: { out: out.descriptor() } });
    bus.handleEventsWith(bus.handler('forwarder', new URL('./fixtures/forwarder.js', import.meta.url)));
    await bus.start();
    const N = 50_000;
    let published = 0;
    let received = 0;
    let next = consumed.get() + 1;
    while (received < N) {
      // publish while there is room, then drain what came back (the outbound ring holds only 64)
      while (published < N && published - received < 512) bus.publishEvent({ value: published++ });
      // wait for the forwarder's next event; only a halt of the bus (its worker died, the
      // forwarder threw or stalled) ends the wait without one. Slices only to look for that halt.
      let available: number;
      while ((available = barrier.waitFor(next, 50)) === TIMED_OUT)
        if (bus.haltError) assert.fail(`the bus halted after ${received} events: ${bus.haltError.message}`);
      assert.notEqual(available, ALERTED);
      assert.ok(available >= next, `waitFor(${next}) returned ${available} after ${received} events`);
      for (; next <= available; next++, received++) {
        const e = out.get(next);
        assert.equal(e.seq, received, `outbound event ${next} carries input sequence ${String(e.seq)}`);
        assert.equal(e.v, received * 10);
      }
      consumed.set(available);
      out.signalProgress();
    }
    await bus.drain();
    await bus.shutdown();
    assert.equal(received, N);
  });
});
