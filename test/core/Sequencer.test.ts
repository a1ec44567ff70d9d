import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  defineEvent,
  INSUFFICIENT_CAPACITY,
  MultiProducerSequencer,
  RingBuffer,
  SingleProducerSequencer,
  type Flyweight,
  type ProducerType,
} from '../../src/index.js';

interface Tick extends Flyweight {
  seq: number;
  value: number;
}
const Tick = defineEvent<Tick>('Tick', { seq: 'i53', value: 'u32' });

function ring(producerType: ProducerType, capacity = 8, initialSequence = 0): RingBuffer<Tick> {
  return new RingBuffer<Tick>({ capacity, event: Tick, producerType, initialSequence, waitStrategy: 'busy-spin' });
}

/** Claims, fills and publishes one slot by hand. */
function put(r: RingBuffer<Tick>, value: number): number {
  const s = r.next();
  const e = r.get(s);
  e.seq = s;
  e.value = value;
  r.publish(s);
  return s;
}

for (const producerType of ['single', 'multi'] as const) {
  describe(`${producerType}-producer sequencer`, () => {
    it('should use the sequencer class of its producer type', () => {
      const r = ring(producerType);
      assert.ok(r.sequencer instanceof (producerType === 'single' ? SingleProducerSequencer : MultiProducerSequencer));
      assert.equal(r.sequencer.multiProducer, producerType === 'multi');
    });

    it('should claim consecutive sequences from the initial sequence and move the cursor on publish', () => {
      const r = ring(producerType, 8, 100);
      assert.equal(r.getCursor(), 99, 'the cursor starts one before the initial sequence');
      assert.equal(r.initialSequence(), 100);
      const a = r.next();
      assert.equal(a, 100);
      r.publish(a);
      assert.equal(r.getCursor(), 100);
      assert.equal(r.tryNext(), 101);
      r.publish(101);
      assert.equal(r.getCursor(), 101);
    });

    it('should claim a batch with next(n) and tryNext(n), returning its highest sequence', () => {
      const r = ring(producerType);
      const hi = r.next(3);
      assert.equal(hi, 2);
      r.publish(0, hi);
      const hi2 = r.tryNext(4);
      assert.equal(hi2, 6);
      r.publish(3, hi2);
      assert.equal(r.newBarrier().waitFor(0), 6, 'the whole batch is visible at once');
    });

    it('should reject batch sizes outside [1, capacity] with RINGBUS_ERR_BATCH_TOO_LARGE naming the value', () => {
      const r = ring(producerType, 8);
      for (const n of [0, 9, -1, 1.5, Number.NaN]) {
        assert.throws(
          () => r.next(n),
          (e: unknown) =>
            (e as { code?: string }).code === 'RINGBUS_ERR_BATCH_TOO_LARGE' &&
            e instanceof RangeError &&
            (e as Error).message.includes(String(n)),
        );
        assert.throws(() => r.tryNext(n), { code: 'RINGBUS_ERR_BATCH_TOO_LARGE' });
        assert.throws(() => r.nextWithTimeout(n, 1), { code: 'RINGBUS_ERR_BATCH_TOO_LARGE' });
      }
      assert.equal(r.getCursor(), -1, 'a rejected claim takes nothing');
    });

    it('should count remaining capacity against the slowest gating sequence', () => {
      const r = ring(producerType, 8);
      const fast = r.newSequence();
      const slow = r.newSequence();
      r.addGatingSequences(fast, slow);
      assert.equal(r.remainingCapacity(), 8);
      for (let i = 0; i < 5; i++) put(r, i);
      assert.equal(r.remainingCapacity(), 3);
      fast.set(4);
      assert.equal(r.remainingCapacity(), 3, 'the slow sequence still holds 5 slots');
      slow.set(1);
      assert.equal(r.remainingCapacity(), 5, 'sequences 2..4 are still unconsumed');
      assert.ok(r.sequencer.hasAvailableCapacity(5));
      assert.ok(!r.sequencer.hasAvailableCapacity(6));
    });

    it('should report the same remaining capacity from an attached instance that never claims', () => {
      const r = ring(producerType, 8, 2 ** 32 - 3);
      const consumer = r.newSequence();
      r.addGatingSequences(consumer);
      for (let i = 0; i < 6; i++) put(r, i);
      consumer.set(2 ** 32 - 1);
      const observer = RingBuffer.attach<Tick>(r.descriptor());
      assert.equal(r.remainingCapacity(), 5);
      assert.equal(observer.remainingCapacity(), 5);
      assert.equal(observer.getCursor(), r.getCursor());
    });

    it('should refuse a claim that would overwrite an unconsumed slot and allow it once the consumer advances', () => {
      const r = ring(producerType, 4);
      const consumer = r.newSequence();
      r.addGatingSequences(consumer);
      for (let i = 0; i < 4; i++) put(r, i);
      assert.equal(r.tryNext(), INSUFFICIENT_CAPACITY);
      assert.equal(r.tryNext(2), INSUFFICIENT_CAPACITY);
      consumer.set(0);
      assert.equal(r.tryNext(2), INSUFFICIENT_CAPACITY, 'one free slot is not enough for two');
      assert.equal(r.tryNext(1), 4);
      r.publish(4);
      assert.equal(r.remainingCapacity(), 0);
    });

    it('should stop blocking the producer once its only gating sequence is removed', () => {
      const r = ring(producerType, 4);
      const consumer = r.newSequence();
      r.addGatingSequences(consumer);
      for (let i = 0; i < 4; i++) put(r, i);
      assert.equal(r.tryNext(), INSUFFICIENT_CAPACITY);
      assert.equal(r.removeGatingSequence(consumer), true);
      assert.equal(r.removeGatingSequence(consumer), false, 'it was already removed');
      assert.equal(r.tryNext(), 4);
      r.publish(4);
      // and claims keep succeeding lap after lap while the consumer stands still
      for (let i = 0; i < 8; i++) assert.notEqual(r.tryNext(), INSUFFICIENT_CAPACITY);
    });

    it('should stop a removed sequence gating while another one still gates', () => {
      const r = ring(producerType, 4);
      const stuck = r.newSequence();
      const live = r.newSequence();
      r.addGatingSequences(stuck, live);
      for (let i = 0; i < 4; i++) put(r, i);
      live.set(3);
      assert.equal(r.tryNext(), INSUFFICIENT_CAPACITY, 'the stuck sequence gates');
      r.removeGatingSequence(stuck);
      const s = r.tryNext(4);
      assert.equal(s, 7);
      r.publish(4, 7);
      assert.equal(r.tryNext(), INSUFFICIENT_CAPACITY, 'the live sequence still gates');
    });

    it('should never block a producer that has no gating sequence', () => {
      const r = ring(producerType, 4);
      for (let i = 0; i < 12; i++) {
        const s = r.nextWithTimeout(1, 0); // would throw RINGBUS_ERR_PUBLISH_TIMEOUT if it had to wait
        r.get(s).value = i;
        r.publish(s);
        assert.notEqual(r.tryNext(), INSUFFICIENT_CAPACITY);
        r.publish(s + 1);
      }
      assert.equal(r.getCursor(), 23);
      assert.equal(r.remainingCapacity(), 4);
    });

    it('should set an added gating sequence to the cursor', () => {
      const r = ring(producerType, 8);
      for (let i = 0; i < 3; i++) put(r, i);
      const s = r.newSequence(-1);
      r.addGatingSequences(s);
      assert.equal(s.get(), 2);
      assert.equal(r.remainingCapacity(), 8);
    });

    for (const initialSequence of [2 ** 31 - 5, 2 ** 32 - 5, 3 * 2 ** 32 - 5]) {
      it(`should claim, publish, gate and read by content across the wrap starting at ${initialSequence}`, () => {
        const r = ring(producerType, 4, initialSequence);
        const consumer = r.newSequence();
        r.addGatingSequences(consumer);
        const barrier = r.newBarrier();
        let next = initialSequence;
        for (let lap = 0; lap < 6; lap++) {
          // fill the ring, check it is full, drain it
          const hi = r.next(2);
          for (let s = hi - 1; s <= hi; s++) {
            r.get(s).seq = s;
            r.get(s).value = s % 1000;
          }
          r.publish(hi - 1, hi);
          put(r, 1);
          put(r, 2);
          assert.equal(r.tryNext(), INSUFFICIENT_CAPACITY, `full at lap ${lap}`);
          assert.equal(r.remainingCapacity(), 0);
          const available = barrier.waitFor(next);
          assert.equal(available, next + 3);
          assert.equal(r.get(next).seq, next);
          assert.equal(r.get(next + 1).seq, next + 1);
          assert.equal(r.get(next + 1).value, (next + 1) % 1000);
          consumer.set(available);
          next = available + 1;
          assert.equal(r.getCursor(), available);
        }
        assert.equal(next, initialSequence + 24);
        assert.ok(next > 2 ** 31, 'the run crossed the boundary');
      });
    }
  });
}

describe('multi-producer availability', () => {
  it('should not show a claim published out of order past the gap before it', () => {
    const r = ring('multi', 8);
    const barrier = r.newBarrier();
    const lo = r.next();
    const hi = r.next();
    r.get(hi).value = 22;
    r.publish(hi);
    assert.equal(r.sequencer.isAvailable(hi), true);
    assert.equal(r.sequencer.isAvailable(lo), false);
    assert.equal(barrier.poll(0), -1, 'nothing is readable while sequence 0 is unpublished');
    assert.equal(barrier.waitFor(0, 0), -3, 'a timed wait expires instead of seeing sequence 1');
    r.get(lo).value = 11;
    r.publish(lo);
    assert.equal(barrier.waitFor(0), 1);
    assert.deepEqual([r.get(0).value, r.get(1).value], [11, 22]);
  });

  it('should report the highest gap-free published sequence and the claim cursor ahead of it', () => {
    const r = ring('multi', 8);
    const hi = r.next(5); // claims 0..4
    r.publish(0, 1);
    r.publish(3, 4);
    assert.equal(r.getCursor(), 4, 'the multi-producer cursor is the claim cursor');
    assert.equal(r.sequencer.getHighestPublishedSequence(0, hi), 1);
    r.publish(2);
    assert.equal(r.sequencer.getHighestPublishedSequence(0, hi), 4);
  });

  it("should not mistake last lap's availability flag for this lap's near 2^32", () => {
    const r = ring('multi', 4, 2 ** 32 - 2);
    const consumer = r.newSequence();
    r.addGatingSequences(consumer);
    const barrier = r.newBarrier();
    for (let i = 0; i < 4; i++) put(r, i);
    consumer.set(r.getCursor());
    // claim the next lap but publish only its last slot: slots 0..2 still hold last lap's flags
    const hi = r.next(4);
    r.publish(hi);
    assert.equal(barrier.poll(hi - 3), hi - 4);
    r.publish(hi - 3, hi - 1);
    assert.equal(barrier.waitFor(hi - 3), hi);
  });
});

describe('single-producer claims', () => {
  it('should keep a claimed but unpublished sequence invisible and counted as taken', () => {
    const r = ring('single', 4);
    r.addGatingSequences(r.newSequence());
    const s = r.next();
    assert.equal((r.sequencer as SingleProducerSequencer).claimed(), 0);
    assert.equal(r.getCursor(), -1);
    assert.equal(r.newBarrier().poll(0), -1);
    assert.equal(r.remainingCapacity(), 3);
    r.publish(s);
    assert.equal(r.newBarrier().poll(0), 0);
  });
});
