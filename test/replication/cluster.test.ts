/**
 * A three-node JetStream cluster (routes on loopback): the relay ships to an R3 stream, the node
 * leading the stream is SIGKILLed mid-run, the relay carries on through the other two, and the
 * stream read back from a survivor is the journal, byte for byte.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'nats';
import { JournalWriter } from '../../src/persistence/JournalWriter.js';
import { JournalRelay } from '../../src/replication/JournalRelay.js';
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
      const jsm = await nc.jetstreamManager();
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
});
