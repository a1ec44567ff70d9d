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

/** One producer (single-producer sequencer) and three (multi-producer sequencer). */
const shapes = [
  { title: 'one producer', producers: 1, producerType: 'single', eventsPerProducer: 1_500_000, maxBatch: 128 },
  { title: 'three producers', producers: 3, producerType: 'multi', eventsPerProducer: 400_000, maxBatch: 64 },
] as const;

describe('stress: sequences across the 32-bit wraps (worker threads)', () => {
  for (const wrap of wraps) {
    for (const shape of shapes) {
      it(`should deliver every event exactly once across ${wrap.name} with ${shape.title}`, async (t) => {
        const label = `${shape.producers}P-1C-wrap-${wrap.name}`;
        const prng = createPrng(deriveSeed(seed, label));
        const capacity = [64, 1024][prng.int(0, 1)]!;
        const options: StressOptions = {
          label,
          seed: prng.int(0, 0xffffffff),
          replaySeed: seed,
          producerType: shape.producerType,
          producers: shape.producers,
          consumers: 1,
          eventsPerProducer: Math.round(shape.eventsPerProducer * scale),
          capacity,
          maxBatch: Math.min(capacity, shape.maxBatch),
          initialSequence: wrap.at - prng.int(1, 4 * capacity),
          producerPauseChance: 0.0005,
          producerPauseMaxMs: 1,
          consumerPauseChance: 0.002,
          consumerPauseMaxMs: 1,
          partialChance: 0.1,
        };
        t.diagnostic(describeRun(options));
        const out = await runStress(options);
        t.diagnostic(
          `${out.elapsedMs.toFixed(0)} ms, ran to sequence ${out.cursor} (${out.cursor - wrap.at + 1} past the wrap)`,
        );
        assertStressOutcome(out);
      });
    }
  }
});
