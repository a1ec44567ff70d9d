/**
 * Follower mode (BusFollower): a bus rebuilt from a leader's manifest takes the leader's journal
 * records one by one, journals them unchanged, applies them through the same handlers and hashes /
 * snapshots at the leader's own control records; promote() makes it live at the next sequence.
 * Real worker threads and real data directories; the records are read from the leader's journal.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingBus } from '../../src/index.js';
import type { StateHashResult } from '../../src/topology/BusRuntime.js';
import { JournalReader } from '../../src/persistence/JournalReader.js';
import { SnapshotStore } from '../../src/persistence/SnapshotStore.js';
import { decodeRecord, encodeRecord, type ReplicatedRecord } from '../../src/replication/recordMessage.js';
import { busFromManifest } from '../../src/topology/busFromManifest.js';
import { coded } from '../helpers/assertions.js';
import { journalBodies } from '../replication/helpers.js';
import { createPrng, seedFromEnv } from '../helpers/prng.js';
import { Entry, valueOf } from '../recovery/fixtures/events.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = (label: string): string => {
  const d = mkdtempSync(join(tmpdir(), `ringbus-follow-${label}-`));
  dirs.push(d);
  return d;
};

const LEDGER = new URL('../recovery/fixtures/ledger.js', import.meta.url);
const MARKER = new URL('./fixtures/liveMarker.js', import.meta.url);

function leaderBus(dataDir: string, markerPath: string): RingBus {
  const bus = new RingBus({ event: Entry, capacity: 256, persistence: { dataDir, fsync: 'none' } });
  const ledger = bus.handler('ledger', LEDGER);
  const marker = bus.handler('marker', MARKER, { options: { path: markerPath } });
  bus.handleEventsWith(bus.journal, ledger);
  bus.after(ledger).handleEventsWith(marker);
  return bus;
}

/** Every record of a journal from `from` on, decoded as a standby receives it from the stream. */
function recordsOf(dataDir: string, from: number): ReplicatedRecord[] {
  const reader = new JournalReader(dataDir);
  const out: ReplicatedRecord[] = [];
  reader.seek(from);
  for (let r = reader.next(); r !== null; r = reader.next()) out.push(decodeRecord(encodeRecord(r), 'test'));
  reader.close();
  return out;
}

const bodies = (dataDir: string): string[] => journalBodies(dataDir).map((b) => Buffer.from(b).toString('hex'));

describe('follower bus (hot standby core)', () => {
  it('should apply a leader journal at its sequences: same records, same hash at every leader hash record, same snapshots, live only after promote()', async () => {
    const seed = seedFromEnv(20261201);
    const prng = createPrng(seed);
    const leaderDir = tempDir('leader');
    const marks = join(tempDir('marks'), 'live.txt');
    // phase 1: the leader journals 700 events; the follower's directory is a copy of this state
    let bus = leaderBus(leaderDir, marks);
    await bus.start();
    let counter = 0;
    const publish = (b: RingBus, n: number): void => {
      for (let i = 0; i < n; i++, counter++)
        b.publishEvent({ counter, value: valueOf(seed, counter), account: counter % 7 });
    };
    publish(bus, 700);
    await bus.shutdown();
    const followerDir = tempDir('follower');
    cpSync(leaderDir, followerDir, { recursive: true });
    // phase 2: the leader goes on, with state hashes and a snapshot between seeded bursts
    bus = leaderBus(leaderDir, marks);
    await bus.start();
    const leaderHashes: StateHashResult[] = [];
    let snapshotAt = -1;
    for (let round = 0; round < 6; round++) {
      publish(bus, prng.int(50, 450));
      leaderHashes.push(await bus.stateHash());
      if (round === 3) snapshotAt = (await bus.snapshot()).sequence;
    }
    await bus.shutdown();
    writeFileSync(marks, ''); // the leader's live marks are not what this test looks at

    const follower = busFromManifest({ dataDir: followerDir, fsync: 'none' });
    const feed = follower.follow();
    await follower.start();
    assert.equal(feed.following, true);
    assert.equal(feed.nextSequence(), 700);
    assert.throws(
      () => follower.publishEvent({ counter: 0, value: 0, account: 0 }),
      coded('RINGBUS_ERR_BUS_STATE', 'follows'),
    );
    await assert.rejects(follower.stateHash(), coded('RINGBUS_ERR_BUS_STATE', 'follows'));
    await assert.rejects(follower.snapshot(), coded('RINGBUS_ERR_BUS_STATE', 'follows'));

    const records = recordsOf(leaderDir, 700);
    // refused records change nothing: out of sequence, another epoch, another schema
    assert.throws(() => feed.apply(records[1]!), coded('RINGBUS_ERR_REPLICATION_GAP', 'expected sequence 700'));
    assert.throws(
      () => feed.apply({ ...records[0]!, epochMs: records[0]!.epochMs + 1 }),
      coded('RINGBUS_ERR_REPLICATION_DIVERGED', 'epoch'),
    );
    assert.throws(
      () => feed.apply({ ...records[0]!, fingerprint: records[0]!.fingerprint ^ 1 }),
      coded('RINGBUS_ERR_REPLICATION_DIVERGED', 'fingerprint'),
    );
    assert.equal(feed.nextSequence(), 700);
    for (const r of records) feed.apply(r);
    const last = records[records.length - 1]!.sequence;
    assert.equal(feed.lastApplied(), last);

    // the follower hashed at the leader's own hash records, and got the leader's hash each time
    assert.deepEqual(
      feed.stateHashSequences(),
      leaderHashes.map((h) => h.sequence),
    );
    for (const h of leaderHashes) {
      const mine = await feed.stateHashAt(h.sequence)!;
      assert.equal(mine.sequence, h.sequence);
      assert.equal(mine.hash, h.hash, `hash at ${h.sequence}`);
    }
    await follower.drain();
    assert.equal(readFileSync(marks, 'utf8'), '', 'followed events are replays for the handlers');

    const promotedAt = await feed.promote();
    assert.equal(promotedAt, last);
    // the follower journaled the leader's records unchanged, and wrote the leader's snapshot set too
    assert.deepEqual(bodies(followerDir), bodies(leaderDir));
    assert.ok(new SnapshotStore(followerDir).manifestSequences().includes(snapshotAt), `snapshot at ${snapshotAt}`);

    // live: it continues at the next sequence, and equals the leader given the same next events
    const resume = counter;
    const first = follower.publishEvent({ counter, value: valueOf(seed, counter), account: counter % 7 });
    counter++;
    assert.equal(first, last + 1);
    publish(follower, 99);
    const followerHash = await follower.stateHash();
    await follower.shutdown();
    const liveSeqs = readFileSync(marks, 'utf8').trim().split('\n').map(Number);
    assert.equal(liveSeqs[0], last + 1, 'live marks start right after the followed records');
    assert.equal(liveSeqs.length, 100);

    counter = resume;
    bus = leaderBus(leaderDir, join(tempDir('marks2'), 'live.txt'));
    await bus.start();
    publish(bus, 100);
    const leaderHash = await bus.stateHash();
    await bus.shutdown();
    assert.equal(followerHash.sequence, leaderHash.sequence);
    assert.equal(followerHash.hash, leaderHash.hash);
    assert.ok(existsSync(join(followerDir, 'manifest.json')));
  });

  it('should refuse follow() without writable persistence, after start() and in time travel', async () => {
    const plain = new RingBus({ event: Entry, capacity: 64 });
    assert.throws(() => plain.follow(), coded('RINGBUS_ERR_BUS_STATE', 'writable persistence'));
    const dir = tempDir('ro');
    const ro = new RingBus({ event: Entry, capacity: 64, persistence: { dataDir: dir, readOnly: true } });
    assert.throws(() => ro.follow(), coded('RINGBUS_ERR_BUS_STATE', 'writable persistence'));
    const live = new RingBus({ event: Entry, capacity: 64, persistence: { dataDir: tempDir('live'), fsync: 'none' } });
    await live.start();
    assert.throws(() => live.follow(), coded('RINGBUS_ERR_BUS_STATE', 'follow()'));
    await live.shutdown();
  });
});
