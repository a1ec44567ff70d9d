import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnapshotStore } from '../../src/persistence/SnapshotStore.js';
import { SnapshotWriterPool } from '../../src/persistence/SnapshotWriterPool.js';
import { listSegments, pruneJournal } from '../../src/persistence/journalFiles.js';
import { JournalReader } from '../../src/persistence/JournalReader.js';
import { hashState } from '../../src/persistence/stateHash.js';
import { snapshotManifestFileName, snapshotStateFileName } from '../../src/layout/SnapshotDescriptor.js';
import { withTempDir, writeJournal } from './helpers.js';

const states = (s: number): Record<string, unknown> => ({
  risk: { limits: [s, s + 1], name: `risk@${s}` },
  book: { bids: [[100.5, 3]], asks: [], seq: s },
});

describe('SnapshotStore', () => {
  it('should write a set atomically and load it back as the latest complete set', async () => {
    await withTempDir((dir) => {
      const store = new SnapshotStore(dir);
      assert.equal(store.latestComplete(), null);
      const path = store.writeSet(100, states(100));
      assert.equal(path, join(dir, 'snapshots', snapshotManifestFileName(100)));
      assert.deepEqual(readdirSync(store.directory).sort(), [
        snapshotManifestFileName(100),
        snapshotStateFileName(100, 'book'),
        snapshotStateFileName(100, 'risk'),
      ]);
      const manifest = JSON.parse(readFileSync(path, 'utf8'));
      assert.deepEqual(Object.keys(manifest.handlers), ['book', 'risk']);
      assert.equal(
        manifest.handlers.risk.length,
        readFileSync(join(store.directory, snapshotStateFileName(100, 'risk'))).length,
      );
      const latest = store.latestComplete();
      assert.ok(latest !== null);
      assert.equal(latest.sequence, 100);
      assert.deepEqual(Object.fromEntries(latest.states), states(100));
      assert.deepEqual(latest.warnings, []);
    });
  });

  it('should ignore newer sets with a missing or damaged file, with a warning, and an unfinished set silently', async () => {
    await withTempDir((dir) => {
      const store = new SnapshotStore(dir);
      store.writeSet(100, states(100));
      store.writeSet(200, states(200));
      store.writeSet(300, states(300));
      store.write(400, 'risk', states(400).risk); // no manifest: still being written
      unlinkSync(join(store.directory, snapshotStateFileName(300, 'book')));
      const damaged = join(store.directory, snapshotStateFileName(200, 'risk'));
      const bytes = readFileSync(damaged);
      bytes[5] = bytes[5]! ^ 1;
      writeFileSync(damaged, bytes);
      const latest = store.latestComplete();
      assert.ok(latest !== null);
      assert.equal(latest.sequence, 100);
      assert.deepEqual(Object.fromEntries(latest.states), states(100));
      assert.equal(latest.warnings.length, 2);
      assert.match(latest.warnings[0]!, /snapshot set 300 ignored: .*book\.json.*cannot be read/);
      assert.match(latest.warnings[1]!, /snapshot set 200 ignored: .*risk\.json has CRC32C \d+, the manifest says \d+/);
      writeFileSync(join(store.directory, snapshotManifestFileName(100)), '{ not json');
      assert.equal(store.latestComplete(), null);
    });
  });

  it('should serialize with fast-json-stringify when a schema is given', async () => {
    await withTempDir((dir) => {
      const store = new SnapshotStore(dir);
      const schema = { type: 'object', properties: { count: { type: 'integer' }, name: { type: 'string' } } };
      const entry = store.write(5, 'counter', { count: 7, name: 'x', scratch: 'not in the schema' }, { schema });
      assert.equal(readFileSync(join(store.directory, entry.file), 'utf8'), '{"count":7,"name":"x"}');
      store.complete(5, { counter: entry });
      assert.deepEqual(store.latestComplete()?.states.get('counter'), { count: 7, name: 'x' });
    });
  });

  it('should record state hashes and refuse a set whose state does not survive the JSON round trip', async () => {
    await withTempDir((dir) => {
      const store = new SnapshotStore(dir);
      store.writeSet(10, { a: { x: 1, d: new Date(0) } }, { hash: true });
      const ok = store.latestComplete();
      assert.equal(ok?.hashes.get('a'), hashState({ x: 1, d: new Date(0) }));
      const schema = { type: 'object', properties: { x: { type: 'integer' } } };
      store.writeSet(20, { a: { x: 1, lost: true } }, { hash: true, schemas: { a: schema } });
      const latest = store.latestComplete();
      assert.equal(latest?.sequence, 10);
      assert.match(latest!.warnings[0]!, /does not survive a JSON round trip/);
      assert.throws(() => store.writeSet(30, { a: new Map() }, { hash: true }), {
        code: 'RINGBUS_ERR_STATE_NOT_CANONICAL',
      });
    });
  });

  it('should prune old sets and return the lowest sequence the journal must keep', async () => {
    await withTempDir((dir) => {
      const store = new SnapshotStore(dir);
      assert.equal(store.prune({ retain: 2 }), 0, 'no complete set: keep the whole journal');
      for (const s of [100, 200, 300, 400]) store.writeSet(s, states(s));
      store.write(500, 'risk', states(500).risk);
      unlinkSync(join(store.directory, snapshotStateFileName(400, 'risk'))); // 400 is damaged: not counted
      assert.equal(store.prune({ retain: 2 }), 201);
      const left = readdirSync(store.directory).map((n) => Number(n.slice(0, 20)));
      assert.deepEqual(
        [...new Set(left)].sort((a, b) => a - b),
        [200, 300, 400, 500],
      );
      assert.throws(() => store.prune({ retain: 0 }), {
        code: 'RINGBUS_ERR_INVALID_OPTION',
        message: /retain must be an integer ≥ 1, got 0/,
      });

      writeJournal(dir, 2, 0, 999, { segmentBytes: 4096 });
      const before = listSegments(dir);
      const deleted = pruneJournal(dir, 201);
      const after = listSegments(dir);
      assert.deepEqual(
        deleted,
        before.slice(0, before.length - after.length).map((s) => s.name),
      );
      assert.ok(deleted.length > 0);
      assert.ok(
        after[0]!.firstSequence <= 201 && (after[1]?.firstSequence ?? Infinity) > 201,
        'the segment holding 201 stays',
      );
      const reader = new JournalReader(dir).seek(201);
      assert.equal(reader.next()?.sequence, 201);
      reader.close();
      assert.deepEqual(
        pruneJournal(dir, 10 ** 9),
        after.slice(0, -1).map((s) => s.name),
        'the newest segment is never deleted',
      );
    });
  });

  it('should refuse handler names that are not safe file names', async () => {
    await withTempDir((dir) => {
      const store = new SnapshotStore(dir);
      assert.throws(() => store.write(1, '../evil', {}), {
        code: 'RINGBUS_ERR_INVALID_OPTION',
        message: /handler name must match/,
      });
      assert.throws(() => store.write(-1, 'ok', {}), {
        code: 'RINGBUS_ERR_INVALID_OPTION',
        message: /sequence must be a non-negative integer .*got -1/,
      });
    });
  });
});

describe('SnapshotWriterPool', () => {
  it('should write a set in a piscina thread that the store then loads', async () => {
    await withTempDir(async (dir) => {
      const pool = new SnapshotWriterPool(dir, { hash: true });
      try {
        const path = await pool.writeSet(42, states(42));
        assert.equal(path, join(dir, 'snapshots', snapshotManifestFileName(42)));
        const latest = new SnapshotStore(dir).latestComplete();
        assert.equal(latest?.sequence, 42);
        assert.deepEqual(Object.fromEntries(latest!.states), states(42));
        assert.equal(latest!.hashes.get('risk'), hashState(states(42).risk));
        const entry = await pool.writeState(43, 'risk', { n: 1 });
        assert.equal(new SnapshotStore(dir).latestComplete()?.sequence, 42, 'no manifest yet');
        await pool.complete(43, { risk: entry });
        assert.equal(new SnapshotStore(dir).latestComplete()?.sequence, 43);
        await assert.rejects(pool.writeState(44, 'bad/name', {}), { code: 'RINGBUS_ERR_INVALID_OPTION' });
      } finally {
        await pool.close();
      }
    });
  });
});
