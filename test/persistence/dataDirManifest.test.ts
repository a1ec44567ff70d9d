import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32c } from '../../src/persistence/crc32c.js';
import { readManifest, writeManifest } from '../../src/persistence/dataDirManifest.js';
import { defineEvent } from '../../src/schema/defineEvent.js';
import { withTempDir } from './helpers.js';
import { codedAs } from '../helpers/assertions.js';
import { RingbusError } from '../../src/errors.js';

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
        formatVersion: 2,
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
      const { checksum: _, ...m } = JSON.parse(readFileSync(path, 'utf8'));
      // re-signed as docs/persistence.md says, so the checks after the checksum are reached
      const signed = (o: object): string => JSON.stringify({ ...o, checksum: documentedChecksum(o) });
      writeFileSync(path, signed({ ...m, fingerprint: '00000000' }));
      assert.throws(() => readManifest(dir), {
        code: 'RINGBUS_ERR_DATA_DIR_MANIFEST',
        message: new RegExp(`records fingerprint 00000000, but its event definition gives ${Order.fingerprint}`),
      });
      writeFileSync(path, signed({ ...m, formatVersion: 9 }));
      assert.throws(() => readManifest(dir), { code: 'RINGBUS_ERR_DATA_DIR_MANIFEST', message: /format version 9/ });
      writeFileSync(path, '{');
      assert.throws(() => readManifest(dir), { code: 'RINGBUS_ERR_DATA_DIR_MANIFEST', message: /not JSON/ });
      assert.throws(() => writeManifest(dir, { event: { name: 'X' } as never }), {
        code: 'RINGBUS_ERR_INVALID_OPTION',
      });
    });
  });

  it('should refuse a manifest edited by one digit of a handler option, or without a checksum', async () => {
    await withTempDir((dir) => {
      writeManifest(dir, { event: Order.definition, handlers: [{ name: 'risk', options: { limit: 1000 } }] });
      const path = join(dir, 'manifest.json');
      const text = readFileSync(path, 'utf8');
      assert.ok(text.includes('"limit": 1000'));
      writeFileSync(path, text.replace('"limit": 1000', '"limit": 1001'));
      assert.throws(
        () => readManifest(dir),
        codedAs(
          RingbusError,
          'RINGBUS_ERR_DATA_DIR_MANIFEST',
          /manifest\.json: checksum mismatch: it records "crc32c:[0-9a-f]{8}", its contents give crc32c:[0-9a-f]{8} \(the file was edited or damaged\)/,
        ),
      );
      const { checksum: _, ...unsigned } = JSON.parse(text);
      writeFileSync(path, JSON.stringify({ ...unsigned, formatVersion: 1 }, null, 2));
      assert.throws(() => readManifest(dir), {
        code: 'RINGBUS_ERR_DATA_DIR_MANIFEST',
        message: /it has no "checksum" \(format version 1; this build reads 2/,
      });
    });
  });
});

/** The checksum docs/persistence.md describes: CRC32C of the other properties as 2-space JSON. */
function documentedChecksum(o: object): string {
  const bytes = new TextEncoder().encode(JSON.stringify(o, null, 2));
  return 'crc32c:' + crc32c(bytes, 0, bytes.length).toString(16).padStart(8, '0');
}
