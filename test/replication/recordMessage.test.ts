/**
 * The stream message format: every journal record round-trips through encodeRecord /
 * decodeRecord; seeded corruption is rejected with RINGBUS_ERR_REPLICATION_DIVERGED exactly when
 * the format can tell (truncated, extended, magic / version / byte count flipped) and never with
 * another error. A flip inside a field decodes as a different record: the relay's byte-for-byte
 * comparison with the journal is what catches that.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JournalReader } from '../../src/persistence/JournalReader.js';
import { decodeRecord, encodeRecord, RECORD_MESSAGE_HEADER_BYTES } from '../../src/replication/recordMessage.js';
import { createPrng, seedFromEnv } from '../helpers/prng.js';
import { payloadFor, withSeed, withTempDir, writeJournal } from '../persistence/helpers.js';

describe('record messages', () => {
  it('should round-trip every journal record field and byte', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 31, 0, 299);
      const reader = new JournalReader(dir);
      for (let r = reader.next(); r !== null; r = reader.next()) {
        const d = decodeRecord(encodeRecord(r), 'test');
        assert.deepEqual(
          [d.sequence, d.timestampNs, d.kind, d.aux, d.epochMs, d.fingerprint],
          [r.sequence, r.timestampNs, r.kind, r.aux, r.epochMs, r.fingerprint],
        );
        assert.deepEqual([...d.payload], [...payloadFor(31, r.sequence)]);
      }
      reader.close();
    });
  });

  it('should reject exactly the corruptions the format can detect, with a coded error (seeded fuzz)', async () => {
    const seed = seedFromEnv(0xc0de);
    await withSeed(seed, async () => {
      await withTempDir((dir) => {
        writeJournal(dir, 32, 0, 49);
        const reader = new JournalReader(dir);
        const bodies: Uint8Array[] = [];
        for (let r = reader.next(); r !== null; r = reader.next()) bodies.push(encodeRecord(r));
        reader.close();
        const prng = createPrng(seed);
        let rejected = 0;
        for (let i = 0; i < 5000; i++) {
          const src = bodies[prng.int(0, bodies.length - 1)]!;
          let body: Uint8Array;
          let mustReject: boolean;
          const mode = prng.int(0, 2);
          if (mode === 0) {
            body = src.slice(0, prng.int(0, src.length - 1)); // truncated
            mustReject = true;
          } else if (mode === 1) {
            body = new Uint8Array(src.length + prng.int(1, 16)); // extended
            body.set(src);
            mustReject = true;
          } else {
            body = src.slice();
            const at = prng.int(0, RECORD_MESSAGE_HEADER_BYTES - 1);
            body[at]! ^= 1 << prng.int(0, 7);
            // magic, version and the byte count are checked; a flip in a field is a different record
            mustReject = at < 8 || at >= 44;
          }
          let code: string | undefined;
          try {
            const d = decodeRecord(body, 'fuzz');
            assert.equal(d.payload.length, body.length - RECORD_MESSAGE_HEADER_BYTES);
          } catch (err) {
            code = (err as { code?: string }).code;
            assert.equal(code, 'RINGBUS_ERR_REPLICATION_DIVERGED', String(err));
            rejected++;
          }
          assert.equal(code !== undefined, mustReject, `case ${i} mode ${mode}`);
        }
        assert.ok(rejected > 0);
      });
    });
  });
});
