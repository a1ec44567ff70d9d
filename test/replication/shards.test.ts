/**
 * Shards with real processes: two shard engines (each its own bus, journal and stream), a shard
 * map in the bucket, and a gateway routing seeded random commands by symbol. Each symbol's
 * commands reach only its shard (and that shard's stream); the shards' per-symbol states, merged,
 * equal a single bus fed every command in the same order, and so do their hashes.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'nats';
import { RingBus } from '../../src/index.js';
import { hashState } from '../../src/persistence/stateHash.js';
import { putShardMap, requestState, ShardGateway } from '../../src/replication/shards.js';
import { busStreamNames } from '../../src/replication/streamNames.js';
import { decodeRecord } from '../../src/replication/recordMessage.js';
import { KIND_EVENT } from '../../src/layout/RingBufferDescriptor.js';
import { createPrng, seedFromEnv } from '../helpers/prng.js';
import { startNatsServer, stopAllNatsServers } from '../helpers/natsServer.js';
import { Cmd } from './fixtures/shardEvents.js';
import { streamBodies, waitForStreamSequence, within } from './helpers.js';

const SHARD = fileURLToPath(new URL('./fixtures/shard.js', import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await stopAllNatsServers();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function startShard(dataDir: string, server: string, shard: string): Promise<void> {
  const child = spawn(process.execPath, [SHARD, dataDir, server, shard], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return within(
    new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('ready\n')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`shard ${shard} exited (${code}): ${err}`)));
    }),
    60_000,
    `shard ${shard} ready`,
  );
}

const MAP = { shards: ['sh-0', 'sh-1'], symbols: { AAA: 'sh-0', CCC: 'sh-0', BBB: 'sh-1', DDD: 'sh-1', EEE: 'sh-1' } };

describe('shards', () => {
  it('should route each symbol only to its shard and match a single-process run', async () => {
    const seed = seedFromEnv(0x5a4d);
    const prng = createPrng(seed);
    const server = await startNatsServer();
    const root = mkdtempSync(join(tmpdir(), 'ringbus-shards-'));
    dirs.push(root);
    const nc = await connect({ servers: server.url });
    try {
      await putShardMap(nc, 'px', MAP);
      await Promise.all(MAP.shards.map((s) => startShard(join(root, s), server.url, s)));
      const gateway = await ShardGateway.open(nc, 'px');
      const symbols = Object.keys(MAP.symbols);
      const commands = Array.from({ length: 600 }, (_, id) => ({
        id,
        symbol: symbols[prng.int(0, symbols.length - 1)]!,
        qty: prng.int(-500, 500),
        price: prng.int(1, 100_000) / 100,
      }));
      const perShard: Record<string, number> = { 'sh-0': 0, 'sh-1': 0 };
      for (let i = 0; i < commands.length; i += 50) {
        const routed = await Promise.all(commands.slice(i, i + 50).map((c) => gateway.route(c)));
        routed.forEach((r, j) => {
          assert.equal(r.shard, MAP.symbols[commands[i + j]!.symbol as keyof typeof MAP.symbols]);
          perShard[r.shard]!++;
        });
      }
      await assert.rejects(gateway.route({ id: 1, symbol: 'ZZZ', qty: 1, price: 1 }), {
        code: 'RINGBUS_ERR_SHARD_ROUTE',
      });
      await assert.rejects(putShardMap(nc, 'bad', { shards: ['sh-0'], symbols: { AAA: 'sh-9' } }), {
        code: 'RINGBUS_ERR_SHARD_ROUTE',
      });

      // each shard holds only its symbols, with every command for them
      const merged: Record<string, unknown> = {};
      for (const shard of MAP.shards) {
        const { states } = await requestState(nc, shard);
        const book = states.book as Record<string, { count: number }>;
        for (const [symbol, b] of Object.entries(book)) {
          assert.equal(MAP.symbols[symbol as keyof typeof MAP.symbols], shard, `${symbol} on ${shard}`);
          assert.equal(b.count, commands.filter((c) => c.symbol === symbol).length, `${symbol} count`);
          merged[symbol] = b;
        }
      }
      const hashes = await gateway.stateHashes();
      assert.deepEqual(Object.keys(hashes.shards).sort(), ['sh-0', 'sh-1']);
      assert.match(hashes.combined, /^[0-9a-f]{64}$/);

      // a single bus fed every command in the same order
      const single = new RingBus({ event: Cmd, capacity: 1024 });
      single.handleEventsWith(single.handler('book', new URL('./fixtures/book.js', import.meta.url)));
      await single.start();
      for (const c of commands) single.publishEvent(c);
      await single.drain();
      const singleBook = (await single.captureState()).states.book as Record<string, unknown>;
      await single.shutdown();
      assert.deepEqual(merged, singleBook, `seed ${seed}`);
      assert.equal(hashState(merged), hashState(singleBook));

      // each shard's stream holds exactly its own commands (its relay shipped its journal)
      for (const shard of MAP.shards) {
        const names = busStreamNames(shard);
        const { sequence } = await requestState(nc, shard);
        await waitForStreamSequence(server.url, names.stream, sequence, 30_000);
        const records = (await streamBodies(server.url, names.stream)).map((b, i) => decodeRecord(b, `${shard} ${i}`));
        const events = records.filter((r) => r.kind === KIND_EVENT).length;
        assert.equal(events, perShard[shard], `${shard} stream event records (seed ${seed})`);
      }
    } finally {
      await nc.close();
    }
  });
});
