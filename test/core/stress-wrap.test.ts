/**
 * Stress across the 32-bit wraps: sequences are full JS integers in each thread but 32-bit words
 * in shared memory (cursor, consumer sequences, availability flags, CURSOR_REF). These runs
 * start the ring just below 2^31 (the signed Int32 wrap) and just below 2^32 (the unsigned wrap)
 * and run well past them, with a single producer and with three producers, every event carrying
 * the full sequence its producer claimed so that a wrong reconstruction shows.
 *
 * Outcome table (per event, as seen by the consumer):
 *
 *   | observed                                                        | verdict    |
 *   | --------------------------------------------------------------- | ---------- |
 *   | full sequences cross 2^31 / 2^32 and keep counting up           | acceptable |
 *   | event at full sequence s carries seq s (exactly, as an i53)     | acceptable |
 *   | consumer or producer rebuilds a sequence off by ±2^32           | FORBIDDEN  |
 *   |   (seq field mismatch, a hang, or reading an unpublished slot)  |            |
 *   | an event lost, duplicated, reordered or torn near the wrap      | FORBIDDEN  |
 *   | cursor after the run is not initialSequence + total - 1         | FORBIDDEN  |
 *
 * Replay a failure with RINGBUS_SEED=<seed printed in the message>; scale the event counts with
 * RINGBUS_STRESS_SCALE.
 */
import { describe, it } from 'node:test';
import { createPrng, deriveSeed, freshSeed, seedFromEnv } from '../helpers/prng.js';
import { assertStressOutcome, describeRun, runStress, stressScale, type StressOptions } from './fixtures/stressRun.js';

const seed = seedFromEnv(freshSeed());
const scale = stressScale();

const wraps = [
  { name: '2^31', at: 2 ** 31 },
  { name: '2^32', at: 2 ** 32 },
] as const;

describe('stress: sequences across the 32-bit wraps (worker threads)', () => {
  for (const wrap of wraps) {
    it(`should deliver every event exactly once across ${wrap.name} with one producer`, async (t) => {
      const prng = createPrng(deriveSeed(seed, `1P-1C-wrap-${wrap.name}`));
      const capacity = [64, 1024][prng.int(0, 1)]!;
      const options: StressOptions = {
        label: `1P-1C-wrap-${wrap.name}`, seed: prng.int(0, 0xffffffff), replaySeed: seed, producerType: 'single', producers: 1, consumers: 1,
        eventsPerProducer: Math.round(1_500_000 * scale), capacity, maxBatch: Math.min(capacity, 128),
        initialSequence: wrap.at - prng.int(1, 4 * capacity),
        producerPauseChance: 0.0005, producerPauseMaxMs: 1, consumerPauseChance: 0.002, consumerPauseMaxMs: 1, partialChance: 0.1,
      };
      t.diagnostic(describeRun(options));
      const out = await runStress(options);
      t.diagnostic(`${out.elapsedMs.toFixed(0)} ms, ran to sequence ${out.cursor} (${out.cursor - wrap.at + 1} past the wrap)`);
      assertStressOutcome(out);
    });

    it(`should deliver every event exactly once across ${wrap.name} with three producers`, async (t) => {
      const prng = createPrng(deriveSeed(seed, `3P-1C-wrap-${wrap.name}`));
      const capacity = [64, 1024][prng.int(0, 1)]!;
      const options: StressOptions = {
        label: `3P-1C-wrap-${wrap.name}`, seed: prng.int(0, 0xffffffff), replaySeed: seed, producerType: 'multi', producers: 3, consumers: 1,
        eventsPerProducer: Math.round(400_000 * scale), capacity, maxBatch: Math.min(capacity, 64),
        initialSequence: wrap.at - prng.int(1, 4 * capacity),
        producerPauseChance: 0.0005, producerPauseMaxMs: 1, consumerPauseChance: 0.002, consumerPauseMaxMs: 1, partialChance: 0.1,
      };
      t.diagnostic(describeRun(options));
      const out = await runStress(options);
      t.diagnostic(`${out.elapsedMs.toFixed(0)} ms, ran to sequence ${out.cursor} (${out.cursor - wrap.at + 1} past the wrap)`);
      assertStressOutcome(out);
    });
  }
});
