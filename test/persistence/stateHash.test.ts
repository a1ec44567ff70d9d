import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, combineStateHashes, hashState } from '../../src/persistence/stateHash.js';
import { seedFromEnv } from '../helpers/prng.js';
import { withSeed } from './helpers.js';

describe('hashState', () => {
  it('should write canonical JSON with sorted keys at every depth', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }),
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
    assert.equal(hashState({ b: 1, a: 2 }), hashState({ a: 2, b: 1 }));
    assert.equal(hashState({ a: 2, b: 1 }), createHash('sha256').update('{"a":2,"b":1}').digest('hex'));
    assert.notEqual(hashState({ a: 1 }), hashState({ a: 2 }));
  });

  it('should hash exactly what a JSON round trip keeps', async () => {
    assert.equal(
      canonicalJson({ z: -0, u: undefined, arr: [undefined, -0], d: new Date(0) }),
      '{"arr":[null,0],"d":"1970-01-01T00:00:00.000Z","z":0}',
    );
    await withSeed(seedFromEnv(0x4a54), (prng) => {
      const make = (depth: number): unknown => {
        const pick = prng.int(0, depth > 3 ? 3 : 6);
        if (pick === 0) return prng.next() * 1e6 - 5e5;
        if (pick === 1) return `s${prng.int(0, 99)}`;
        if (pick === 2) return prng.int(0, 1) === 1;
        if (pick === 3) return null;
        if (pick === 4) return Array.from({ length: prng.int(0, 4) }, () => make(depth + 1));
        const o: Record<string, unknown> = {};
        for (let i = prng.int(0, 5); i > 0; i--) o[`k${prng.int(0, 20)}`] = make(depth + 1);
        return o;
      };
      for (let i = 0; i < 200; i++) {
        const v = make(0);
        assert.equal(hashState(v), hashState(JSON.parse(JSON.stringify(v))), JSON.stringify(v));
      }
    });
  });

  it('should reject values JSON would lose, naming the path', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ a: { m: new Map() } }, /state at \$\.a\.m is a Map/],
      [{ s: new Set([1]) }, /\$\.s is a Set/],
      [{ n: [1, NaN] }, /\$\.n\[1\] is the number NaN/],
      [{ i: Infinity }, /\$\.i is the number Infinity/],
      [{ b: 1n }, /\$\.b is the BigInt 1n/],
      [{ f: () => 1 }, /\$\.f is a function/],
      [undefined, /state at \$ is undefined/],
    ];
    for (const [value, message] of cases)
      assert.throws(() => hashState(value), { code: 'RINGBUS_ERR_STATE_NOT_CANONICAL', message });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => hashState(cyclic), { code: 'RINGBUS_ERR_STATE_NOT_CANONICAL', message: /\$\.self is a cycle/ });
    const shared = { x: 1 };
    assert.equal(
      canonicalJson({ a: shared, b: shared }),
      '{"a":{"x":1},"b":{"x":1}}',
      'a shared (acyclic) object is fine',
    );
  });
});

describe('combineStateHashes', () => {
  it('should not depend on the order handlers report in', () => {
    const a = hashState({ a: 1 });
    const b = hashState({ b: 1 });
    assert.equal(combineStateHashes({ risk: a, book: b }), combineStateHashes({ book: b, risk: a }));
    assert.notEqual(combineStateHashes({ risk: a, book: b }), combineStateHashes({ risk: b, book: a }));
    assert.equal(
      combineStateHashes({ book: b, risk: a }),
      createHash('sha256').update(`"book"=${b}\n"risk"=${a}\n`).digest('hex'),
    );
    assert.throws(() => combineStateHashes({ risk: 'XYZ' }), {
      code: 'RINGBUS_ERR_INVALID_OPTION',
      message: /hashes\["risk"\] must be a lower-case hex digest, got "XYZ"/,
    });
  });
});
