import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JournalWriter } from '../../src/persistence/JournalWriter.js';
import { JournalReader } from '../../src/persistence/JournalReader.js';
import {
  SEGMENT_HEADER_BYTES,
  SEG_HEADER_CRC_OFFSET,
  SEG_VERSION_OFFSET,
  segmentFileName,
} from '../../src/layout/JournalDescriptor.js';
import { crc32c } from '../../src/persistence/crc32c.js';
import { seedFromEnv } from '../helpers/prng.js';
import {
  appendRange,
  EPOCH_MS,
  FINGERPRINT,
  PAYLOAD,
  payloadFor,
  withSeed,
  withTempDir,
  writeJournal,
  writerOptions,
} from './helpers.js';

function readAll(
  dir: string,
  options = {},
): Array<{ sequence: number; timestampNs: number; kind: number; aux: number; payload: number[]; epochMs: number }> {
  const r = new JournalReader(dir, options);
  const out = [];
  for (let rec = r.next(); rec !== null; rec = r.next()) {
    out.push({
      sequence: rec.sequence,
      timestampNs: rec.timestampNs,
      kind: rec.kind,
      aux: rec.aux,
      payload: [...rec.payload],
      epochMs: rec.epochMs,
    });
  }
  r.close();
  return out;
}

describe('JournalWriter', () => {
  it('should round-trip many records with random payloads and lengths across segments', async () => {
    await withTempDir(async (dir) => {
      await withSeed(seedFromEnv(0x10a1), (prng) => {
        const w = JournalWriter.open(dir, writerOptions({ segmentBytes: 16 * 1024, writeBufferBytes: 4096 }));
        assert.deepEqual(w.recovery, { truncatedBytes: 0, lastSequence: -1, segments: 0, reason: '' });
        const expected: Array<{ sequence: number; payload: number[]; kind: number; aux: number; timestampNs: number }> =
          [];
        const first = 1000;
        for (let s = first; s < first + 3000; s++) {
          const len = prng.int(0, PAYLOAD);
          const payload = Uint8Array.from({ length: len + 5 }, () => prng.int(0, 255));
          const kind = prng.int(0, 2);
          const aux = prng.int(0, 0xffffffff);
          const timestampNs = prng.next() * 1e12;
          w.append(s, timestampNs, kind, aux, payload, 5, len);
          expected.push({ sequence: s, payload: [...payload.subarray(5)], kind, aux, timestampNs });
          if (prng.int(0, 9) === 0) w.commit();
        }
        w.close();
        const got = readAll(dir);
        assert.equal(got.length, expected.length);
        for (let i = 0; i < got.length; i++) {
          const g = got[i]!;
          const e = expected[i]!;
          assert.deepEqual(
            { sequence: g.sequence, payload: g.payload, kind: g.kind, aux: g.aux, timestampNs: g.timestampNs },
            e,
            `record ${i}`,
          );
          assert.equal(g.epochMs, EPOCH_MS);
        }
        assert.ok(readdirSync(join(dir, 'journal')).filter((n) => n.endsWith('.log')).length > 3, 'several segments');
      });
    });
  });

  it('should roll segments at segmentBytes and name each by its first sequence', async () => {
    await withTempDir((dir) => {
      const segmentBytes = 8192;
      writeJournal(dir, 7, 0, 999, { segmentBytes });
      const names = readdirSync(join(dir, 'journal'))
        .filter((n) => n.endsWith('.log'))
        .sort();
      assert.ok(names.length >= 9, `${names.length} segments`);
      assert.equal(names[0], segmentFileName(0));
      const stride = 72; // 32-byte record header + 40 payload bytes, already a multiple of 8
      const perSegment = Math.floor((segmentBytes - SEGMENT_HEADER_BYTES) / stride);
      names.forEach((name, i) => {
        assert.equal(name, segmentFileName(i * perSegment));
        const size = statSync(join(dir, 'journal', name)).size;
        assert.ok(size <= segmentBytes, `${name} has ${size} bytes`);
        if (i < names.length - 1) assert.equal(size, SEGMENT_HEADER_BYTES + perSegment * stride);
      });
      assert.deepEqual(
        readAll(dir).map((r) => r.sequence),
        Array.from({ length: 1000 }, (_, i) => i),
      );
    });
  });

  it('should refuse a sequence gap with RINGBUS_ERR_JOURNAL_SEQUENCE, also after reopening', async () => {
    await withTempDir((dir) => {
      const w = JournalWriter.open(dir, writerOptions());
      const p = payloadFor(1, 0);
      w.append(10, 0, 0, 0, p, 0, PAYLOAD);
      assert.throws(() => w.append(12, 0, 0, 0, p, 0, PAYLOAD), {
        code: 'RINGBUS_ERR_JOURNAL_SEQUENCE',
        message: /sequence 12, expected 11/,
      });
      assert.throws(() => w.append(10, 0, 0, 0, p, 0, PAYLOAD), { code: 'RINGBUS_ERR_JOURNAL_SEQUENCE' });
      w.append(11, 0, 0, 0, p, 0, PAYLOAD);
      w.close();
      const again = JournalWriter.open(dir, writerOptions());
      assert.equal(again.recovery.lastSequence, 11);
      assert.throws(() => again.append(13, 0, 0, 0, p, 0, PAYLOAD), { code: 'RINGBUS_ERR_JOURNAL_SEQUENCE' });
      again.append(12, 0, 0, 0, p, 0, PAYLOAD);
      again.close();
      assert.deepEqual(
        readAll(dir).map((r) => r.sequence),
        [10, 11, 12],
      );
    });
  });

  it('should continue the same segment after reopening with the same epoch', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 3, 0, 49);
      const w = JournalWriter.open(dir, writerOptions());
      assert.equal(w.recovery.lastSequence, 49);
      appendRange(w, 3, 50, 99);
      w.close();
      assert.deepEqual(readdirSync(join(dir, 'journal')).sort(), [segmentFileName(0), 'checkpoint']);
      const got = readAll(dir);
      assert.deepEqual(
        got.map((r) => r.sequence),
        Array.from({ length: 100 }, (_, i) => i),
      );
      got.forEach((r) => assert.deepEqual(r.payload, [...payloadFor(3, r.sequence)]));
    });
  });

  it('should start a new segment when the ring epoch differs on reopen', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 3, 0, 9);
      const w = JournalWriter.open(dir, writerOptions({ epochMs: EPOCH_MS + 5000 }));
      appendRange(w, 3, 10, 19);
      w.close();
      assert.deepEqual(readdirSync(join(dir, 'journal')).sort(), [
        segmentFileName(0),
        segmentFileName(10),
        'checkpoint',
      ]);
      const got = readAll(dir);
      assert.deepEqual(
        got.map((r) => r.epochMs),
        [...Array(10).fill(EPOCH_MS), ...Array(10).fill(EPOCH_MS + 5000)],
      );
    });
  });

  it('should report durable sequences as each fsync policy promises', async () => {
    await withTempDir(async (dir) => {
      const p = payloadFor(1, 0);
      const batch = JournalWriter.open(join(dir, 'batch'), writerOptions({ fsync: 'batch' }));
      batch.append(0, 0, 0, 0, p, 0, PAYLOAD);
      batch.append(1, 0, 0, 0, p, 0, PAYLOAD);
      assert.deepEqual([batch.lastSequence(), batch.writtenSequence(), batch.durableSequence()], [1, -1, -1]);
      batch.commit();
      assert.deepEqual([batch.writtenSequence(), batch.durableSequence()], [1, 1]);
      batch.close();

      const none = JournalWriter.open(join(dir, 'none'), writerOptions({ fsync: 'none' }));
      none.append(0, 0, 0, 0, p, 0, PAYLOAD);
      assert.equal(none.durableSequence(), -1);
      none.commit();
      assert.deepEqual([none.writtenSequence(), none.durableSequence()], [0, 0]);
      none.close();

      const lazy = JournalWriter.open(join(dir, 'every'), writerOptions({ fsync: { everyMs: 3_600_000 } }));
      lazy.append(0, 0, 0, 0, p, 0, PAYLOAD);
      lazy.commit();
      assert.deepEqual(
        [lazy.writtenSequence(), lazy.durableSequence()],
        [0, -1],
        'not yet an hour since the last fsync',
      );
      assert.ok(lazy.msUntilSyncDue() > 0);
      lazy.tick();
      assert.equal(lazy.durableSequence(), -1);
      lazy.sync();
      assert.equal(lazy.durableSequence(), 0);
      assert.equal(lazy.msUntilSyncDue(), Infinity);
      lazy.close();

      const every = JournalWriter.open(join(dir, 'every1'), writerOptions({ fsync: { everyMs: 1 } }));
      every.append(0, 0, 0, 0, p, 0, PAYLOAD);
      await new Promise((r) => setTimeout(r, 5));
      every.commit(); // ≥ 1 ms since the last fsync (at open): fsyncs now
      assert.equal(every.durableSequence(), 0);
      every.append(1, 0, 0, 0, p, 0, PAYLOAD);
      every.commit();
      await new Promise((r) => setTimeout(r, 5));
      every.tick();
      assert.equal(every.durableSequence(), 1);
      every.close();
    });
  });

  it('should keep sequences beyond 2^32 exact', async () => {
    await withTempDir((dir) => {
      const first = 2 ** 40 - 5;
      writeJournal(dir, 9, first, first + 20);
      assert.deepEqual(
        readAll(dir).map((r) => r.sequence),
        Array.from({ length: 21 }, (_, i) => first + i),
      );
    });
  });

  it('should refuse a journal with another fingerprint, naming both, unless a schema change is allowed', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 5, 0, 9);
      assert.throws(() => JournalWriter.open(dir, writerOptions({ fingerprint: 'deadbeef' })), {
        code: 'RINGBUS_ERR_JOURNAL_FINGERPRINT',
        message: new RegExp(`${FINGERPRINT}.*deadbeef`),
      });
      const w = JournalWriter.open(
        dir,
        writerOptions({ fingerprint: 'deadbeef', payloadSize: 8, eventName: 'Tick2', allowSchemaChange: true }),
      );
      const p = new Uint8Array(8).fill(9);
      w.append(10, 0, 0, 0, p, 0, 8);
      w.close();
      assert.throws(() => readAll(dir, { fingerprint: 'deadbeef' }), {
        code: 'RINGBUS_ERR_JOURNAL_FINGERPRINT',
        message: new RegExp(`${FINGERPRINT}.*deadbeef`),
      });
      const got = readAll(dir, {
        fingerprint: 'deadbeef',
        upcasters: { [FINGERPRINT]: (old: Uint8Array) => old.subarray(0, 8) },
      });
      assert.deepEqual(
        got.map((r) => r.sequence),
        Array.from({ length: 11 }, (_, i) => i),
      );
      assert.deepEqual(got[3]!.payload, [...payloadFor(5, 3).subarray(0, 8)]);
      assert.deepEqual(got[10]!.payload, [9, 9, 9, 9, 9, 9, 9, 9]);
    });
  });

  it('should refuse an unsupported format version, naming both versions', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 5, 0, 9);
      const path = join(dir, 'journal', segmentFileName(0));
      const bytes = readFileSync(path);
      bytes.writeUInt32LE(1, SEG_VERSION_OFFSET);
      // a damaged version field (CRC not matching) is damage, not a foreign version
      writeFileSync(path, bytes);
      const damaged = { code: 'RINGBUS_ERR_JOURNAL_CORRUPT', message: /header CRC32C mismatch/ };
      assert.throws(() => JournalWriter.open(dir, writerOptions()), damaged);
      assert.throws(() => readAll(dir), damaged);
      // a genuine older segment (its CRC matches) is refused by version, naming both
      bytes.writeUInt32LE(crc32c(bytes, 0, SEG_HEADER_CRC_OFFSET), SEG_HEADER_CRC_OFFSET);
      writeFileSync(path, bytes);
      const expected = {
        code: 'RINGBUS_ERR_JOURNAL_VERSION',
        message: /format version 1; this build reads format version 2/,
      };
      assert.throws(() => JournalWriter.open(dir, writerOptions()), expected);
      assert.throws(() => readAll(dir), expected);
    });
  });

  it('should validate its options with messages naming them', async () => {
    await withTempDir((dir) => {
      assert.throws(() => JournalWriter.open(dir, writerOptions({ segmentBytes: 1000 })), {
        code: 'RINGBUS_ERR_INVALID_OPTION',
        message: /segmentBytes must be an integer ≥ \d+.*got 1000/,
      });
      assert.throws(() => JournalWriter.open(dir, writerOptions({ fsync: 'always' as never })), {
        code: 'RINGBUS_ERR_INVALID_OPTION',
        message: /fsync must be/,
      });
      assert.throws(() => JournalWriter.open(dir, writerOptions({ fingerprint: 'xyz' })), {
        code: 'RINGBUS_ERR_INVALID_OPTION',
        message: /fingerprint must be 8 hex digits/,
      });
      const w = JournalWriter.open(dir, writerOptions());
      assert.throws(() => w.append(0, 0, 0, 0, new Uint8Array(64), 0, PAYLOAD + 1), {
        code: 'RINGBUS_ERR_INVALID_OPTION',
        message: /length must be in \[0, 40\].*got 41/,
      });
      w.close();
    });
  });
});
