/**
 * Stress: one producer thread → three consumer threads (multicast): each consumer has its own
 * gating sequence and reads every event; the producer is gated by the slowest. Millions of
 * events in total, seeded random batches and pauses (consumers pause independently, so they
 * drift apart by up to the ring size), default phased wait (4 threads on 2 cores).
 *
 * Outcome table (per consumer, per event):
 *
 *   | observed                                                        | verdict    |
 *   | --------------------------------------------------------------- | ---------- |
 *   | consumers at different positions at the same time               | acceptable |
 *   | the producer waits for the slowest consumer only                | acceptable |
 *   | a consumer misses, repeats or reorders an event                 | FORBIDDEN  |
 *   | a consumer reads a slot the producer overwrote before that      | FORBIDDEN  |
 *   |   consumer released it (seq field / check word mismatch)        |            |
 *   | consumers end with different checksums or counts                | FORBIDDEN  |
 *
 * Replay a failure with RINGBUS_SEED=<seed printed in the message>; scale the event counts with
 * RINGBUS_STRESS_SCALE.
 */
import { describe, it } from 'node:test';
import { createPrng, deriveSeed, freshSeed, seedFromEnv } from '../helpers/prng.js';
import { assertStressOutcome, describeRun, runStress, stressScale, type StressOptions } from './fixtures/stressRun.js';

const seed = seedFromEnv(freshSeed());
const scale = stressScale();

describe('stress: one producer → three consumers (multicast, worker threads)', () => {
  it('should deliver every event to every consumer exactly once, in order and intact', async (t) => {
    const prng = createPrng(deriveSeed(seed, '1P-3C'));
    const capacity = [64, 256, 1024][prng.int(0, 2)]!;
    const options: StressOptions = {
      label: '1P-3C',
      seed: prng.int(0, 0xffffffff),
      replaySeed: seed,
      producerType: 'single',
      producers: 1,
      consumers: 3,
      eventsPerProducer: Math.round(1_200_000 * scale),
      capacity,
      maxBatch: Math.min(capacity, 128),
      producerPauseChance: 0.0005,
      producerPauseMaxMs: 1,
      consumerPauseChance: 0.003,
      consumerPauseMaxMs: 1,
      partialChance: 0.2,
    };
    t.diagnostic(describeRun(options));
    const out = await runStress(options);
    t.diagnostic(
      `${out.elapsedMs.toFixed(0)} ms, producer saw full ${out.producers[0]!.fullSeen}×, consumer batches ${out.consumers.map((c) => c.batches).join('/')}`,
    );
    assertStressOutcome(out);
  });
});
