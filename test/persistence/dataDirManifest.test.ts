import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest, writeManifest } from '../../src/persistence/dataDirManifest.js';
import { defineEvent } from '../../src/schema/defineEvent.js';
import { withTempDir } from './helpers.js';

const Order = defineEvent('Order', {
  id: 'i53',
  price: 'f64',
  side: 'u8',
  symbol: { type: 'ascii', length: 8 },
  tag: { type: 'bytes', length: 4, default: new Uint8Array([1, 2, 3, 4]) },
});

describe('data directory manifest', () => {
  it('should write and read back the event definition, fingerprint and handlers', async () => {
    await withTempDir((dir) => {
      assert.equal(readManifest(dir), null);
      const written = writeManifest(join(dir, 'data'), {
        event: Order.definition,
        handlers: [{ name: 'risk', module: 'file:///risk.js' }],
        createdAt: '2024-01-01T00:00:00.000Z',
      });
      assert.equal(written.fingerprint, Order.fingerprint);
      const read = readManifest(join(dir, 'data'));
      assert.deepEqual(read, {
        formatVersion: 1,
        event: { name: 'Order', fields: Order.definition.fields.map(([n, s]) => [n, s]) },
        fingerprint: Order.fingerprint,
        handlers: [{ name: 'risk', module: 'file:///risk.js' }],
        createdAt: '2024-01-01T00:00:00.000Z',
      });
      assert.equal(defineEvent(read!.event.name, read!.event.fields).fingerprint, Order.fingerprint);
    });
  });

  it('should refuse a manifest whose fingerprint disagrees with its event, or that is malformed', async () => {
    await withTempDir((dir) => {
      writeManifest(dir, { event: Order.definition });
      const path = join(dir, 'manifest.json');
      const m = JSON.parse(readFileSync(path, 'utf8'));
      writeFileSync(path, JSON.stringify({ ...m, fingerprint: '00000000' }));
      assert.throws(() => readManifest(dir), {
        code: 'RINGBUS_ERR_DATA_DIR_MANIFEST',
        message: new RegExp(`records fingerprint 00000000, but its event definition gives ${Order.fingerprint}`),
      });
      writeFileSync(path, JSON.stringify({ ...m, formatVersion: 9 }));
      assert.throws(() => readManifest(dir), { code: 'RINGBUS_ERR_DATA_DIR_MANIFEST', message: /format version 9/ });
      writeFileSync(path, '{');
      assert.throws(() => readManifest(dir), { code: 'RINGBUS_ERR_DATA_DIR_MANIFEST', message: /not JSON/ });
      assert.throws(() => writeManifest(dir, { event: { name: 'X' } as never }), {
        code: 'RINGBUS_ERR_INVALID_OPTION',
      });
    });
  });
});
