/**
 * The journal relay against real nats-server processes on loopback: the stream ends up holding
 * exactly the journal's records (byte for byte, in order) across restarts of the relay, a
 * SIGKILL + restart of the server and a server that stops answering (SIGSTOP) with publishes in
 * flight; a divergent stream, a stream beyond the journal and a pruned
 * journal stop it with coded errors; a second writer is fenced by the expected-last-sequence check.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JournalWriter } from '../../src/persistence/JournalWriter.js';
import { JournalRelay } from '../../src/replication/JournalRelay.js';
import { busStreamNames } from '../../src/replication/streamNames.js';
import { startNatsServer, stopAllNatsServers } from '../helpers/natsServer.js';
import { appendRange, withSeed, withTempDir, writeJournal, writerOptions } from '../persistence/helpers.js';
import { seedFromEnv } from '../helpers/prng.js';
import { journalBodies, streamBodies, within } from './helpers.js';
import { waitUntil } from '../helpers/workers.js';

after(stopAllNatsServers);

function assertSameRecords(stream: Uint8Array[], journal: Uint8Array[]): void {
  assert.equal(stream.length, journal.length, 'record count');
  for (let i = 0; i < journal.length; i++)
    assert.ok(Buffer.from(stream[i]!).equals(Buffer.from(journal[i]!)), `record ${i} differs`);
}

describe('JournalRelay', () => {
  it('should ship exactly the journal records, byte for byte, across relay restarts and a server SIGKILL', async () => {
    const seed = seedFromEnv(0x13a1);
    await withSeed(seed, async (prng) => {
      const server = await startNatsServer();
      await withTempDir(async (dir) => {
        const w = JournalWriter.open(dir, writerOptions({ segmentBytes: 16 * 1024 }));
        appendRange(w, seed, 0, 999);
        let relay = await JournalRelay.start({
          dataDir: dir,
          servers: server.url,
          bus: 't1',
          maxBatch: prng.int(8, 300),
        });
        await within(relay.waitForReplicated(999), 30_000, 'sequence 999 replicated');
        appendRange(w, seed, 1000, 1999);
        await server.kill();
        appendRange(w, seed, 2000, 2499);
        await server.restart();
        await within(relay.waitForReplicated(2499), 30_000, 'sequence 2499 replicated after the server restart');
        await relay.stop();
        appendRange(w, seed, 2500, 2999);
        relay = await JournalRelay.start({ dataDir: dir, servers: server.url, bus: 't1', maxBatch: prng.int(1, 64) });
        await within(relay.waitForReplicated(2999), 30_000, 'sequence 2999 replicated by a new relay');
        const m = relay.metrics();
        assert.equal(m.replicatedSequence, 2999);
        assert.equal(m.lagEvents, 0);
        assert.ok(m.publishLatencyUs.count > 0);
        await relay.stop();
        w.close();
        assertSameRecords(await streamBodies(server.url, busStreamNames('t1').stream), journalBodies(dir));
      });
    });
  });

  it('should resume when the server stops answering with publishes in flight (SIGSTOP), and ship each record once', async () => {
    const seed = seedFromEnv(0x57a1);
    await withSeed(seed, async (prng) => {
      const server = await startNatsServer();
      await withTempDir(async (dir) => {
        const w = JournalWriter.open(dir, writerOptions({ segmentBytes: 16 * 1024 }));
        appendRange(w, seed, 0, 499);
        const relay = await JournalRelay.start({
          dataDir: dir,
          servers: server.url,
          bus: 'stall',
          maxBatch: prng.int(8, 300),
        });
        await within(relay.waitForReplicated(499), 30_000, 'sequence 499 replicated');
        server.child.kill('SIGSTOP'); // the connection stays open; no ack comes back
        try {
          appendRange(w, seed, 500, 1499);
          await waitUntil(
            () => relay.metrics().retries > 0,
            () => `the relay to give up on its unanswered publishes: ${JSON.stringify(relay.metrics())}`,
            60_000,
            20,
          );
          assert.ok(relay.replicatedSequence() < 1499, 'nothing past the stall was acknowledged');
        } finally {
          server.child.kill('SIGCONT');
        }
        await within(relay.waitForReplicated(1499), 60_000, 'sequence 1499 replicated after the server answers again');
        await relay.stop();
        w.close();
        assertSameRecords(await streamBodies(server.url, busStreamNames('stall').stream), journalBodies(dir));
      });
    });
  });

  it('should stop with RINGBUS_ERR_REPLICATION_DIVERGED when the stream holds a different record', async () => {
    const server = await startNatsServer();
    await withTempDir(async (a) => {
      await withTempDir(async (b) => {
        writeJournal(a, 1, 0, 99);
        writeJournal(b, 2, 0, 99); // same sequences, other bytes
        const first = await JournalRelay.start({ dataDir: a, servers: server.url, bus: 'div' });
        await within(first.waitForReplicated(99), 30_000, 'journal a replicated');
        await first.stop();
        const second = await JournalRelay.start({ dataDir: b, servers: server.url, bus: 'div' });
        await assert.rejects(within(second.done, 30_000, 'the relay to stop'), {
          code: 'RINGBUS_ERR_REPLICATION_DIVERGED',
        });
        assertSameRecords(await streamBodies(server.url, busStreamNames('div').stream), journalBodies(a));
      });
    });
  });

  it('should stop with RINGBUS_ERR_REPLICATION_FENCED when the stream already runs beyond the journal', async () => {
    const server = await startNatsServer();
    await withTempDir(async (a) => {
      await withTempDir(async (b) => {
        writeJournal(a, 3, 0, 199);
        writeJournal(b, 3, 0, 99); // a stale copy: a prefix of a
        const first = await JournalRelay.start({ dataDir: a, servers: server.url, bus: 'stale' });
        await within(first.waitForReplicated(199), 30_000, 'journal a replicated');
        await first.stop();
        const second = await JournalRelay.start({ dataDir: b, servers: server.url, bus: 'stale' });
        await assert.rejects(within(second.done, 30_000, 'the relay to stop'), {
          code: 'RINGBUS_ERR_REPLICATION_FENCED',
        });
      });
    });
  });

  it('should fence a deposed leader whose next append another leader already made', async () => {
    const server = await startNatsServer();
    await withTempDir(async (oldDir) => {
      await withTempDir(async (newDir) => {
        // both hold 0..99; the new leader continued with 100..149, the old one (paused) with other 100..119
        writeJournal(oldDir, 4, 0, 99);
        writeJournal(newDir, 4, 0, 99);
        const oldRelay = await JournalRelay.start({ dataDir: oldDir, servers: server.url, bus: 'fence' });
        await within(oldRelay.waitForReplicated(99), 30_000, 'the common prefix replicated');
        const newWriter = JournalWriter.open(newDir, writerOptions());
        appendRange(newWriter, 5, 100, 149);
        newWriter.close();
        const newRelay = await JournalRelay.start({ dataDir: newDir, servers: server.url, bus: 'fence' });
        await within(newRelay.waitForReplicated(149), 30_000, 'the new leader replicated');
        const oldWriter = JournalWriter.open(oldDir, writerOptions());
        appendRange(oldWriter, 6, 100, 119);
        oldWriter.close();
        await assert.rejects(within(oldRelay.done, 30_000, 'the old relay to stop'), {
          code: 'RINGBUS_ERR_REPLICATION_FENCED',
        });
        await newRelay.stop();
        assertSameRecords(await streamBodies(server.url, busStreamNames('fence').stream), journalBodies(newDir));
      });
    });
  });

  it('should stop with RINGBUS_ERR_REPLICATION_GAP when the journal starts after the stream end', async () => {
    const server = await startNatsServer();
    await withTempDir(async (dir) => {
      writeJournal(dir, 7, 500, 599);
      const relay = await JournalRelay.start({ dataDir: dir, servers: server.url, bus: 'gap' });
      await assert.rejects(within(relay.done, 30_000, 'the relay to stop'), { code: 'RINGBUS_ERR_REPLICATION_GAP' });
    });
  });

  it('should reject bad options with RINGBUS_ERR_INVALID_OPTION naming them', async () => {
    await assert.rejects(JournalRelay.start({ dataDir: '/tmp', servers: '127.0.0.1:1', bus: 'a.b' }), (e: Error) => {
      assert.equal((e as { code?: string }).code, 'RINGBUS_ERR_INVALID_OPTION');
      assert.match(e.message, /bus must be/);
      return true;
    });
    await assert.rejects(JournalRelay.start({ dataDir: '/tmp', servers: [], bus: 'ok' }), /servers must be/);
    await assert.rejects(
      JournalRelay.start({ dataDir: '/tmp', servers: '127.0.0.1:1', bus: 'ok', maxBatch: 0 }),
      /maxBatch must be an integer/,
    );
  });
});
