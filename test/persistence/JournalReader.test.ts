import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { JournalReader } from '../../src/persistence/JournalReader.js';
import { verifyJournal } from '../../src/persistence/verifyJournal.js';
import { listSegments } from '../../src/persistence/journalFiles.js';
import { seedFromEnv } from '../helpers/prng.js';
import { PAYLOAD, payloadFor, withSeed, withTempDir, writeJournal } from './helpers.js';

const FIRST = 500;
const LAST = 2499;

describe('JournalReader', () => {
  it('should read from any sequence across segments, contiguously to the end', async () => {
    await withTempDir(async (dir) => {
      writeJournal(dir, 11, FIRST, LAST, { segmentBytes: 8192 });
      const segments = listSegments(dir);
      assert.ok(segments.length > 10);
      await withSeed(seedFromEnv(0x4ead), (prng) => {
        const starts = [
          FIRST,
          LAST,
          ...segments.map((s) => s.firstSequence),
          ...segments.map((s) => s.firstSequence - 1),
          0,
          LAST + 1,
          LAST + 1000,
        ];
        for (let i = 0; i < 20; i++) starts.push(prng.int(FIRST, LAST));
        const reader = new JournalReader(dir, { chunkBytes: 4096 });
        const target = new Uint8Array(PAYLOAD + 3);
        for (const from of starts) {
          reader.seek(from);
          let expected = Math.max(from, FIRST);
          for (let r = reader.next(); r !== null; r = reader.next()) {
            assert.equal(r.sequence, expected, `from ${from}`);
            assert.equal(r.timestampNs, expected * 1000 + 0.5);
            assert.equal(r.kind, expected % 3);
            assert.equal(r.aux, expected * 7);
            if (expected % 97 === 0) {
              assert.equal(r.copyPayloadTo(target, 3), PAYLOAD);
              assert.deepEqual(target.subarray(3), payloadFor(11, expected));
              assert.deepEqual(r.payload, payloadFor(11, expected));
            }
            expected++;
          }
          assert.equal(expected, Math.max(LAST + 1, from), `from ${from}: ended at ${expected}`);
          assert.equal(reader.tornTail, null);
        }
        reader.close();
      });
    });
  });

  it('should iterate an inclusive range with records()', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 11, FIRST, LAST, { segmentBytes: 8192 });
      const reader = new JournalReader(dir);
      assert.equal(reader.firstSequence(), FIRST);
      const seen: number[] = [];
      for (const r of reader.records(1000, 1010)) seen.push(r.sequence); // r is reused: read it inside the loop
      assert.deepEqual(
        seen,
        Array.from({ length: 11 }, (_, i) => 1000 + i),
      );
      reader.close();
    });
  });

  it('should refuse a gap where a segment is missing', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 11, FIRST, LAST, { segmentBytes: 8192 });
      const segments = listSegments(dir);
      unlinkSync(segments[3]!.path);
      const reader = new JournalReader(dir);
      assert.throws(
        () => {
          for (let r = reader.next(); r !== null; r = reader.next());
        },
        {
          code: 'RINGBUS_ERR_JOURNAL_SEQUENCE',
          message: new RegExp(
            `journal gap: .*${segments[4]!.name} starts at sequence ${segments[4]!.firstSequence}, but the previous segment ended before sequence ${segments[3]!.firstSequence}`,
          ),
        },
      );
      const v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.deepEqual(
        v.errors.map((e) => [e.file, e.offset, e.sequence]),
        [[segments[4]!.path, 0, segments[3]!.firstSequence]],
      );
    });
  });

  it('should verify a healthy journal with the documented result shape', async () => {
    await withTempDir((dir) => {
      assert.deepEqual(verifyJournal(dir), {
        ok: true,
        segments: 0,
        records: 0,
        firstSequence: -1,
        lastSequence: -1,
        truncatedBytes: 0,
        errors: [],
      });
      writeJournal(dir, 11, FIRST, LAST, { segmentBytes: 8192 });
      assert.deepEqual(verifyJournal(dir), {
        ok: true,
        segments: readdirSync(join(dir, 'journal')).filter((n) => n.endsWith('.log')).length,
        records: LAST - FIRST + 1,
        firstSequence: FIRST,
        lastSequence: LAST,
        truncatedBytes: 0,
        errors: [],
      });
    });
  });

  it('should validate its options', async () => {
    await withTempDir((dir) => {
      assert.throws(() => new JournalReader(dir, { chunkBytes: 10 }), {
        code: 'RINGBUS_ERR_INVALID_OPTION',
        message: /chunkBytes must be an integer ≥ 4096, got 10/,
      });
      assert.throws(() => new JournalReader(dir, { upcasters: { nothex: (b: Uint8Array) => b } }), {
        code: 'RINGBUS_ERR_INVALID_OPTION',
        message: /upcasters key must be 8 hex digits/,
      });
      assert.throws(() => new JournalReader(dir).seek(-1), { code: 'RINGBUS_ERR_SEQUENCE_RANGE' });
    });
  });
});
