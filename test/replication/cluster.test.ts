/**
 * A three-node JetStream cluster (routes on loopback): the relay ships to an R3 stream, the node
 * leading the stream is SIGKILLed mid-run, the relay carries on through the other two, and the
 * stream read back from a survivor is the journal, byte for byte. The same with a bus in 'sync'
 * replication: every event its gated ack stage saw is on the surviving nodes.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'nats';
import { JournalWriter } from '../../src/persistence/JournalWriter.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingBus } from '../../src/index.js';
import { BusReplication } from '../../src/replication/BusReplication.js';
import { JournalRelay } from '../../src/replication/JournalRelay.js';
import type { CheckerOptions } from '../topology/fixtures/checker.js';
import { fillEvent, newResults, readCells, TestEvent } from '../topology/fixtures/events.js';
import { busStreamNames } from '../../src/replication/streamNames.js';
import { startNatsCluster, stopAllNatsServers } from '../helpers/natsServer.js';
import { appendRange, withTempDir, writerOptions } from '../persistence/helpers.js';
import { journalBodies, retryJetStream, streamBodies, waitForJetStream, within } from './helpers.js';

after(stopAllNatsServers);

describe('three-node cluster', () => {
  it('should keep the stream intact when the node leading it is killed', async () => {
    const nodes = await startNatsCluster(3);
    const urls = nodes.map((n) => n.url);
    await waitForJetStream(urls, 60_000);
    const names = busStreamNames('r3');
    await withTempDir(async (dir) => {
      const w = JournalWriter.open(dir, writerOptions({ segmentBytes: 16 * 1024 }));
      appendRange(w, 11, 0, 999);
      const relay = await JournalRelay.start({ dataDir: dir, servers: urls, bus: 'r3', replicas: 3 });
      await within(relay.waitForReplicated(999), 60_000, 'sequence 999 replicated on R3');

      const nc = await connect({ servers: urls });
      const jsm = await nc.jetstreamManager({ checkAPI: false });
      const info = await retryJetStream(() => jsm.streams.info(names.stream));
      await nc.close();
      assert.equal(info.config.num_replicas, 3);
      const leader = nodes.find((_, i) => `n${i}` === info.cluster?.leader);
      assert.ok(leader, `stream leader ${info.cluster?.leader} is one of the nodes`);
      await leader.kill();

      appendRange(w, 11, 1000, 1999);
      await within(relay.waitForReplicated(1999), 60_000, 'sequence 1999 replicated after losing a node');
      await relay.stop();
      w.close();
      const survivor = nodes.find((n) => n !== leader)!;
      const stream = await streamBodies(survivor.url, names.stream);
      const journal = journalBodies(dir);
      assert.equal(stream.length, 2000);
      for (let i = 0; i < journal.length; i++)
        assert.ok(Buffer.from(stream[i]!).equals(Buffer.from(journal[i]!)), `record ${i} differs`);
    });
  });

  it("should keep every event a 'sync' gated ack stage saw when the node leading the R3 stream is killed", async () => {
    const nodes = await startNatsCluster(3);
    const urls = nodes.map((n) => n.url);
    await waitForJetStream(urls, 60_000);
    const names = busStreamNames('r3sync');
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-r3-sync-'));
    try {
      const results = newResults(1);
      const bus = new RingBus({ event: TestEvent, capacity: 1024, persistence: { dataDir: dir, fsync: 'batch' } });
      const replication = BusReplication.attach(bus, { servers: urls, bus: 'r3sync', mode: 'sync', replicas: 3 });
      const ack = bus.handler('ack', new URL('../topology/fixtures/checker.js', import.meta.url), {
        options: { results, slot: 0, role: 'plain', mixed: true } satisfies CheckerOptions,
      });
      bus.after(replication.line).handleEventsWith(ack);
      await bus.start();
      let last = -1;
      for (let i = 0; i < 1000; i++) last = bus.publishWith(fillEvent, null);
      await within(replication.waitForReplicated(last, 60_000), 60_000, 'the first 1000 events replicated on R3');
      const nc = await connect({ servers: urls });
      const info = await retryJetStream(async () =>
        (await nc.jetstreamManager({ checkAPI: false })).streams.info(names.stream),
      );
      await nc.close();
      assert.equal(info.config.num_replicas, 3);
      const leader = nodes.find((_, i) => `n${i}` === info.cluster?.leader);
      assert.ok(leader, `stream leader ${info.cluster?.leader} is one of the nodes`);
      for (let i = 0; i < 500; i++) last = bus.publishWith(fillEvent, null);
      await leader.kill(); // mid-load: events are in flight to the stream
      for (let i = 0; i < 500; i++) last = bus.publishWith(fillEvent, null);
      await within(replication.waitForReplicated(last, 120_000), 120_000, 'every event replicated after losing a node');
      await bus.shutdown();
      await replication.stop();
      const seen = readCells(results, 0).count - 1;
      assert.equal(readCells(results, 0).errors, 0);
      assert.equal(seen, last);
      const survivor = nodes.find((n) => n !== leader)!;
      const stream = await streamBodies(survivor.url, names.stream);
      const journal = journalBodies(dir);
      assert.ok(
        stream.length >= seen + 1,
        `the survivors hold ${stream.length} records; the ack stage saw ${seen + 1}`,
      );
      for (let s = 0; s <= seen; s++)
        assert.ok(Buffer.from(stream[s]!).equals(Buffer.from(journal[s]!)), `record ${s} differs`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
