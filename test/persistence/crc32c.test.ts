import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c, crc32cWords } from '../../src/persistence/crc32c.js';
import { seedFromEnv } from '../helpers/prng.js';
import { withSeed } from './helpers.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Bit-at-a-time reference (the definition), to check the table-driven code against. */
function reference(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('should match the published check value and RFC 3720 vectors', () => {
    assert.equal(crc32c(ascii('123456789'), 0, 9), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(0), 0, 0), 0);
    assert.equal(crc32c(new Uint8Array(32), 0, 32), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff), 0, 32), 0x62a8ab43);
    assert.equal(
      crc32c(
        Uint8Array.from({ length: 32 }, (_, i) => i),
        0,
        32,
      ),
      0x46dd794e,
    );
    assert.equal(
      crc32c(
        Uint8Array.from({ length: 32 }, (_, i) => 31 - i),
        0,
        32,
      ),
      0x113fdb5c,
    );
  });

  it('should equal the bit-at-a-time definition on random ranges, whole and incremental', async () => {
    await withSeed(seedFromEnv(0xc3c3), (prng) => {
      const bytes = Uint8Array.from({ length: 4096 }, () => prng.int(0, 255));
      for (let round = 0; round < 300; round++) {
        const offset = prng.int(0, 200);
        const length = prng.int(0, 300);
        const slice = bytes.subarray(offset, offset + length);
        const expected = reference(slice);
        assert.equal(crc32c(bytes, offset, length), expected, `offset ${offset} length ${length}`);
        const cut = prng.int(0, length);
        assert.equal(
          crc32c(bytes, offset + cut, length - cut, crc32c(bytes, offset, cut)),
          expected,
          `split at ${cut}`,
        );
      }
    });
  });

  it('should give the same result from 32-bit words at any 4-aligned offset', async () => {
    await withSeed(seedFromEnv(0x5157), (prng) => {
      const bytes = Uint8Array.from({ length: 4096 }, () => prng.int(0, 255));
      const words = new Int32Array(bytes.buffer);
      for (let round = 0; round < 300; round++) {
        const offset = prng.int(0, 200) * 4;
        const length = prng.int(0, 300);
        assert.equal(
          crc32cWords(words, bytes, offset, length),
          crc32c(bytes, offset, length),
          `offset ${offset} length ${length}`,
        );
      }
      // an unaligned offset falls back to the byte path
      assert.equal(crc32cWords(words, bytes, 3, 50), crc32c(bytes, 3, 50));
    });
  });
});
