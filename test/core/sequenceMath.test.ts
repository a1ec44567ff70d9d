import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALERTED,
  fromWord,
  INSUFFICIENT_CAPACITY,
  MAX_SEQUENCE,
  REF_UNIT,
  TIMED_OUT,
  toWord,
} from '../../src/core/sequenceMath.js';
import { createPrng, seedFromEnv } from '../helpers/prng.js';

const TWO_31 = 2 ** 31;
const TWO_32 = 2 ** 32;

describe('sequenceMath', () => {
  it('should store the low 32 bits of a sequence as the signed value an Int32Array holds', () => {
    const cell = new Int32Array(1);
    for (const full of [
      0,
      1,
      TWO_31 - 1,
      TWO_31,
      TWO_31 + 1,
      TWO_32 - 1,
      TWO_32,
      TWO_32 + 5,
      3 * TWO_32 + 7,
      MAX_SEQUENCE,
    ]) {
      cell[0] = full; // the typed array's own ToInt32 conversion is the reference behaviour
      assert.equal(toWord(full), cell[0], `toWord(${full})`);
    }
    assert.equal(toWord(TWO_31), -TWO_31);
    assert.equal(toWord(TWO_32 - 1), -1);
    assert.equal(toWord(TWO_32), 0);
  });

  it('should rebuild sequences on both sides of the 2^31 boundary from a reference on either side', () => {
    for (const reference of [TWO_31 - 10, TWO_31 - 1, TWO_31, TWO_31 + 10]) {
      for (let full = TWO_31 - 20; full <= TWO_31 + 20; full++) {
        assert.equal(fromWord(toWord(full), reference), full, `full ${full}, reference ${reference}`);
      }
    }
  });

  it('should rebuild sequences on both sides of the 2^32 boundary from a reference on either side', () => {
    for (const reference of [TWO_32 - 10, TWO_32 - 1, TWO_32, TWO_32 + 10, 5 * TWO_32 - 3]) {
      const base = Math.round(reference / TWO_32) * TWO_32;
      for (let full = base - 20; full <= base + 20; full++) {
        assert.equal(fromWord(toWord(full), reference), full, `full ${full}, reference ${reference}`);
      }
    }
  });

  it('should rebuild the values just below zero that cursors start from (initial cursor -1)', () => {
    for (const reference of [-REF_UNIT, -1, 0, 5, 1000]) {
      for (const full of [-3, -2, -1, 0, 1, 2]) {
        assert.equal(fromWord(toWord(full), reference), full, `full ${full}, reference ${reference}`);
      }
    }
  });

  it('should rebuild a sequence exactly 2^31 - 1 away from the reference in both directions', () => {
    const reference = 7 * TWO_32 + 12345;
    assert.equal(fromWord(toWord(reference + TWO_31 - 1), reference), reference + TWO_31 - 1);
    assert.equal(fromWord(toWord(reference - TWO_31 + 1), reference), reference - TWO_31 + 1);
  });

  it('should rebuild r + d for random references and deltas |d| < 2^31 (seeded property test)', () => {
    const rng = createPrng(seedFromEnv(0x5eed0031));
    try {
      for (let i = 0; i < 20_000; i++) {
        // references spread over small values, the wrap points and large values below MAX_SEQUENCE
        const pick = rng.int(0, 3);
        const reference =
          pick === 0
            ? rng.int(0, 1 << 20)
            : pick === 1
              ? TWO_31 + rng.int(-4096, 4096)
              : pick === 2
                ? rng.int(1, 4096) * TWO_32 + rng.int(-4096, 4096)
                : Math.floor(rng.next() * (MAX_SEQUENCE - TWO_32)) + TWO_31;
        const delta = rng.int(-(TWO_31 - 1), TWO_31 - 1);
        const full = reference + delta;
        if (full < -1) continue; // sequences are never below the initial cursor -1
        assert.equal(fromWord(toWord(full), reference), full, `reference ${reference}, delta ${delta}`);
      }
    } catch (err) {
      (err as Error).message += ` (seed ${rng.seed}: replay with RINGBUS_SEED=${rng.seed})`;
      throw err;
    }
  });

  it('should keep the sentinels distinct from each other and below every valid sequence and the initial cursor', () => {
    const sentinels = [INSUFFICIENT_CAPACITY, ALERTED, TIMED_OUT];
    assert.equal(new Set(sentinels).size, 3);
    // -1 is also the initial cursor, but tryNext never returns a cursor: it returns claims (>= 0)
    for (const s of sentinels) assert.ok(s < 0);
    assert.ok(ALERTED < -1 && TIMED_OUT < -1, 'waitFor sentinels must differ from an initial cursor of -1');
  });
});
