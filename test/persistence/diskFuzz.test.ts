/**
 * Seeded corruption fuzzing of every on-disk format, on copies of a data directory made by a
 * real bus run (journal segments + checkpoint, snapshot files and manifests, manifest.json, a
 * dead-letter file, a LOCK left by a killed process). Each case damages one file of a scratch
 * copy (bit flips, flips of record length words and headers, zeroed or garbage ranges,
 * truncations — also exactly at record boundaries —, appended bytes, deletion), asks the library
 * functions start() and replay rely on for their verdict, classifies the outcome, and restores
 * the file. In-process: thousands of cases per second.
 *
 *   outcome                                                           | verdict
 *   ------------------------------------------------------------------+----------
 *   detected: a RINGBUS_ERR_* error                                   | allowed
 *   same: the data decodes to exactly what the real run wrote         | allowed
 *   torn-tail: a tail beyond the last acknowledged record is cut,     | allowed
 *     every acknowledged record is intact (acknowledged-lost = none)  |
 *   snapshot-dropped: a snapshot set no longer listed (recovery uses  | allowed
 *     an older set or the journal)                                    |
 *   dead-letter-cut: a truncated dead-letter file reads as a prefix   | allowed (dead-letter
 *     (what a crash mid-append leaves; that file has no checkpoint)   | files are not acknowledged)
 *   lock-taken-over: a damaged LOCK names no live process             | allowed
 *   head-pruned: the oldest segment is gone, as snapshot retention    | allowed
 *     prunes it; recovery starts from a snapshot after it, same state |
 *   manifest-missing: replay refuses (RINGBUS_ERR_CLI_USAGE), start() | allowed
 *     writes the manifest of its own wiring                           |
 *   silently different data, an uncoded exception                     | FAILS the test
 *
 * Cases: RINGBUS_FUZZ_CASES (default 10000); seed: RINGBUS_SEED (printed).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { RingBus } from '../../src/index.js';
import { JournalReader } from '../../src/persistence/JournalReader.js';
import { assertJournalIntact } from '../../src/persistence/verifyJournal.js';
import { planRecovery } from '../../src/topology/BusPersistence.js';
import { readManifest } from '../../src/persistence/dataDirManifest.js';
import { SnapshotStore } from '../../src/persistence/SnapshotStore.js';
import { scanDeadLetters } from '../../src/persistence/DeadLetterWriter.js';
import { DataDirLock } from '../../src/persistence/DataDirLock.js';
import { REC_LENGTH_OFFSET, SEGMENT_HEADER_BYTES } from '../../src/layout/JournalDescriptor.js';
import { parseSnapshotFilePrefix } from '../../src/layout/SnapshotDescriptor.js';
import { createPrng, seedFromEnv, type Prng } from '../helpers/prng.js';
import { Entry, valueOf } from '../recovery/fixtures/events.js';

const CASES = Number(process.env.RINGBUS_FUZZ_CASES ?? 10_000);
const LEDGER = new URL('./fixtures/fuzzLedger.js', import.meta.url);

type Kind = 'segment' | 'checkpoint' | 'manifest' | 'snapshot' | 'deadletter' | 'lock';

function kindOf(rel: string): Kind {
  if (rel === 'LOCK') return 'lock';
  if (rel === 'manifest.json') return 'manifest';
  if (rel.startsWith('journal/')) return rel.endsWith('.log') ? 'segment' : 'checkpoint';
  if (rel.startsWith('snapshots/')) return 'snapshot';
  if (rel.startsWith('dead-letters/')) return 'deadletter';
  throw new Error(`unexpected file ${rel} in the data directory`);
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

/** Everything a replay reads from the journal from `from` on, one string per record (sequence, kind, aux, timestamp, bytes). */
function journalRecords(dir: string, from = 0): string[] {
  const reader = new JournalReader(dir);
  const parts: string[] = [];
  try {
    reader.seek(from);
    for (let r = reader.next(); r !== null; r = reader.next())
      parts.push(`${r.sequence}:${r.kind}:${r.aux}:${r.timestampNs}:${Buffer.from(r.payload).toString('hex')}`);
  } finally {
    reader.close();
  }
  return parts;
}

function snapshotDigest(dir: string): Map<number, string> {
  const store = new SnapshotStore(dir);
  const out = new Map<number, string>();
  for (const s of store.manifestSequences()) {
    try {
      const set = store.load(s);
      out.set(s, JSON.stringify([...set.states].sort()));
    } catch (err) {
      out.set(s, `error:${(err as { code?: string }).code}`);
    }
  }
  return out;
}

function lettersDigest(path: string): { letters: string[]; truncatedBytes: number } {
  const scan = scanDeadLetters(path);
  return {
    letters: scan.letters.map((l) => JSON.stringify({ ...l, recordedAtMs: l.recordedAtMs, payload: [...l.payload] })),
    truncatedBytes: scan.truncatedBytes,
  };
}

interface Pristine {
  /** Records by sequence. */
  journal: Map<number, string>;
  last: number;
  first: number;
  manifest: string;
  snapshots: Map<number, string>;
  letters: Map<string, string[]>;
}

/** The verdict on one damaged file: an outcome class, or throws (uncoded) / returns 'SILENT...'. */
function judge(dir: string, rel: string, kind: Kind, pristine: Pristine, shrunk: boolean): string {
  try {
    switch (kind) {
      case 'segment':
      case 'checkpoint':
      case 'manifest': {
        const manifest = readManifest(dir);
        // replay refuses a directory without one (RINGBUS_ERR_CLI_USAGE); start() writes its own wiring
        if (manifest === null) return 'manifest-missing';
        if (JSON.stringify(manifest) !== pristine.manifest) return 'SILENT: manifest reads differently';
        // what start() and replay act on: the one verdict, then the recovery plan (snapshot + records)
        const v = assertJournalIntact(dir);
        const plan = planRecovery({ dataDir: dir, readOnly: true }, 0);
        const got = journalRecords(dir, plan.startSequence);
        const want: string[] = [];
        for (let q = plan.startSequence; q <= pristine.last; q++) want.push(pristine.journal.get(q)!);
        if (plan.replayTo !== pristine.last || got.join('|') !== want.join('|'))
          return `SILENT: recovery would replay ${plan.startSequence}..${plan.replayTo} differently (verify ok, ${v.records} records)`;
        if (plan.snapshot === null && plan.startSequence !== 0) return 'SILENT: replay starts mid-history';
        if (v.firstSequence > 0 && v.firstSequence !== pristine.first) return 'head-pruned';
        return v.truncatedBytes > 0 ? 'torn-tail' : 'same';
      }
      case 'snapshot': {
        // only the set the damaged file belongs to can change
        const sequence = parseSnapshotFilePrefix(rel.slice('snapshots/'.length));
        const store = new SnapshotStore(dir);
        if (!store.manifestSequences().includes(sequence)) return 'snapshot-dropped';
        const d = JSON.stringify([...store.load(sequence).states].sort());
        return pristine.snapshots.get(sequence) === d ? 'same' : `SILENT: snapshot ${sequence} loads differently`;
      }
      case 'deadletter': {
        const want = pristine.letters.get(rel)!;
        const got = lettersDigest(join(dir, rel));
        const prefix = got.letters.every((l, i) => l === want[i]);
        if (!prefix) return 'SILENT: dead letters read differently';
        if (got.letters.length === want.length) return got.truncatedBytes > 0 ? 'torn-tail' : 'same';
        return shrunk || got.truncatedBytes > 0 ? 'dead-letter-cut' : 'SILENT: dead letters missing';
      }
      case 'lock': {
        const lock = DataDirLock.acquire(dir);
        lock.release();
        return 'lock-taken-over';
      }
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('RINGBUS_ERR_')) return `detected:${code}`;
    throw err;
  }
}

/** Damages `bytes` (a copy); returns the new bytes, or null to delete the file. */
function mutate(prng: Prng, bytes: Buffer, kind: Kind, stride: number): { out: Buffer | null; what: string } {
  const n = bytes.length;
  const at = (): number => prng.int(0, Math.max(0, n - 1));
  const pick = prng.int(0, 99);
  if (pick < 3) return { out: null, what: 'delete' };
  if (n === 0 || pick < 10) {
    const extra = Buffer.alloc(prng.int(1, 200), prng.int(0, 1) === 0 ? 0 : prng.int(1, 255));
    return { out: Buffer.concat([bytes, extra]), what: `append ${extra.length}` };
  }
  const out = Buffer.from(bytes);
  if (pick < 22) {
    // truncation: for segments half of them exactly at a record boundary
    let len = prng.int(0, n - 1);
    if (kind === 'segment' && prng.int(0, 1) === 0 && n > SEGMENT_HEADER_BYTES)
      len = SEGMENT_HEADER_BYTES + stride * prng.int(0, Math.floor((n - SEGMENT_HEADER_BYTES) / stride) - 1);
    return { out: out.subarray(0, len), what: `truncate to ${len}` };
  }
  if (pick < 32) {
    const o = at();
    const len = Math.min(n - o, prng.int(1, 64));
    out.fill(0, o, o + len);
    return { out, what: `zero ${o}+${len}` };
  }
  if (pick < 40) {
    const o = at();
    const len = Math.min(n - o, prng.int(1, 64));
    for (let i = 0; i < len; i++) out[o + i] = prng.int(0, 255);
    return { out, what: `garbage ${o}+${len}` };
  }
  if (kind === 'segment' && pick < 60 && n > SEGMENT_HEADER_BYTES + stride) {
    // the finding of issue 9: a low bit of a record's length word (keeps the padded size)
    const records = Math.floor((n - SEGMENT_HEADER_BYTES) / stride);
    const o = SEGMENT_HEADER_BYTES + stride * prng.int(0, records - 1) + REC_LENGTH_OFFSET;
    const bit = prng.int(0, 3);
    out[o] = out[o]! ^ (1 << bit);
    return { out, what: `length-word bit ${bit} at ${o}` };
  }
  if (kind === 'segment' && pick < 70) {
    const o = prng.int(0, Math.min(n, SEGMENT_HEADER_BYTES) - 1);
    out[o] = out[o]! ^ (1 << prng.int(0, 7));
    return { out, what: `header bit at ${o}` };
  }
  const flips = prng.int(1, 3);
  const where: number[] = [];
  for (let i = 0; i < flips; i++) {
    const o = at();
    out[o] = out[o]! ^ (1 << prng.int(0, 7));
    where.push(o);
  }
  return { out, what: `flip at ${where.join(',')}` };
}

describe('on-disk format fuzzing', () => {
  let pristineDir = '';
  let scratch = '';
  before(async () => {
    pristineDir = mkdtempSync(join(tmpdir(), 'ringbus-fuzz-src-'));
    scratch = mkdtempSync(join(tmpdir(), 'ringbus-fuzz-'));
    const bus = new RingBus({
      event: Entry,
      capacity: 256,
      persistence: { dataDir: pristineDir, segmentBytes: 4096, snapshotEvery: { events: 300 }, retainSnapshots: 3 },
    });
    const ledger = bus.handler('ledger', LEDGER, { onError: 'skip' });
    bus.handleEventsWith(bus.journal, ledger);
    await bus.start();
    for (let i = 0; i < 1500; i++) {
      bus.publishEvent({ counter: i, value: valueOf(9, i), account: i % 13 });
      if (i % 500 === 499) await bus.snapshot();
    }
    await bus.drain();
    await bus.shutdown();
    // the LOCK a SIGKILLed bus leaves: the pid of a process that has exited
    const deadPid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']));
    writeFileSync(join(pristineDir, 'LOCK'), `${deadPid}\n`);
  });
  after(() => {
    rmSync(pristineDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it(`should detect or survive ${CASES} seeded corruptions with no silently different data and no uncoded error`, () => {
    const seed = seedFromEnv(0xf022);
    const prng = createPrng(seed);
    const context = `(seed ${seed}; replay with RINGBUS_SEED=${seed} RINGBUS_FUZZ_CASES=${CASES})`;
    console.log(`disk fuzz: ${CASES} cases ${context}`);
    const files = listFiles(pristineDir);
    const kinds = new Set(files.map(kindOf));
    for (const k of ['segment', 'checkpoint', 'manifest', 'snapshot', 'deadletter', 'lock'] as Kind[])
      assert.ok(kinds.has(k), `the real run must leave a ${k} file: ${files.join(', ')}`);
    const bytesOf = new Map(files.map((f) => [f, readFileSync(join(pristineDir, f))]));
    const first = files.find((f) => kindOf(f) === 'segment')!;
    const stride = (bytesOf.get(first)!.readUInt32LE(SEGMENT_HEADER_BYTES + REC_LENGTH_OFFSET) + 7) & ~7;
    const records = journalRecords(pristineDir);
    const pristine: Pristine = {
      journal: new Map(records.map((r) => [Number(r.split(':')[0]), r])),
      first: Number(records[0]!.split(':')[0]),
      last: Number(records[records.length - 1]!.split(':')[0]),
      manifest: JSON.stringify(readManifest(pristineDir)),
      snapshots: snapshotDigest(pristineDir),
      letters: new Map(
        files.filter((f) => kindOf(f) === 'deadletter').map((f) => [f, lettersDigest(join(pristineDir, f)).letters]),
      ),
    };
    assert.ok(pristine.letters.size > 0 && [...pristine.letters.values()][0]!.length > 5, 'dead letters were written');
    cpSync(pristineDir, scratch, { recursive: true });
    // the untouched copy is judged 'same' by every kind
    for (const f of files)
      if (kindOf(f) !== 'lock') assert.equal(judge(scratch, f, kindOf(f), pristine, false), 'same', f);
    // journal segments get half the cases: they are the format whose damage changes state
    const segments = files.filter((f) => kindOf(f) === 'segment');
    const others = files.filter((f) => kindOf(f) !== 'segment');
    const outcomes = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const rel =
        prng.int(0, 1) === 0 ? segments[prng.int(0, segments.length - 1)]! : others[prng.int(0, others.length - 1)]!;
      const kind = kindOf(rel);
      const original = bytesOf.get(rel)!;
      const { out, what } = mutate(prng, original, kind, stride);
      const path = join(scratch, rel);
      if (out === null) unlinkSync(path);
      else writeFileSync(path, out);
      let outcome: string;
      try {
        outcome = judge(scratch, rel, kind, pristine, out === null || out.length < original.length);
      } catch (err) {
        assert.fail(`case ${i}: ${rel} ${what}: uncoded ${(err as Error).stack} ${context}`);
      }
      if (outcome.startsWith('SILENT')) assert.fail(`case ${i}: ${rel} ${what}: ${outcome} ${context}`);
      const key = `${kind} ${outcome}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      writeFileSync(path, original);
    }
    console.log(
      [...outcomes]
        .sort()
        .map(([k, v]) => `  ${k}: ${v}`)
        .join('\n'),
    );
    assert.ok([...outcomes.keys()].some((k) => k.startsWith('segment detected:RINGBUS_ERR_JOURNAL_CORRUPT')));
  });
});
