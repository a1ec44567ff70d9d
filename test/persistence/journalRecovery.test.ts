/**
 * Crash and damage outcomes of opening a journal (JournalWriter.open), reading it (JournalReader)
 * and verifying it (verifyJournal):
 *
 *   damage                                         | open for append          | reader              | verify
 *   -----------------------------------------------+--------------------------+---------------------+------------------
 *   partial last record (any length), zero tail,   | truncated + reported,    | stops, tornTail set | ok, truncatedBytes
 *   CRC mismatch in the last record                | earlier records intact   |                     |
 *   header-less newest segment                     | deleted + reported       | stops               | ok, truncatedBytes
 *   bad CRC / bad length / wrong sequence mid-file | JOURNAL_CORRUPT (file,   | JOURNAL_CORRUPT     | not ok, error with
 *                                                  | offset, sequence), file  |                     | file/offset/seq
 *                                                  | untouched                |                     |
 * Forbidden: a damaged record skipped silently, a record before the damage lost.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JournalWriter } from '../../src/persistence/JournalWriter.js';
import { JournalReader } from '../../src/persistence/JournalReader.js';
import { verifyJournal } from '../../src/persistence/verifyJournal.js';
import { crc32c } from '../../src/persistence/crc32c.js';
import {
  REC_CRC_OFFSET,
  REC_CRC_START,
  REC_LENGTH_OFFSET,
  REC_PAYLOAD_OFFSET,
  REC_SEQUENCE_OFFSET,
  RECORD_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
  SEG_EVENT_NAME_OFFSET,
  segmentFileName,
} from '../../src/layout/JournalDescriptor.js';
import { appendRange, asIfCrashed, PAYLOAD, payloadFor, withTempDir, writeJournal, writerOptions } from './helpers.js';

const STRIDE = 72; // 32 + 40, a multiple of 8
const segPath = (dir: string, first = 0): string => join(dir, 'journal', segmentFileName(first));

function sequences(dir: string): { seqs: number[]; torn: number } {
  const r = new JournalReader(dir);
  const seqs: number[] = [];
  for (let rec = r.next(); rec !== null; rec = r.next()) {
    assert.deepEqual(
      [...rec.payload],
      [...payloadFor(1, rec.sequence, rec.payloadLength)],
      `payload of ${rec.sequence}`,
    );
    seqs.push(rec.sequence);
  }
  return { seqs, torn: r.tornTail?.bytes ?? 0 };
}

function flipBit(path: string, offset: number, bit = 0): void {
  const bytes = readFileSync(path);
  bytes[offset] = bytes[offset]! ^ (1 << bit);
  writeFileSync(path, bytes);
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('journal recovery', () => {
  it('should truncate a torn last record of every length and keep every earlier record', async () => {
    await withTempDir((dir) => {
      // the last record has 37 payload bytes: 69 bytes + 3 padding, so cuts land in the padding too
      const lastLength = RECORD_HEADER_BYTES + 37;
      const lastStride = 72;
      for (let cut = 1; cut < lastStride; cut++) {
        const d = join(dir, `cut${cut}`);
        const w = JournalWriter.open(d, writerOptions());
        appendRange(w, 1, 0, 3);
        const p = payloadFor(1, 4, 37);
        w.append(4, 4000.5, 1, 28, p, 0, 37);
        w.close();
        const path = segPath(d);
        const full = statSync(path).size;
        assert.equal(full, SEGMENT_HEADER_BYTES + 4 * STRIDE + lastStride);
        asIfCrashed(d);
        truncateSync(path, full - lastStride + cut);
        const v = verifyJournal(d);
        assert.deepEqual(
          [v.ok, v.records, v.lastSequence, v.truncatedBytes],
          [true, 4, 3, cut],
          `verify at cut ${cut} (record length ${lastLength})`,
        );
        assert.deepEqual(sequences(d), { seqs: range(0, 3), torn: cut }, `reader at cut ${cut}`);
        const again = JournalWriter.open(d, writerOptions());
        assert.equal(again.recovery.truncatedBytes, cut, `truncated at cut ${cut}`);
        assert.equal(again.recovery.lastSequence, 3);
        assert.equal(statSync(path).size, full - lastStride);
        appendRange(again, 1, 4, 5);
        again.close();
        assert.deepEqual(sequences(d).seqs, range(0, 5));
      }
    });
  });

  for (const [what, offset] of [
    ['CRC field', REC_CRC_OFFSET],
    ['sequence field', REC_SEQUENCE_OFFSET],
    ['event bytes', REC_PAYLOAD_OFFSET + 17],
  ] as const) {
    it(`should truncate the last record when a bit of its ${what} is flipped`, async () => {
      await withTempDir((dir) => {
        writeJournal(dir, 1, 0, 9);
        asIfCrashed(dir);
        flipBit(segPath(dir), SEGMENT_HEADER_BYTES + 9 * STRIDE + offset, 5);
        const v = verifyJournal(dir);
        assert.deepEqual([v.ok, v.truncatedBytes, v.lastSequence], [true, STRIDE, 8]);
        const w = JournalWriter.open(dir, writerOptions());
        assert.equal(w.recovery.truncatedBytes, STRIDE);
        assert.equal(w.recovery.lastSequence, 8);
        assert.match(w.recovery.reason, /CRC32C mismatch/);
        w.close();
        assert.deepEqual(sequences(dir).seqs, range(0, 8));
      });
    });
  }

  it('should truncate a zero-filled tail', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 1, 0, 9);
      appendFileSync(segPath(dir), new Uint8Array(5000));
      assert.deepEqual([verifyJournal(dir).ok, verifyJournal(dir).truncatedBytes], [true, 5000]);
      const w = JournalWriter.open(dir, writerOptions());
      assert.deepEqual([w.recovery.truncatedBytes, w.recovery.lastSequence], [5000, 9]);
      w.close();
      assert.deepEqual(sequences(dir).seqs, range(0, 9));
    });
  });

  it('should delete a newest segment cut off before its header was complete', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 1, 0, 299, { segmentBytes: 8192 });
      asIfCrashed(dir, 1);
      const names = readdirSync(join(dir, 'journal'))
        .filter((n) => n.endsWith('.log'))
        .sort();
      const newest = join(dir, 'journal', names[names.length - 1]!);
      const newestFirst = Number(names[names.length - 1]!.slice(0, 20));
      truncateSync(newest, 50);
      assert.deepEqual(sequences(dir), { seqs: range(0, newestFirst - 1), torn: 50 });
      const w = JournalWriter.open(dir, writerOptions({ segmentBytes: 8192 }));
      assert.deepEqual(
        [w.recovery.truncatedBytes, w.recovery.lastSequence, w.recovery.segments],
        [50, newestFirst - 1, names.length - 1],
      );
      appendRange(w, 1, newestFirst, 299);
      w.close();
      assert.deepEqual(sequences(dir).seqs, range(0, 299));
    });
  });

  it('should refuse a flipped bit in the middle of a segment, naming file, offset and sequence', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 1, 0, 9);
      const path = segPath(dir);
      const offset = SEGMENT_HEADER_BYTES + 4 * STRIDE;
      flipBit(path, offset + REC_PAYLOAD_OFFSET + 3, 1);
      const before = readFileSync(path);
      const expected = {
        code: 'RINGBUS_ERR_JOURNAL_CORRUPT',
        message: new RegExp(
          `${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at byte offset ${offset}, where sequence 4 was expected: record CRC32C mismatch`,
        ),
      };
      assert.throws(() => JournalWriter.open(dir, writerOptions()), expected);
      assert.deepEqual(readFileSync(path), before, 'the file is left untouched');
      assert.throws(() => sequences(dir), { code: 'RINGBUS_ERR_JOURNAL_CORRUPT' });
      const v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.deepEqual(
        v.errors.map((e) => [e.file, e.offset, e.sequence]),
        [[path, offset, 4]],
      );
      assert.equal(v.records, 9, 'the scan goes on past a bad CRC with a sane length');
    });
  });

  it('should refuse a record length outside sane bounds mid-file', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 1, 0, 9);
      const path = segPath(dir);
      const offset = SEGMENT_HEADER_BYTES + 2 * STRIDE;
      flipBit(path, offset + REC_LENGTH_OFFSET + 2, 4); // length += 2^20
      assert.throws(() => JournalWriter.open(dir, writerOptions()), {
        code: 'RINGBUS_ERR_JOURNAL_CORRUPT',
        message: new RegExp(`byte offset ${offset}, where sequence 2 was expected: record length \\d+ outside`),
      });
      const v = verifyJournal(dir);
      // the bad length ends the scan of that segment; what follows is missing, as the checkpoint says
      assert.deepEqual(
        v.errors.map((e) => [e.offset, e.sequence, e.code]),
        [
          [offset, 2, 'RINGBUS_ERR_JOURNAL_CORRUPT'],
          [0, 9, 'RINGBUS_ERR_JOURNAL_CORRUPT'],
        ],
      );
      assert.match(v.errors[1]!.message, /journal truncated: it ends at sequence 1, the checkpoint says it reached 9/);
    });
  });

  it('should refuse an intact record with the wrong sequence', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 1, 0, 9);
      const path = segPath(dir);
      const offset = SEGMENT_HEADER_BYTES + 6 * STRIDE;
      const bytes = readFileSync(path);
      bytes.writeDoubleLE(60, offset + REC_SEQUENCE_OFFSET);
      bytes.writeUInt32LE(crc32c(bytes, offset + REC_CRC_START, STRIDE - REC_CRC_START), offset + REC_CRC_OFFSET);
      writeFileSync(path, bytes);
      assert.throws(() => JournalWriter.open(dir, writerOptions()), {
        code: 'RINGBUS_ERR_JOURNAL_CORRUPT',
        message: /sequence 6 was expected: an intact record holds sequence 60/,
      });
      assert.throws(() => sequences(dir), {
        code: 'RINGBUS_ERR_JOURNAL_SEQUENCE',
        message: /holds sequence 60, expected 6/,
      });
    });
  });

  it('should refuse a damaged segment header', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 1, 0, 9);
      flipBit(segPath(dir), SEG_EVENT_NAME_OFFSET);
      const expected = { code: 'RINGBUS_ERR_JOURNAL_CORRUPT', message: /header CRC32C mismatch .*\(file offset 0/ };
      assert.throws(() => JournalWriter.open(dir, writerOptions()), expected);
      assert.throws(() => sequences(dir), expected);
      assert.equal(verifyJournal(dir).errors[0]!.offset, 0);
    });
  });

  it('should refuse a torn tail or a missing segment before the newest segment', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 1, 0, 299, { segmentBytes: 8192 });
      const names = readdirSync(join(dir, 'journal'))
        .filter((n) => n.endsWith('.log'))
        .sort();
      const second = join(dir, 'journal', names[1]!);
      truncateSync(second, statSync(second).size - 10);
      assert.throws(() => sequences(dir), { code: 'RINGBUS_ERR_JOURNAL_CORRUPT', message: /not the newest/ });
      const v = verifyJournal(dir);
      assert.equal(v.ok, false);
      assert.equal(v.errors[0]!.file, second);
      assert.match(v.errors[1]!.message, /journal gap/);
    });
  });

  it('should leave a clean journal untouched', async () => {
    await withTempDir((dir) => {
      writeJournal(dir, 1, 0, 9);
      const before = readFileSync(segPath(dir));
      const w = JournalWriter.open(dir, writerOptions());
      assert.deepEqual(w.recovery, { truncatedBytes: 0, lastSequence: 9, segments: 1, reason: '' });
      w.close();
      assert.deepEqual(readFileSync(segPath(dir)), before);
      assert.equal(PAYLOAD + RECORD_HEADER_BYTES, STRIDE);
    });
  });
});
