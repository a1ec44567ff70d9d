/**
 * The one fsync-policy parser (fsyncPolicy.ts) that JournalWriter, the bus options and the
 * example's --fsync flag share; and the journal's sync statistics block (JournalSyncStats.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeFsyncPolicy, parseFsyncFlag, parseFsyncPolicy, RingBus } from '../../src/index.js';
import { JournalSyncStats } from '../../src/persistence/JournalSyncStats.js';
import { createPrng, seedFromEnv } from '../helpers/prng.js';
import { TestEvent } from '../topology/fixtures/events.js';

describe('fsync policies', () => {
  it('should parse every policy and default to batch', () => {
    assert.deepEqual(parseFsyncPolicy(undefined), { mode: 'batch', everyMs: 0, policy: 'batch' });
    assert.deepEqual(parseFsyncPolicy('none'), { mode: 'none', everyMs: 0, policy: 'none' });
    assert.deepEqual(parseFsyncPolicy({ everyMs: 2.5 }), { mode: 'every', everyMs: 2.5, policy: { everyMs: 2.5 } });
    assert.deepEqual(parseFsyncFlag('batch'), 'batch');
    assert.deepEqual(parseFsyncFlag('none'), 'none');
    assert.deepEqual(parseFsyncFlag('10'), { everyMs: 10 });
    assert.equal(describeFsyncPolicy({ everyMs: 10 }), 'every 10 ms');
  });

  it('should refuse bad policies with a coded error naming the option and the value', () => {
    for (const bad of ['always', 0, null, [], { everyMs: 0 }, { everyMs: -1 }, { everyMs: Infinity }, { every: 5 }]) {
      assert.throws(
        () => parseFsyncPolicy(bad, 'persistence.fsync'),
        (e: Error & { code?: string }) =>
          e.code === 'RINGBUS_ERR_INVALID_OPTION' && /persistence\.fsync/.test(e.message),
        `value ${JSON.stringify(bad)}`,
      );
    }
    for (const bad of ['', 'fast', '-5', '0', '1e3', '5ms'])
      assert.throws(() => parseFsyncFlag(bad), /--fsync must be 'batch', 'none' or a number of milliseconds/);
  });

  it('should validate persistence.fsync when the bus is built, through the same parser', () => {
    assert.throws(
      () => new RingBus({ event: TestEvent, persistence: { dataDir: '/tmp/x', fsync: { everyMs: 0 } } }),
      /persistence\.fsync\.everyMs must be a finite number > 0, got 0/,
    );
  });
});

describe('journal sync statistics', () => {
  it('should count syncs and records and read percentiles at most 12.5 % above what was recorded', () => {
    const seed = seedFromEnv(0x5a7c);
    const prng = createPrng(seed);
    const stats = new JournalSyncStats();
    const reader = new JournalSyncStats(stats.buffer); // another view of the same shared block
    const latencies: number[] = [];
    const groups: number[] = [];
    let records = 0;
    for (let i = 0; i < 5000; i++) {
      const ns = prng.int(1, 50_000_000);
      const group = prng.int(1, 100_000);
      stats.record(ns, group);
      latencies.push(ns);
      groups.push(group);
      records += group;
    }
    assert.equal(reader.syncs, 5000, `seed ${seed}`);
    assert.equal(reader.records, records, `seed ${seed}`);
    const exact = (values: number[], q: number): number =>
      [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(q * values.length) - 1)]!;
    for (const [name, values, p] of [
      ['latency', latencies, reader.latencyNs()],
      ['group', groups, reader.groupSize()],
    ] as const) {
      assert.equal(p.count, 5000);
      for (const [q, got] of [
        [0.5, p.p50],
        [0.9, p.p90],
        [0.99, p.p99],
      ] as const) {
        const want = exact(values as number[], q);
        assert.ok(
          got >= want && got <= want * 1.125 + 1,
          `${name} p${q * 100}: ${got} vs exact ${want} (seed ${seed})`,
        );
      }
      assert.ok(p.max >= Math.max(...values) && p.max <= Math.max(...values) * 1.125 + 1, `${name} max ${p.max}`);
    }
  });

  it('should read all zeros before the first sync', () => {
    const p = new JournalSyncStats().latencyNs();
    assert.deepEqual([p.count, p.p50, p.max], [0, 0, 0]);
  });
});
