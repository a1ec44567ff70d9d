import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DeadLetterWriter,
  readDeadLetters,
  scanDeadLetters,
  type DeadLetterInput,
} from '../../src/persistence/DeadLetterWriter.js';
import {
  DL_HEADER_BYTES,
  DL_REC_LENGTH_OFFSET,
  DL_RECORD_HEADER_BYTES,
} from '../../src/layout/DeadLetterDescriptor.js';
import { seedFromEnv } from '../helpers/prng.js';
import { withSeed, withTempDir } from './helpers.js';

function letter(i: number, payload: Uint8Array): DeadLetterInput {
  return {
    sequence: 1000 + i,
    handlerName: `risk-${i % 3}`,
    message: `limit breached: ünïcødé ${i}`,
    stack: `Error: limit breached\n    at onEvent (risk.js:${i}:1)`,
    kind: i % 3,
    aux: i * 11,
    timestampNs: i * 1e6 + 0.25,
    recordedAtMs: 1_700_000_000_000 + i,
    payload,
  };
}

describe('DeadLetterWriter', () => {
  it('should round-trip failed events, creating directories, and append after reopening', async () => {
    await withTempDir(async (dir) => {
      await withSeed(seedFromEnv(0xdead), (prng) => {
        const path = join(dir, 'dead-letters', 'nested', 'bus.dlq');
        const expected = Array.from({ length: 20 }, (_, i) =>
          letter(
            i,
            Uint8Array.from({ length: prng.int(0, 64) }, () => prng.int(0, 255)),
          ),
        );
        const w = new DeadLetterWriter(path);
        assert.deepEqual(w.recovery, { records: 0, truncatedBytes: 0 });
        for (const l of expected.slice(0, 12)) w.append(l);
        w.close();
        const again = new DeadLetterWriter(path);
        assert.deepEqual(again.recovery, { records: 12, truncatedBytes: 0 });
        for (const l of expected.slice(12)) again.append(l);
        again.close();
        assert.deepEqual(readDeadLetters(path), expected);
        assert.deepEqual(readDeadLetters(join(dir, 'missing.dlq')), []);
      });
    });
  });

  it('should tolerate a torn tail of every length and truncate it on reopen', async () => {
    await withTempDir((dir) => {
      const payload = Uint8Array.from({ length: 24 }, (_, i) => i);
      const base = join(dir, 'base.dlq');
      const w = new DeadLetterWriter(base, { fsync: false });
      for (let i = 0; i < 3; i++) w.append(letter(i, payload));
      w.close();
      const full = readFileSync(base);
      const lastLength = full.readUInt32LE(
        DL_HEADER_BYTES + (2 * (full.length - DL_HEADER_BYTES)) / 3 + DL_REC_LENGTH_OFFSET,
      );
      assert.ok(lastLength > DL_RECORD_HEADER_BYTES);
      for (let cut = 1; cut < lastLength; cut++) {
        const path = join(dir, `cut${cut}.dlq`);
        writeFileSync(path, full.subarray(0, full.length - lastLength + cut));
        const scan = scanDeadLetters(path);
        assert.deepEqual([scan.letters.length, scan.truncatedBytes], [2, cut], `cut ${cut}`);
        const reopened = new DeadLetterWriter(path);
        assert.equal(reopened.recovery.truncatedBytes, cut);
        reopened.append(letter(9, payload));
        reopened.close();
        assert.deepEqual(
          readDeadLetters(path).map((l) => l.sequence),
          [1000, 1001, 1009],
        );
      }
      const flipped = join(dir, 'flipped.dlq');
      const bytes = Buffer.from(full);
      bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x10;
      writeFileSync(flipped, bytes);
      assert.deepEqual(
        scanDeadLetters(flipped).truncatedBytes,
        lastLength,
        'a CRC mismatch in the last record is a torn tail',
      );
      appendFileSync(base, new Uint8Array(100));
      assert.equal(scanDeadLetters(base).truncatedBytes, 100, 'zero-filled tail');
    });
  });

  it('should refuse damage before the tail, naming the offset', async () => {
    await withTempDir((dir) => {
      const path = join(dir, 'x.dlq');
      const w = new DeadLetterWriter(path);
      for (let i = 0; i < 3; i++) w.append(letter(i, new Uint8Array(8)));
      w.close();
      const bytes = readFileSync(path);
      bytes[DL_HEADER_BYTES + DL_RECORD_HEADER_BYTES + 2] ^= 1;
      writeFileSync(path, bytes);
      const expected = {
        code: 'RINGBUS_ERR_DEAD_LETTER_CORRUPT',
        message: new RegExp(`${path}.* at byte offset ${DL_HEADER_BYTES}: record CRC32C mismatch`),
      };
      assert.throws(() => readDeadLetters(path), expected);
      assert.throws(() => new DeadLetterWriter(path), expected);
      writeFileSync(path, 'not a dead letter file at all, but long enough');
      assert.throws(() => readDeadLetters(path), {
        code: 'RINGBUS_ERR_DEAD_LETTER_CORRUPT',
        message: /byte offset 0: bad magic/,
      });
      truncateSync(path, 10);
      assert.equal(scanDeadLetters(path).truncatedBytes, 10, 'a file shorter than its header is a torn creation');
      const fresh = new DeadLetterWriter(path);
      fresh.append(letter(1, new Uint8Array(1)));
      fresh.close();
      assert.equal(readDeadLetters(path).length, 1);
      assert.ok(statSync(path).size > DL_HEADER_BYTES);
    });
  });
});
