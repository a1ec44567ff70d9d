/**
 * Stress: one producer thread → one consumer thread over a single-producer ring, millions of
 * events, seeded random batch sizes, claim paths and pauses (both sides), default phased wait.
 *
 * Outcome table (per event, as seen by the consumer):
 *
 *   | observed                                                     | verdict    |
 *   | ------------------------------------------------------------ | ---------- |
 *   | event at sequence s carries seq s, counter s - initial,      | acceptable |
 *   |   a correct check word, kind KIND_EVENT                      |            |
 *   | waitFor returns more than one event (a batch)                | acceptable |
 *   | producer finds the ring full (tryNext -1, next() waits)      | acceptable |
 *   | consumer finds the ring empty (waitFor waits)                | acceptable |
 *   | counter below the expected one (duplicate / reordering)      | FORBIDDEN  |
 *   | counter above the expected one (lost event)                  | FORBIDDEN  |
 *   | event carries another sequence (stale lap, unpublished slot) | FORBIDDEN  |
 *   | check word mismatch (torn or corrupted write)                | FORBIDDEN  |
 *   | waitFor returns a sequence never published, or a sentinel    | FORBIDDEN  |
 *   | run ends with events unread or the ring not empty            | FORBIDDEN  |
 *
 * Replay a failure with RINGBUS_SEED=<seed printed in the message>; scale the event counts with
 * RINGBUS_STRESS_SCALE.
 */
import { describe, it } from 'node:test';
import { createPrng, deriveSeed, freshSeed, seedFromEnv } from '../helpers/prng.js';
import { assertStressOutcome, describeRun, runStress, stressScale, type StressOptions } from './fixtures/stressRun.js';

const seed = seedFromEnv(freshSeed());
const scale = stressScale();

describe('stress: one producer → one consumer (worker threads)', () => {
  it('should deliver every event exactly once, in order and intact, with random batches and pauses', async (t) => {
    const prng = createPrng(deriveSeed(seed, '1P-1C'));
    const capacity = [64, 256, 1024][prng.int(0, 2)]!;
    const options: StressOptions = {
      label: '1P-1C',
      seed: prng.int(0, 0xffffffff),
      replaySeed: seed,
      producerType: 'single',
      producers: 1,
      consumers: 1,
      eventsPerProducer: Math.round(4_000_000 * scale),
      capacity,
      maxBatch: Math.min(capacity, 128),
      producerPauseChance: 0.0005,
      producerPauseMaxMs: 1,
      consumerPauseChance: 0.002,
      consumerPauseMaxMs: 1,
      partialChance: 0.1,
    };
    t.diagnostic(describeRun(options));
    const out = await runStress(options);
    t.diagnostic(
      `${out.elapsedMs.toFixed(0)} ms, producer saw full ${out.producers[0]!.fullSeen}×, consumer batches ${out.consumers[0]!.batches}`,
    );
    assertStressOutcome(out);
  });

  it('should deliver every event exactly once with a tiny ring that is almost always full or empty', async (t) => {
    const prng = createPrng(deriveSeed(seed, '1P-1C-tiny'));
    const options: StressOptions = {
      label: '1P-1C-tiny',
      seed: prng.int(0, 0xffffffff),
      replaySeed: seed,
      producerType: 'single',
      producers: 1,
      consumers: 1,
      eventsPerProducer: Math.round(250_000 * scale),
      capacity: 8,
      maxBatch: 8,
      producerPauseChance: 0.0002,
      producerPauseMaxMs: 0.5,
      consumerPauseChance: 0.0002,
      consumerPauseMaxMs: 0.5,
      partialChance: 0.3,
    };
    t.diagnostic(describeRun(options));
    const out = await runStress(options);
    t.diagnostic(
      `${out.elapsedMs.toFixed(0)} ms, producer saw full ${out.producers[0]!.fullSeen}×, consumer batches ${out.consumers[0]!.batches}`,
    );
    assertStressOutcome(out);
  });
});
