import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OrderIndex, orderIdHash } from '../../examples/order-matching/OrderIndex.js';
import { Prng } from '../../examples/order-matching/Prng.js';
import { SEED } from './harness.js';

describe('OrderIndex', () => {
  it('should behave like a Map under random sets and deletes, across growth and wrapped probe chains', () => {
    const rng = new Prng(SEED);
    const index = new OrderIndex(4);
    const model = new Map<number, number>();
    // few distinct keys in a small table: long probe chains, wrap-around and backward shifts
    const key = () => (rng.int(4) === 0 ? 2 ** 40 + rng.int(16) * 4294967296 : rng.int(48));
    for (let i = 0; i < 60_000; i++) {
      const k = key();
      const op = rng.int(3);
      if (op === 0) {
        const v = rng.int(1 << 30);
        index.set(k, v);
        model.set(k, v);
      } else if (op === 1) {
        assert.equal(index.delete(k), model.delete(k), `seed ${SEED}, op ${i}: delete(${k})`);
      } else {
        assert.equal(index.get(k), model.get(k) ?? -1, `seed ${SEED}, op ${i}: get(${k})`);
      }
      assert.equal(index.size, model.size, `seed ${SEED}, op ${i}`);
    }
    for (const [k, v] of model) assert.equal(index.get(k), v, `seed ${SEED}: final get(${k})`);
    index.clear();
    assert.equal(index.size, 0);
    for (const k of model.keys()) assert.equal(index.get(k), -1);
  });

  it('should keep entries reachable when a deletion pulls a wrapped probe chain back across the table end', () => {
    // a 16-slot table (capacity 4); keys picked by home slot, so chains wrap from slot 15 to 0
    const homeOf = (k: number) => orderIdHash(k) >>> 28;
    const pools = new Map<number, number[]>([
      [14, []],
      [15, []],
      [0, []],
    ]);
    for (let k = 1; [...pools.values()].some((p) => p.length < 3); k++) {
      const p = pools.get(homeOf(k));
      if (p && p.length < 3) p.push(k);
    }
    // each scenario: the home slots of the keys, in insertion order
    const scenarios = [
      [15, 15, 0, 15],
      [15, 0],
      [14, 15, 15],
      [14, 15, 0, 15, 0],
    ];
    for (const homes of scenarios) {
      const taken = new Map<number, number>();
      const keys = homes.map((h) => {
        const n = taken.get(h) ?? 0;
        taken.set(h, n + 1);
        return pools.get(h)![n]!;
      });
      for (const victim of keys) {
        const index = new OrderIndex(4);
        keys.forEach((k, v) => index.set(k, v));
        assert.equal(index.delete(victim), true);
        keys.forEach((k, v) =>
          assert.equal(index.get(k), k === victim ? -1 : v, `homes ${homes}: after deleting ${victim}, get(${k})`),
        );
        assert.equal(index.size, keys.length - 1);
      }
    }
  });
});
