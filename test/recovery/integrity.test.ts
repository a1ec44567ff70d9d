/**
 * One integrity verdict: `ringbus journal verify` (verifyJournal), replay (a read-only bus) and
 * bus.start() judge the same damaged data directory the same way, with the same code. Targeted
 * cases for the findings of issue 9, on data directories written by a real bus.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingBus, RingbusError, type RingBusOptions } from '../../src/index.js';
import { verifyJournal } from '../../src/persistence/verifyJournal.js';
import { REC_LENGTH_OFFSET, SEGMENT_HEADER_BYTES, paddedRecordBytes } from '../../src/layout/JournalDescriptor.js';
import { codedAs } from '../helpers/assertions.js';
import { Entry, valueOf } from './fixtures/events.js';

const LEDGER = new URL('./fixtures/ledger.js', import.meta.url);

function build(dataDir: string, persistence: Partial<NonNullable<RingBusOptions['persistence']>> = {}): RingBus {
  const bus = new RingBus({
    event: Entry,
    capacity: 256,
    persistence: { dataDir, segmentBytes: 4096, ...persistence },
  });
  bus.handleEventsWith(bus.journal, bus.handler('ledger', LEDGER, { options: { limit: 1000 } }));
  return bus;
}

/** A data directory from a real run: 1200 events, a snapshot at 600, several segments. */
async function realDataDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ringbus-integrity-'));
  const bus = build(dir, { retainSnapshots: 100 });
  await bus.start();
  for (let i = 0; i < 1200; i++) {
    bus.publishEvent({ counter: i, value: valueOf(5, i), account: i % 13 });
    if (i === 600) await bus.snapshot();
  }
  await bus.drain();
  await bus.shutdown();
  return dir;
}

const segmentsOf = (dir: string): string[] =>
  readdirSync(join(dir, 'journal'))
    .filter((n) => n.endsWith('.log'))
    .sort()
    .map((n) => join(dir, 'journal', n));

/** verify's first code, start()'s code and a read-only replay's code, for the same directory. */
async function verdicts(dir: string): Promise<{ verify: string; start: string; replay: string; message: RegExp }> {
  const v = verifyJournal(dir);
  assert.equal(v.ok, false, 'verify must find the damage');
  const codeOf = async (bus: RingBus): Promise<string> => {
    try {
      await bus.start();
    } catch (err) {
      assert.ok(err instanceof RingbusError, String(err));
      return err.code;
    } finally {
      await bus.shutdown();
    }
    return 'started';
  };
  const start = await codeOf(build(dir));
  const replay = await codeOf(build(dir, { readOnly: true, ignoreSnapshots: true }));
  return {
    verify: v.errors[0]!.code,
    start,
    replay,
    message: new RegExp(v.errors[0]!.message.slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
  };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await realDataDir();
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('one integrity verdict', () => {
  it('should refuse a record whose length word lost a bit (same padded size) in verify, start() and replay alike', async () => {
    await withDir(async (dir) => {
      const seg = segmentsOf(dir)[0]!;
      const bytes = readFileSync(seg);
      const length = bytes.readUInt32LE(SEGMENT_HEADER_BYTES + REC_LENGTH_OFFSET);
      const at = SEGMENT_HEADER_BYTES + 3 * paddedRecordBytes(length) + REC_LENGTH_OFFSET;
      bytes.writeUInt32LE(length - 2, at); // 62 → 60 in the issue: the padded size is unchanged
      assert.equal(paddedRecordBytes(length - 2), paddedRecordBytes(length));
      writeFileSync(seg, bytes);
      const r = await verdicts(dir);
      assert.deepEqual([r.verify, r.start, r.replay], Array(3).fill('RINGBUS_ERR_JOURNAL_CORRUPT'));
      assert.match(verifyJournal(dir).errors[0]!.message, /record CRC32C mismatch/);
    });
  });

  it('should refuse damage before the newest snapshot in start() as verify and replay do', async () => {
    await withDir(async (dir) => {
      const seg = segmentsOf(dir)[0]!; // sequences far below the snapshot at 600
      const bytes = readFileSync(seg);
      bytes[SEGMENT_HEADER_BYTES + 40] ^= 0x10;
      writeFileSync(seg, bytes);
      const r = await verdicts(dir);
      assert.deepEqual([r.verify, r.start, r.replay], Array(3).fill('RINGBUS_ERR_JOURNAL_CORRUPT'));
    });
  });

  it('should give the same code for a deleted middle segment from replay and start()', async () => {
    await withDir(async (dir) => {
      const segs = segmentsOf(dir);
      assert.ok(segs.length >= 4, `${segs.length} segments`);
      unlinkSync(segs[1]!);
      const r = await verdicts(dir);
      assert.deepEqual([r.verify, r.start, r.replay], Array(3).fill('RINGBUS_ERR_JOURNAL_CORRUPT'));
      assert.match(verifyJournal(dir).errors[0]!.message, /journal gap/);
    });
  });

  for (const [what, damage] of [
    ['the newest segment deleted', (segs: string[]) => unlinkSync(segs[segs.length - 1]!)],
    [
      'a clean cut at a record boundary',
      (segs: string[]) => {
        const newest = segs[segs.length - 1]!;
        const bytes = readFileSync(newest);
        const stride = paddedRecordBytes(bytes.readUInt32LE(SEGMENT_HEADER_BYTES + REC_LENGTH_OFFSET));
        truncateSync(newest, bytes.length - 2 * stride);
      },
    ],
  ] as const) {
    it(`should detect ${what} through the checkpoint`, async () => {
      await withDir(async (dir) => {
        damage(segmentsOf(dir));
        const r = await verdicts(dir);
        assert.deepEqual([r.verify, r.start, r.replay], Array(3).fill('RINGBUS_ERR_JOURNAL_CORRUPT'));
        assert.match(verifyJournal(dir).errors[0]!.message, /journal truncated: .*checkpoint/);
      });
    });
  }

  it('should detect the only segment deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-integrity-'));
    try {
      const bus = build(dir);
      await bus.start();
      for (let i = 0; i < 10; i++) bus.publishEvent({ counter: i, value: i, account: 1 });
      await bus.drain();
      await bus.shutdown();
      const segs = segmentsOf(dir);
      assert.equal(segs.length, 1);
      unlinkSync(segs[0]!);
      const r = await verdicts(dir);
      assert.deepEqual([r.verify, r.start, r.replay], Array(3).fill('RINGBUS_ERR_JOURNAL_CORRUPT'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should refuse a manifest whose handler option changed by one digit, in start() and replay', async () => {
    await withDir(async (dir) => {
      const path = join(dir, 'manifest.json');
      const text = readFileSync(path, 'utf8');
      assert.ok(text.includes('"limit": 1000'), text);
      writeFileSync(path, text.replace('"limit": 1000', '"limit": 1001'));
      for (const bus of [build(dir), build(dir, { readOnly: true })]) {
        await assert.rejects(
          bus.start(),
          codedAs(RingbusError, 'RINGBUS_ERR_DATA_DIR_MANIFEST', /manifest\.json: checksum mismatch/),
        );
        await bus.shutdown();
      }
    });
  });
});
