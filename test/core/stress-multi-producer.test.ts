/**
 * Stress: three producer threads → one consumer thread over a multi-producer ring, millions of
 * events, seeded random batch sizes, claim paths (next, next(n), publishWith, tryNext,
 * nextWithTimeout) and pauses, default phased wait (4 threads on 2 cores: no busy-spin).
 *
 * Outcome table (per event, as seen by the consumer):
 *
 *   | observed                                                        | verdict    |
 *   | --------------------------------------------------------------- | ---------- |
 *   | events of different producers interleave in any order           | acceptable |
 *   | a producer's batch arrives contiguous, or split across waitFor  | acceptable |
 *   | producers find the ring full / the consumer finds it empty      | acceptable |
 *   | a producer's counters out of order (duplicate or reordering)    | FORBIDDEN  |
 *   | a producer's counter skipped (lost event)                       | FORBIDDEN  |
 *   | consumer sees sequence s before every claim ≤ s was published   | FORBIDDEN  |
 *   |   (seq field / kind / check word mismatch)                      |            |
 *   | check word mismatch (torn or corrupted write)                   | FORBIDDEN  |
 *   | run ends with events unread or the ring not empty               | FORBIDDEN  |
 *
 * Replay a failure with RINGBUS_SEED=<seed printed in the message>; scale the event counts with
 * RINGBUS_STRESS_SCALE.
 */
import { describe, it } from 'node:test';
import { createPrng, deriveSeed, freshSeed, seedFromEnv } from '../helpers/prng.js';
import { assertStressOutcome, describeRun, runStress, stressScale, type StressOptions } from './fixtures/stressRun.js';

const seed = seedFromEnv(freshSeed());
const scale = stressScale();

describe('stress: three producers → one consumer (worker threads, multi-producer ring)', () => {
  it('should deliver every event of every producer exactly once, in per-producer order and intact', async (t) => {
    const prng = createPrng(deriveSeed(seed, '3P-1C'));
    const capacity = [64, 256, 1024][prng.int(0, 2)]!;
    const options: StressOptions = {
      label: '3P-1C',
      seed: prng.int(0, 0xffffffff),
      replaySeed: seed,
      producerType: 'multi',
      producers: 3,
      consumers: 1,
      eventsPerProducer: Math.round(1_000_000 * scale),
      capacity,
      maxBatch: Math.min(capacity, 64),
      producerPauseChance: 0.0005,
      producerPauseMaxMs: 1,
      consumerPauseChance: 0.002,
      consumerPauseMaxMs: 1,
      partialChance: 0.1,
    };
    t.diagnostic(describeRun(options));
    const out = await runStress(options);
    t.diagnostic(
      `${out.elapsedMs.toFixed(0)} ms, producers saw full ${out.producers.map((p) => p.fullSeen).join('/')}×, consumer batches ${out.consumers[0]!.batches}`,
    );
    assertStressOutcome(out);
  });

  it('should deliver every event exactly once when batches are as large as a small ring', async (t) => {
    const prng = createPrng(deriveSeed(seed, '3P-1C-small'));
    const options: StressOptions = {
      label: '3P-1C-small',
      seed: prng.int(0, 0xffffffff),
      replaySeed: seed,
      producerType: 'multi',
      producers: 3,
      consumers: 1,
      eventsPerProducer: Math.round(200_000 * scale),
      capacity: 16,
      maxBatch: 16,
      producerPauseChance: 0.001,
      producerPauseMaxMs: 0.5,
      consumerPauseChance: 0.001,
      consumerPauseMaxMs: 0.5,
      partialChance: 0.3,
    };
    t.diagnostic(describeRun(options));
    const out = await runStress(options);
    t.diagnostic(
      `${out.elapsedMs.toFixed(0)} ms, producers saw full ${out.producers.map((p) => p.fullSeen).join('/')}×, consumer batches ${out.consumers[0]!.batches}`,
    );
    assertStressOutcome(out);
  });
});
