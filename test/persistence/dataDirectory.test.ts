/**
 * ensureDataDirectory: creates missing levels, and refuses what cannot hold a journal at once with
 * RINGBUS_ERR_DATA_DIR_UNUSABLE (procfs, a file, a path below a file) instead of looping (Node's
 * recursive mkdir spins forever on procfs). The bus surfaces the same error from start().
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataDirectory } from '../../src/persistence/fsUtil.js';
import { defineEvent, RingBus } from '../../src/index.js';
import { withTempDir } from './helpers.js';

const unusable = (dir: string) => (error: unknown) => {
  const e = error as Error & { code?: string };
  assert.equal(e.code, 'RINGBUS_ERR_DATA_DIR_UNUSABLE');
  assert.ok(e.message.includes(dir), e.message);
  return true;
};

describe('ensureDataDirectory', () => {
  it('should create every missing level and leave no probe file behind', async () => {
    await withTempDir((dir) => {
      const deep = join(dir, 'a', 'b', 'c');
      ensureDataDirectory(deep);
      assert.ok(statSync(deep).isDirectory());
      assert.deepEqual(readdirSync(deep), []);
      ensureDataDirectory(deep); // existing: fine
    });
  });

  it('should refuse procfs, a file and a path below a file with a coded error', async () => {
    await withTempDir((dir) => {
      const file = join(dir, 'file');
      writeFileSync(file, 'x');
      for (const bad of ['/proc/ringbus-nope', '/proc/ringbus-nope/deeper', '/proc', file, join(file, 'below')])
        assert.throws(() => ensureDataDirectory(bad), unusable(bad), bad);
      assert.equal(existsSync('/proc/ringbus-nope'), false);
    });
  });

  it('should make bus.start() fail with the same error on /proc', async () => {
    const bus = new RingBus({
      event: defineEvent('Tick', { n: 'u32' }),
      persistence: { dataDir: '/proc/ringbus-nope' },
    });
    bus.handleEventsWith(bus.journal);
    await assert.rejects(bus.start(), unusable('/proc/ringbus-nope'));
  });
});
