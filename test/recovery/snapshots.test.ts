/**
 * Snapshot + journal tail == full replay from empty == live run, by state hash, at two snapshot
 * points; time travel to an earlier sequence gives the state the live run had there.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingBus, type RingBusOptions } from '../../src/index.js';
import { Entry, valueOf } from './fixtures/events.js';

function build(dataDir: string, persistence: Partial<NonNullable<RingBusOptions['persistence']>> = {}): RingBus {
  const bus = new RingBus({ event: Entry, capacity: 512, persistence: { dataDir, ...persistence } });
  const ledger = bus.handler('ledger', new URL('./fixtures/ledger.js', import.meta.url));
  bus.handleEventsWith(bus.journal, ledger);
  return bus;
}

function publish(bus: RingBus, from: number, to: number): void {
  for (let i = from; i < to; i++) bus.publishEvent({ counter: i, value: valueOf(3, i), account: i % 13 });
}

async function hashOf(
  dataDir: string,
  persistence: Partial<NonNullable<RingBusOptions['persistence']>>,
): Promise<{ hash: string; through: number; snapshot: number | null }> {
  const bus = build(dataDir, persistence);
  await bus.start();
  await bus.drain();
  const { hash } = await bus.stateHash();
  const r = bus.recovery!;
  await bus.shutdown();
  return { hash, through: r.replayedThrough, snapshot: r.snapshot?.sequence ?? null };
}

describe('snapshots and replay', () => {
  it('should give the live state hash after recovery from each snapshot point and after a full replay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-snap-'));
    try {
      // live run 1: snapshot s1, more events, live hash h1 at L1
      let bus = build(dir);
      await bus.start();
      publish(bus, 0, 20_000);
      const s1 = await bus.snapshot();
      publish(bus, 20_000, 35_000);
      await bus.drain();
      const h1 = await bus.stateHash();
      await bus.shutdown();
      const L1 = h1.sequence - 1;

      // recovery from s1 + tail
      const r1 = await hashOf(dir, {});
      assert.equal(r1.snapshot, s1.sequence);
      assert.equal(r1.hash, h1.hash, 'snapshot s1 + journal tail must give the live hash');

      // live run 2 (continues the same directory): snapshot s2, more events, h2
      bus = build(dir);
      await bus.start();
      publish(bus, 35_000, 50_000);
      const s2 = await bus.snapshot();
      assert.ok(s2.sequence > s1.sequence);
      publish(bus, 50_000, 60_000);
      await bus.drain();
      const h2 = await bus.stateHash();
      await bus.shutdown();
      const L2 = h2.sequence - 1;

      const r2 = await hashOf(dir, {});
      assert.equal(r2.snapshot, s2.sequence);
      assert.equal(r2.hash, h2.hash, 'snapshot s2 + journal tail must give the live hash');

      // full replays from empty, stopping at L1 and L2
      const f1 = await hashOf(dir, { readOnly: true, ignoreSnapshots: true, recoverTo: { sequence: L1 } });
      const f2 = await hashOf(dir, { readOnly: true, ignoreSnapshots: true, recoverTo: { sequence: L2 } });
      assert.equal(f1.snapshot, null);
      assert.equal(f1.through, L1);
      assert.equal(f1.hash, h1.hash, 'full replay to L1 must give the live hash at L1');
      assert.equal(f2.hash, h2.hash, 'full replay to L2 must give the live hash at L2');

      // time travel with snapshots: to L1 uses s1 (the newest snapshot not past L1)
      const t1 = await hashOf(dir, { readOnly: true, recoverTo: { sequence: L1 } });
      assert.equal(t1.snapshot, s1.sequence);
      assert.equal(t1.hash, h1.hash);
      // and the states differ between the two points (the comparison is not vacuous)
      assert.notEqual(h1.hash, h2.hash);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should keep only retainSnapshots sets and drop journal segments wholly before the oldest kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-retain-'));
    try {
      const bus = build(dir, { retainSnapshots: 2, segmentBytes: 64 * 1024 });
      await bus.start();
      const taken: number[] = [];
      for (let k = 0; k < 4; k++) {
        publish(bus, k * 10_000, (k + 1) * 10_000);
        taken.push((await bus.snapshot()).sequence);
      }
      await bus.drain();
      const h = await bus.stateHash();
      await bus.shutdown();
      const manifests = readdirSync(join(dir, 'snapshots')).filter((f) => f.endsWith('.manifest.json'));
      assert.equal(manifests.length, 2);
      const segments = readdirSync(join(dir, 'journal'))
        .filter((f) => f.endsWith('.log'))
        .map((f) => Number(f.slice(0, 20)));
      assert.ok(Math.min(...segments) > 0, 'the oldest segments must have been pruned');
      assert.ok(Math.min(...segments) <= taken[2]! + 1, 'segments the oldest kept snapshot needs must stay');
      const r = await hashOf(dir, {});
      assert.equal(r.snapshot, taken[3]);
      assert.equal(r.hash, h.hash);
      // the pruned head makes a replay from scratch impossible: refused, never a silent partial replay
      const scratch = build(dir, { readOnly: true, ignoreSnapshots: true });
      await assert.rejects(scratch.start(), (e: unknown) => {
        assert.equal((e as { code?: string }).code, 'RINGBUS_ERR_RECOVERY');
        assert.match((e as Error).message, /from scratch.*pruned/);
        return true;
      });
      await scratch.shutdown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
