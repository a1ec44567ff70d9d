/**
 * Stress: a full ring with real threads. A consumer thread stops at seeded sequences and waits
 * on its own control cell; the producer thread fills the ring, finds it full (tryNext -1), then
 * nextWithTimeout throws RINGBUS_ERR_PUBLISH_TIMEOUT, then next() blocks; main checks the ring
 * state at each step and releases the consumer, after which the producer must resume. Steps are
 * sequenced by shared cells and ring state (remainingCapacity, blockedWaiters), never by time.
 * Single producer with the phased wait, multi producer with the blocking wait (and main itself
 * trying to claim while the ring is full).
 *
 * Outcome table (at each pause of the consumer at sequence P, capacity C):
 *
 *   | observed                                                        | verdict    |
 *   | --------------------------------------------------------------- | ---------- |
 *   | producer publishes up to P + C, then tryNext returns -1         | acceptable |
 *   | remainingCapacity() === 0 once P + C is published               | acceptable |
 *   | nextWithTimeout throws RINGBUS_ERR_PUBLISH_TIMEOUT              | acceptable |
 *   | next() blocks (a registered producer waiter) until release      | acceptable |
 *   | producer resumes and every event arrives after release          | acceptable |
 *   | a claim succeeds beyond P + C while the consumer is paused      | FORBIDDEN  |
 *   | nextWithTimeout returns or throws another error                 | FORBIDDEN  |
 *   | the producer stays blocked after the consumer moves on (hang)   | FORBIDDEN  |
 *   | an event lost, duplicated, reordered or torn                    | FORBIDDEN  |
 *
 * Replay a failure with RINGBUS_SEED=<seed printed in the message>.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INSUFFICIENT_CAPACITY, RingBuffer, type ProducerType, type WaitStrategyOptions } from '../../src/index.js';
import { createPrng, deriveSeed, freshSeed, seedFromEnv } from '../helpers/prng.js';
import { MessageQueue, startWorker, waitUntil } from '../helpers/workers.js';
import {
  CONSUMER_RESUME,
  CONTROL_CELLS,
  PHASE_BLOCKING_CLAIM,
  PHASE_SAW_FULL,
  PRODUCER_GO,
  PRODUCER_PHASE,
  PRODUCER_TIMEOUTS,
  storeAndWake,
} from './fixtures/fullRingControl.js';
import type { FullRingConsumerData, FullRingConsumerResult } from './fixtures/fullRingConsumer.js';
import type { FullRingProducerData, FullRingProducerResult } from './fixtures/fullRingProducer.js';
import { StressEvent, type StressFlyweight } from './fixtures/stressEvent.js';

const seed = seedFromEnv(freshSeed());

const variants: Array<{ producerType: ProducerType; waitStrategy: WaitStrategyOptions; initialSequence: number }> = [
  { producerType: 'single', waitStrategy: { type: 'phased' }, initialSequence: 0 },
  { producerType: 'multi', waitStrategy: { type: 'blocking' }, initialSequence: 2 ** 32 - 1000 },
];

describe('stress: full ring with a paused consumer thread', () => {
  for (const v of variants) {
    it(`should block a ${v.producerType} producer on a full ring and resume it when the consumer continues (${v.waitStrategy.type} wait)`, async (t) => {
      const capacity = 16;
      const total = 200_000;
      const pauses = 25;
      const runSeed = deriveSeed(seed, `full-ring-${v.producerType}`);
      const run = `seed=${runSeed} (replay: RINGBUS_SEED=${seed}) producerType=${v.producerType} wait=${v.waitStrategy.type} capacity=${capacity}`;
      t.diagnostic(run);
      const local = createPrng(runSeed);
      const ring = new RingBuffer<StressFlyweight>({
        capacity,
        event: StressEvent,
        producerType: v.producerType,
        waitStrategy: v.waitStrategy,
        initialSequence: v.initialSequence,
      });
      const initial = ring.initialSequence();
      const consumerSeq = ring.newSequence();
      ring.addGatingSequences(consumerSeq);
      const offsets = new Set<number>();
      while (offsets.size < pauses) offsets.add(local.int(0, total - capacity - 2));
      const pauseAt = [...offsets].sort((a, b) => a - b).map((o) => initial + o);
      const control = new SharedArrayBuffer(CONTROL_CELLS * 4);
      const cells = new Int32Array(control);
      const descriptor = ring.descriptor();
      const consumer = startWorker<FullRingConsumerResult>(
        new URL('./fixtures/fullRingConsumer.js', import.meta.url),
        { descriptor, control, line: consumerSeq.line, total, pauseAt } satisfies FullRingConsumerData,
        'full-ring-consumer',
      );
      const pausedMessages = new MessageQueue<{ type: string; pause: number; at: number }>(consumer.worker);
      const producer = startWorker<FullRingProducerResult>(
        new URL('./fixtures/fullRingProducer.js', import.meta.url),
        { descriptor, control, total } satisfies FullRingProducerData,
        'full-ring-producer',
      );
      const state = (): string =>
        `${run} cursor=${ring.getCursor()} consumer=${consumerSeq.read(ring.getCursor())} phase=${Atomics.load(cells, PRODUCER_PHASE)} blocked=${JSON.stringify(ring.blockedWaiters())}`;
      try {
        for (let k = 0; k < pauses; k++) {
          const msg = await pausedMessages.next('paused');
          const at = pauseAt[k]!;
          assert.equal(msg.at, at, `${run}: consumer paused at ${msg.at}, expected ${at}`);
          await waitUntil(() => Atomics.load(cells, PRODUCER_PHASE) === PHASE_SAW_FULL, state);
          // the producer saw tryNext report full: exactly C events past the paused consumer
          assert.equal(ring.getCursor(), at + capacity, `${run}: cursor when full (pause ${k})`);
          assert.equal(consumerSeq.read(at), at, `${run}: consumer sequence while paused (pause ${k})`);
          assert.equal(ring.remainingCapacity(), 0, `${run}: remainingCapacity when full (pause ${k})`);
          assert.equal(ring.blockedWaiters().producers, 0, `${run}: no producer blocked on the ring yet (pause ${k})`);
          if (v.producerType === 'multi') {
            // main is a second producer: it must not get a slot either
            assert.equal(ring.tryNext(1), INSUFFICIENT_CAPACITY, `${run}: main tryNext(1) on a full ring`);
            assert.equal(
              ring.tryNext(capacity),
              INSUFFICIENT_CAPACITY,
              `${run}: main tryNext(${capacity}) on a full ring`,
            );
            assert.throws(
              () => ring.nextWithTimeout(1, 5),
              { code: 'RINGBUS_ERR_PUBLISH_TIMEOUT' },
              `${run}: main nextWithTimeout on a full ring`,
            );
            assert.equal(ring.getCursor(), at + capacity, `${run}: main's failed claims left the cursor alone`);
          }
          storeAndWake(cells, PRODUCER_GO, k + 1);
          // the producer's nextWithTimeout threw, and its next() now blocks on the ring
          await waitUntil(
            () => Atomics.load(cells, PRODUCER_PHASE) === PHASE_BLOCKING_CLAIM && ring.blockedWaiters().producers === 1,
            state,
          );
          assert.equal(
            Atomics.load(cells, PRODUCER_TIMEOUTS),
            k + 1,
            `${run}: producer's nextWithTimeout threw PUBLISH_TIMEOUT at every pause so far`,
          );
          assert.equal(consumerSeq.read(at), at, `${run}: consumer still paused (pause ${k})`);
          // a multi-producer next() claims first, then waits: the claim is already on the cursor
          const claimed = v.producerType === 'multi' ? 1 : 0;
          assert.equal(
            ring.getCursor(),
            at + capacity + claimed,
            `${run}: cursor while the producer blocks (pause ${k})`,
          );
          assert.equal(
            ring.remainingCapacity(),
            0 - claimed,
            `${run}: remainingCapacity while the producer blocks (pause ${k})`,
          );
          storeAndWake(cells, CONSUMER_RESUME, k + 1);
        }
        const [c, p] = await Promise.all([consumer.result, producer.result]);
        assert.equal(p.error, null, `${run}: ${p.error}`);
        assert.equal(c.error, null, `${run}: ${c.error}`);
        assert.equal(p.published, total, `${run}: producer published`);
        assert.ok(
          p.fullSeen >= pauses,
          `${run}: producer saw a full ring ${p.fullSeen} times, fewer than the ${pauses} pauses`,
        );
        assert.equal(c.count, total, `${run}: consumer read`);
        assert.equal(c.checksum, p.checksum, `${run}: checksums`);
        assert.equal(c.lastSequence, initial + total - 1, `${run}: consumer's last sequence`);
        assert.equal(ring.remainingCapacity(), capacity, `${run}: ring empty at the end`);
        t.diagnostic(`producer saw full ${p.fullSeen}×, ${pauses} pauses stepped through`);
      } finally {
        storeAndWake(cells, PRODUCER_GO, pauses + 1);
        storeAndWake(cells, CONSUMER_RESUME, pauses + 1);
        ring.halt(9);
        await Promise.all([consumer.worker.terminate(), producer.worker.terminate()]);
      }
    });
  }
});
