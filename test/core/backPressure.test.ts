import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALERTED,
  defineEvent,
  INSUFFICIENT_CAPACITY,
  RingBuffer,
  RingbusError,
  type Flyweight,
  type ProducerType,
} from '../../src/index.js';

interface Px extends Flyweight {
  px: number;
}
const Px = defineEvent<Px>('Px', { px: 'f64' });

/** A ring whose only consumer never moves, filled to the brim. */
function fullRing(
  producerType: ProducerType,
  waitStrategy: 'blocking' | 'busy-spin' | 'phased' = 'blocking',
): RingBuffer<Px> {
  const r = new RingBuffer<Px>({
    capacity: 4,
    event: Px,
    producerType,
    waitStrategy: waitStrategy === 'blocking' ? { type: 'blocking', maxBlockMs: 1 } : waitStrategy,
  });
  r.addGatingSequences(r.newSequence());
  for (let i = 0; i < 4; i++) r.publishEvent({ px: i });
  return r;
}

function isCoded(code: string, cls: ErrorConstructor = Error) {
  return (err: unknown): boolean => err instanceof cls && (err as { code?: string }).code === code;
}

for (const producerType of ['single', 'multi'] as const) {
  describe(`back-pressure (${producerType} producer)`, () => {
    it('should return INSUFFICIENT_CAPACITY from tryNext and tryPublishEvent on a full ring without throwing', () => {
      const r = fullRing(producerType);
      assert.equal(r.tryNext(), INSUFFICIENT_CAPACITY);
      assert.equal(r.tryNext(3), INSUFFICIENT_CAPACITY);
      assert.equal(r.tryPublishEvent({ px: 9 }), INSUFFICIENT_CAPACITY);
      let called = false;
      assert.equal(
        r.tryPublishWith(() => {
          called = true;
        }, 0),
        INSUFFICIENT_CAPACITY,
      );
      assert.equal(called, false, 'the translator is not called without a slot');
      assert.equal(r.getCursor(), 3, 'failed claims take nothing');
    });

    it('should throw RINGBUS_ERR_PUBLISH_TIMEOUT from nextWithTimeout on a ring that stays full', () => {
      const r = fullRing(producerType);
      assert.throws(
        () => r.nextWithTimeout(1, 2),
        (e: unknown) => isCoded('RINGBUS_ERR_PUBLISH_TIMEOUT')(e) && (e as Error).message.includes('timeoutMs=2'),
      );
      assert.throws(() => r.nextWithTimeout(2, 0), isCoded('RINGBUS_ERR_PUBLISH_TIMEOUT'));
      assert.equal(r.getCursor(), 3, 'a timed-out claim takes nothing');
      assert.equal(r.blockedWaiters().producers, 0, 'the producer unregistered after its blocking waits');
    });

    it('should throw RINGBUS_ERR_PUBLISH_TIMEOUT from publishEventWithTimeout and leave the ring as it was', () => {
      const r = fullRing(producerType);
      assert.throws(() => r.publishEventWithTimeout({ px: 1.5 }, 1), isCoded('RINGBUS_ERR_PUBLISH_TIMEOUT'));
      assert.equal(r.getCursor(), 3);
      assert.equal(r.remainingCapacity(), 0);
    });

    it('should reject a negative or non-numeric timeout with RINGBUS_ERR_INVALID_OPTION', () => {
      const r = fullRing(producerType);
      assert.throws(() => r.nextWithTimeout(1, -1), isCoded('RINGBUS_ERR_INVALID_OPTION', RangeError));
      assert.throws(() => r.nextWithTimeout(1, Number.NaN), isCoded('RINGBUS_ERR_INVALID_OPTION', RangeError));
    });

    it('should claim with nextWithTimeout at once when there is room', () => {
      const r = new RingBuffer<Px>({ capacity: 4, event: Px, producerType });
      const consumer = r.newSequence();
      r.addGatingSequences(consumer);
      assert.equal(r.nextWithTimeout(4, 0), 3);
      r.publish(0, 3);
      consumer.set(0);
      assert.equal(r.publishEventWithTimeout({ px: 4.25 }, 0), 4);
      assert.equal(r.get(4).px, 4.25);
    });

    for (const waitStrategy of ['blocking', 'busy-spin', 'phased'] as const) {
      it(`should throw RINGBUS_ERR_ALERTED from a claim on a full, halted ring (${waitStrategy})`, () => {
        const r = fullRing(producerType, waitStrategy);
        r.halt(7);
        assert.equal(r.alertReason(), 7);
        assert.throws(() => r.next(), isCoded('RINGBUS_ERR_ALERTED'));
        assert.throws(() => r.publishEvent({ px: 1 }), isCoded('RINGBUS_ERR_ALERTED'));
        assert.throws(
          () => r.nextWithTimeout(1, 60_000),
          isCoded('RINGBUS_ERR_ALERTED'),
          'halt wins over a long timeout',
        );
        assert.throws(
          () => r.publishWith(() => undefined, 0),
          (e: unknown) => e instanceof RingbusError && e.code === 'RINGBUS_ERR_ALERTED',
        );
      });
    }

    it('should return ALERTED from every barrier wait once halted, and run again after clearAlert', () => {
      const r = fullRing(producerType);
      const barrier = r.newBarrier();
      r.halt();
      assert.ok(r.isAlerted());
      assert.equal(barrier.isAlerted(), true);
      assert.equal(barrier.waitFor(0), ALERTED, 'even data that is there is not handed out after a halt');
      assert.equal(barrier.waitFor(100), ALERTED);
      assert.equal(barrier.waitFor(100, 5), ALERTED);
      r.clearAlert();
      assert.equal(r.alertReason(), 0);
      assert.equal(barrier.waitFor(0), 3);
    });

    it('should treat halt(0) as a non-zero halt reason', () => {
      const r = fullRing(producerType);
      r.halt(0);
      assert.ok(r.isAlerted());
      assert.equal(r.alertReason(), 1);
    });
  });
}
