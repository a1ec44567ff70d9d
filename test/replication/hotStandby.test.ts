/**
 * The hot standby in-process against a real nats-server: a leader bus ships its journal with a
 * JournalRelay and publishes state hashes; a Standby on an empty directory runs the same handlers
 * fed from the stream. Its hash equals the leader's at each published hash record, computed by its
 * running handlers (live, no replay); when the leader stops renewing its lease the standby
 * promotes its bus, which goes live at the next sequence with the state it already holds, and its
 * relay appends after the leader's records.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingBus } from '../../src/index.js';
import { JournalRelay } from '../../src/replication/JournalRelay.js';
import { LeaderLease } from '../../src/replication/LeaderLease.js';
import { replayStateHash } from '../../src/replication/replayStateHash.js';
import { publishStateHash, Standby } from '../../src/replication/Standby.js';
import { connectNats } from '../../src/replication/stream.js';
import { busStreamNames } from '../../src/replication/streamNames.js';
import { startNatsServer, stopAllNatsServers } from '../helpers/natsServer.js';
import { createPrng, seedFromEnv } from '../helpers/prng.js';
import { Entry, valueOf } from '../recovery/fixtures/events.js';
import { journalBodies, streamBodies, within } from './helpers.js';

const dirs: string[] = [];
after(async () => {
  await stopAllNatsServers();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('hot standby', () => {
  it('should keep the leader state live, match every published hash without replay, and go live at the next sequence', async () => {
    const seed = seedFromEnv(0x5eed13);
    const prng = createPrng(seed);
    const server = await startNatsServer();
    const root = mkdtempSync(join(tmpdir(), 'ringbus-hot-'));
    dirs.push(root);
    const dirA = join(root, 'a');
    const dirB = join(root, 'b');
    const nc = await connectNats(server.url, 'test-leader');
    const leaderLease = await LeaderLease.open(nc, { bus: 'hot', owner: 'A', leaseMs: 600 });
    assert.equal(await leaderLease.tryAcquire({ revision: -1, since: 0 }), true);
    leaderLease.startHeartbeat(() => undefined);

    const leader = new RingBus({ event: Entry, capacity: 512, persistence: { dataDir: dirA, fsync: 'batch' } });
    const ledger = leader.handler('ledger', new URL('../recovery/fixtures/ledger.js', import.meta.url));
    leader.handleEventsWith(leader.journal, ledger);
    await leader.start();
    const relay = await JournalRelay.start({ dataDir: dirA, servers: server.url, bus: 'hot' });
    let counter = 0;
    const burst = (bus: RingBus, n: number): number => {
      let last = -1;
      for (let i = 0; i < n; i++, counter++)
        last = bus.publishEvent({ counter, value: valueOf(seed, counter), account: counter % 11 });
      return last;
    };
    burst(leader, 300);
    await within(relay.waitForReplicated(299), 30_000, 'first records replicated');

    const standby = await Standby.start({ dataDir: dirB, servers: server.url, bus: 'hot', owner: 'B', leaseMs: 600 });
    // each round: events, a state hash on the leader, replicated and published; the standby checks on demand
    for (let round = 0; round < 5; round++) {
      burst(leader, prng.int(100, 1500));
      const h = await leader.stateHash();
      await within(relay.waitForReplicated(h.sequence), 30_000, `hash record ${h.sequence} replicated`);
      await publishStateHash(nc, 'hot', h);
      await within(standby.waitForApplied(h.sequence), 30_000, `standby applied ${h.sequence}`);
      const check = await standby.checkStateHash();
      assert.deepEqual(check, { sequence: h.sequence, leader: h.hash, standby: h.hash, live: true });
    }
    const last = burst(leader, 77);
    await within(relay.waitForReplicated(last), 30_000, 'last records replicated');
    await leader.shutdown();
    await relay.stop();
    leaderLease.stopHeartbeat(); // the leader is gone: its lease runs out

    const p = await within(standby.promoted, 30_000, 'promotion');
    assert.equal(p.lastSequence, last);
    assert.equal(p.term, 2);
    // hot: recovery at start replayed only the first mirrored records; the rest came through the feed
    assert.ok(p.bus.recovery!.replayedThrough < 300, `start recovered ${p.bus.recovery!.replayedThrough}`);
    const next = p.bus.publishEvent({ counter, value: valueOf(seed, counter), account: counter % 11 });
    counter++;
    assert.equal(next, last + 1);
    burst(p.bus, 99);
    const live = await p.bus.stateHash();
    const relayB = await JournalRelay.start({ dataDir: dirB, servers: server.url, bus: 'hot' });
    await within(relayB.waitForReplicated(live.sequence), 30_000, "the new leader's records replicated");
    await relayB.stop();
    await p.bus.shutdown();
    p.lease.stopHeartbeat();
    await p.connection.close();
    await nc.close();

    // the state it went live with equals a from-scratch replay of its journal
    assert.equal(await replayStateHash(dirB, live.sequence - 1), live.hash);
    // its journal holds the leader's records, then its own; the stream holds exactly its journal
    const a = journalBodies(dirA);
    const b = journalBodies(dirB);
    for (let s = 0; s <= last; s++) assert.ok(Buffer.from(a[s]!).equals(Buffer.from(b[s]!)), `record ${s}`);
    const stream = await streamBodies(server.url, busStreamNames('hot').stream);
    assert.equal(stream.length, b.length);
    for (let s = 0; s < b.length; s++) assert.ok(Buffer.from(stream[s]!).equals(Buffer.from(b[s]!)), `stream ${s}`);
  });

  it('should stop cleanly before promotion, shutting its bus down and releasing the data directory', async () => {
    const server = await startNatsServer();
    const root = mkdtempSync(join(tmpdir(), 'ringbus-hot-stop-'));
    dirs.push(root);
    const dirA = join(root, 'a');
    const leader = new RingBus({ event: Entry, capacity: 64, persistence: { dataDir: dirA, fsync: 'none' } });
    leader.handleEventsWith(leader.journal);
    await leader.start();
    for (let i = 0; i < 10; i++) leader.publishEvent({ counter: i, value: i, account: 0 });
    await leader.drain();
    const relay = await JournalRelay.start({ dataDir: dirA, servers: server.url, bus: 'hs' });
    await within(relay.waitForReplicated(9), 30_000, 'replicated');
    const nc = await connectNats(server.url, 'test-holder');
    const holder = await LeaderLease.open(nc, { bus: 'hs', owner: 'A', leaseMs: 60_000 });
    assert.equal(await holder.tryAcquire({ revision: -1, since: 0 }), true);
    const dirB = join(root, 'b');
    const standby = await Standby.start({ dataDir: dirB, servers: server.url, bus: 'hs', owner: 'B', leaseMs: 60_000 });
    await within(standby.waitForApplied(9), 30_000, 'standby applied 9');
    await standby.stop();
    await assert.rejects(standby.promoted);
    // the directory is free again: a bus (the would-be leader) can take it and sees the followed records
    const again = new RingBus({ event: Entry, capacity: 64, persistence: { dataDir: dirB, fsync: 'none' } });
    again.handleEventsWith(again.journal);
    await again.start();
    assert.equal(again.recovery!.journalLast, 9);
    await again.shutdown();
    await Promise.all([leader.shutdown(), relay.stop(), nc.close()]);
  });
});
