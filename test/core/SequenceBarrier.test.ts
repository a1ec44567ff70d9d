import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  defineEvent,
  RingBuffer,
  SequenceBarrier,
  TIMED_OUT,
  type Flyweight,
  type ProducerType,
} from '../../src/index.js';

interface N extends Flyweight {
  n: number;
}
const N = defineEvent<N>('N', { n: 'i32' });

function ring(producerType: ProducerType, initialSequence = 0): RingBuffer<N> {
  return new RingBuffer<N>({
    capacity: 16,
    event: N,
    producerType,
    initialSequence,
    waitStrategy: { type: 'blocking', maxBlockMs: 1 },
  });
}

for (const producerType of ['single', 'multi'] as const) {
  describe(`SequenceBarrier (${producerType} producer)`, () => {
    it('should return the highest available sequence, not just the one asked for (batching)', () => {
      const r = ring(producerType);
      const barrier = r.newBarrier();
      assert.ok(barrier instanceof SequenceBarrier);
      for (let i = 0; i < 5; i++) r.publishEvent({ n: i * 10 });
      assert.equal(barrier.waitFor(0), 4);
      assert.equal(barrier.waitFor(3), 4);
      const seen: number[] = [];
      for (let s = 0; s <= 4; s++) seen.push(r.get(s).n);
      assert.deepEqual(seen, [0, 10, 20, 30, 40]);
    });

    it('should return TIMED_OUT from a timed wait when nothing arrives', () => {
      const r = ring(producerType);
      const barrier = r.newBarrier();
      assert.equal(barrier.waitFor(0, 1), TIMED_OUT);
      assert.equal(barrier.waitFor(0, 0), TIMED_OUT);
      r.publishEvent({ n: 1 });
      assert.equal(barrier.waitFor(1, 1), TIMED_OUT, 'sequence 1 is not there yet');
      assert.equal(barrier.waitFor(0, 1), 0);
      assert.equal(r.blockedWaiters().consumers, 0, 'the consumer unregistered after its blocking waits');
    });

    it('should poll without waiting and report what is readable, possibly below the sequence asked for', () => {
      const r = ring(producerType);
      const barrier = r.newBarrier();
      assert.equal(barrier.poll(0), -1);
      r.publishEvent({ n: 1 });
      r.publishEvent({ n: 2 });
      assert.equal(barrier.poll(0), 1);
      assert.equal(barrier.poll(2), 1, 'nothing new at 2');
    });

    it('should return the minimum of its upstream sequences when it has dependents', () => {
      const r = ring(producerType);
      const a = r.newSequence();
      const b = r.newSequence();
      r.addGatingSequences(a, b);
      const downstream = r.newBarrier(a, b);
      for (let i = 0; i < 10; i++) r.publishEvent({ n: i });
      assert.equal(downstream.poll(0), -1, 'upstream stages have processed nothing');
      assert.equal(downstream.waitFor(0, 0), TIMED_OUT, 'published data is not enough: the upstreams gate it');
      a.set(7);
      assert.equal(downstream.poll(0), -1);
      b.set(3);
      assert.equal(downstream.waitFor(0), 3);
      b.set(9);
      assert.equal(downstream.waitFor(4), 7);
      a.set(9);
      assert.equal(downstream.waitFor(8), 9);
    });

    it('should report the ring cursor through getCursor', () => {
      const r = ring(producerType, 40);
      const barrier = r.newBarrier();
      assert.equal(barrier.getCursor(), 39);
      r.publishEvent({ n: 1 });
      assert.equal(barrier.getCursor(), 40);
    });

    for (const initialSequence of [2 ** 31 - 3, 2 ** 32 - 3]) {
      it(`should hand out batches across the wrap at ${initialSequence} and follow dependents there`, () => {
        const r = ring(producerType, initialSequence);
        const up = r.newSequence();
        r.addGatingSequences(up);
        const first = r.newBarrier();
        const second = r.newBarrier(up);
        for (let i = 0; i < 6; i++) r.publishEvent({ n: -i });
        const avail = first.waitFor(initialSequence);
        assert.equal(avail, initialSequence + 5);
        assert.equal(r.get(avail).n, -5);
        up.set(initialSequence + 4);
        assert.equal(second.waitFor(initialSequence), initialSequence + 4);
      });
    }
  });
}
