/**
 * journal: the journal's write path, read path and recovery, each against newline-delimited JSON
 * (what a Node user would write instead) in the same run.
 *
 *   append    source slots ──append()×B──▶ write buffer ──commit(): writeSync [+ fdatasync by policy]──▶ segments
 *             baseline: JSON.stringify(event)×B ──appendFileSync(fd, lines) [+ fdatasync, same cadence]──▶ .ndjson
 *   read      segments ──JournalReader.next() (CRC32C checked) · copyPayloadTo(slot) · flyweight──▶ sum(qty)
 *             baseline: .ndjson ──readline 'line' · JSON.parse──▶ sum(qty)
 *   recovery  data dir ──RingBus.start(): [snapshot restore] + journal replay into the ring──▶ worker:
 *             journal (skips what it holds) + positions handler; timed start() → drained
 *             baseline: .ndjson ──readline · JSON.parse · the same PositionState.apply──▶ state
 *
 * Append variants: fsync 'none' (commit every 64 / 1024 events), 'batch' (1, 64, 1024 events per
 * commit: one fdatasync per commit), { everyMs: 5 } (commit every 64). Each ringbus row's ratio is
 * against the NDJSON row of the same operation and cadence (named in `extra.vs`), also for the
 * read and recovery rows; the top-level baseline is the NDJSON read. fsync-bound variants write
 * `commitEvery × commits` events so each run is ~the same number of fdatasyncs. Every run checks
 * its output (record counts, sums of a field, state hashes) so a broken run fails, not prints.
 * All files live in a temporary directory under os.tmpdir(), removed at the end.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { hashState, type FsyncPolicy } from '../../src/index.js';
import {
  appendNdjson,
  ndjsonSource,
  readNdjson,
  replayNdjson,
  SOURCE_EVENTS,
  writeNdjsonOrders,
  type NdjsonOrder,
} from '../lib/journalBaseline.js';
import {
  expectedBusHash,
  recoverOnce,
  removeDir,
  tempDir,
  writeLiveJournal,
  type RecoveryRun,
} from '../lib/journalRecovery.js';
import { appendJournal, journalBytes, readJournal, sourceSlots, type Cadence } from '../lib/journalRuns.js';
import { machineInfo } from '../lib/machine.js';
import type { BenchOptions } from '../lib/options.js';
import type { Placement } from '../lib/placement.js';
import type { BenchReport, BenchResult } from '../lib/report.js';
import { median, perSecond, timeInterleaved, timeRepeated } from '../lib/timing.js';
import { BenchOrder, expectedState } from '../workers/journalEvent.js';

/** Extra figures of a journal row (the lib's BenchResult has none of these). */
export interface JournalExtra {
  readonly operation: 'append' | 'read' | 'recovery';
  /** The NDJSON row this row's ratioVsBaseline compares against (absent on NDJSON rows). */
  readonly vs?: string;
  readonly fsync?: string;
  readonly commitEvery?: number;
  /** File bytes per event and MB/s (10^6 bytes) of file written or read. */
  readonly bytesPerEvent?: number;
  readonly mbPerSec?: number;
  /** Recovery: median ms from start() to drained, events replayed, ms per million replayed. */
  readonly totalMs?: number;
  readonly replayed?: number;
  readonly msPerMillion?: number;
  /** Recovery: ms from start() to the first replayed record (workers, recovery plan, snapshot restore). */
  readonly startMs?: number;
  /** Recovery: ms from the first replayed record to drained, and that per million replayed. */
  readonly replayMs?: number;
  readonly replayMsPerMillion?: number;
  readonly snapshotSequence?: number;
}

type JournalResult = BenchResult & { readonly extra: JournalExtra };

const CADENCES: readonly Cadence[] = [
  { label: "fsync 'none', commit/64", fsync: 'none', commitEvery: 64 },
  { label: "fsync 'none', commit/1024", fsync: 'none', commitEvery: 1024 },
  { label: "fsync 'batch', commit/1", fsync: 'batch', commitEvery: 1 },
  { label: "fsync 'batch', commit/64", fsync: 'batch', commitEvery: 64 },
  { label: "fsync 'batch', commit/1024", fsync: 'batch', commitEvery: 1024 },
  { label: 'fsync { everyMs: 5 }, commit/64', fsync: { everyMs: 5 }, commitEvery: 64 },
];

const READ_BASELINE = 'ndjson read (readline + JSON.parse)';
const REPLAY_BASELINE = 'ndjson replay from scratch (readline + JSON.parse + apply)';

/** Medians (ns) of `a` and `b` run alternately, so machine noise hits both alike. */
async function alternate(
  warmup: number,
  reps: number,
  a: () => number | Promise<number>,
  b: () => number | Promise<number>,
): Promise<[number, number]> {
  const [ta, tb] = await timeInterleaved(warmup, reps, [a, b]);
  return [ta!.medianNs, tb!.medianNs];
}

const fsyncName = (f: FsyncPolicy): string => (typeof f === 'object' ? `{ everyMs: ${f.everyMs} }` : f);
const mb = (x: number): string => `${x.toFixed(x < 10 ? 2 : 0)} MB/s`;

interface Plan {
  readonly events: number;
  readonly reps: number;
  readonly warmup: number;
  /** fdatasyncs per timed run of the 'batch' variants. */
  readonly commits: number;
  readonly freshDir: () => string;
}

async function measureAppend(p: Plan, source: Uint8Array, objects: readonly NdjsonOrder[]): Promise<JournalResult[]> {
  const rows: JournalResult[] = [];
  for (const c of CADENCES) {
    const n = c.fsync === 'batch' ? Math.min(p.events, c.commitEvery * p.commits) : p.events;
    let jBytes = 0;
    let nBytes = 0;
    const [jNs, nNs] = await alternate(
      p.warmup,
      p.reps,
      () => {
        const dir = p.freshDir();
        const ns = appendJournal(dir, n, c, source);
        jBytes = journalBytes(dir);
        removeDir(dir);
        return ns;
      },
      () => {
        const path = `${p.freshDir()}.ndjson`;
        const ns = appendNdjson(path, n, c.commitEvery, c.fsync, objects);
        nBytes = statSync(path).size;
        removeDir(path);
        return ns;
      },
    );
    const jRate = perSecond(n, jNs);
    const nRate = perSecond(n, nNs);
    const jMb = (jRate * jBytes) / n / 1e6;
    const nMb = (nRate * nBytes) / n / 1e6;
    const baseName = `ndjson append, ${c.label}`;
    const common = { operation: 'append' as const, fsync: fsyncName(c.fsync), commitEvery: c.commitEvery };
    rows.push({
      name: `journal append, ${c.label}`,
      eventsPerSec: jRate,
      ratioVsBaseline: jRate / nRate,
      events: n,
      reps: p.reps,
      detail: `${mb(jMb)}; ÷ the NDJSON row below`,
      extra: { ...common, vs: baseName, bytesPerEvent: jBytes / n, mbPerSec: jMb },
    });
    rows.push({
      name: baseName,
      eventsPerSec: nRate,
      events: n,
      reps: p.reps,
      detail: `${mb(nMb)}; baseline of the row above`,
      extra: { ...common, bytesPerEvent: nBytes / n, mbPerSec: nMb },
    });
  }
  return rows;
}

async function measureRead(
  p: Plan,
  source: Uint8Array,
  objects: readonly NdjsonOrder[],
): Promise<{ rows: JournalResult[]; baseline: JournalResult }> {
  const { events, reps, warmup } = p;
  const readDir = p.freshDir();
  const readPath = `${p.freshDir()}.ndjson`;
  try {
    appendJournal(readDir, events, CADENCES[1]!, source);
    appendNdjson(readPath, events, 1024, 'none', objects);
    let expectedQty = 0;
    for (let i = 0; i < events; i++) expectedQty += objects[i & (SOURCE_EVENTS - 1)]!.qty;
    const checked = (what: string, r: { ns: number; count: number; sumQty: number }): number => {
      if (r.count !== events || r.sumQty !== expectedQty)
        throw new Error(
          `${what}: read ${r.count} records summing qty ${r.sumQty}, expected ${events} summing ${expectedQty}`,
        );
      return r.ns;
    };
    const [crcNs, ndjsonNs] = await alternate(
      warmup,
      reps,
      () => checked('journal read', readJournal(readDir, true)),
      async () => checked('ndjson read', await readNdjson(readPath)),
    );
    const noCrc = await timeRepeated(warmup, reps, () =>
      checked('journal read without CRC', readJournal(readDir, false)),
    );
    const jBytes = journalBytes(readDir) / events;
    const nBytes = statSync(readPath).size / events;
    const base = perSecond(events, ndjsonNs);
    const rows: JournalResult[] = [];
    for (const [name, ns, how] of [
      ['journal read (CRC32C checked)', crcNs, 'next() · copyPayloadTo · flyweight'],
      ['journal read (verifyCrc: false)', noCrc.medianNs, 'the same without the CRC check'],
    ] as const) {
      const rate = perSecond(events, ns);
      rows.push({
        name,
        eventsPerSec: rate,
        ratioVsBaseline: rate / base,
        events,
        reps,
        detail: `${mb((rate * jBytes) / 1e6)}; ${how}`,
        extra: { operation: 'read', vs: READ_BASELINE, bytesPerEvent: jBytes, mbPerSec: (rate * jBytes) / 1e6 },
      });
    }
    const baseline: JournalResult = {
      name: READ_BASELINE,
      eventsPerSec: base,
      events,
      reps,
      detail: `${mb((base * nBytes) / 1e6)}; readline 'line' events · JSON.parse`,
      extra: { operation: 'read', bytesPerEvent: nBytes, mbPerSec: (base * nBytes) / 1e6 },
    };
    return { rows, baseline };
  } finally {
    removeDir(readDir);
    removeDir(readPath);
  }
}

async function measureRecovery(p: Plan): Promise<{ rows: JournalResult[]; startupMs: number; run: RecoveryRun }> {
  const { events, reps, warmup } = p;
  const scratchDir = p.freshDir();
  const snapDir = p.freshDir();
  const emptyDir = p.freshDir();
  await writeLiveJournal(scratchDir, events, null);
  const snapshotSequence = await writeLiveJournal(snapDir, events, events >> 1);
  await writeLiveJournal(emptyDir, 0, null);
  const fullHash = expectedBusHash(events);
  const emptyHash = expectedBusHash(0);
  const scratch: RecoveryRun[] = [];
  const snap: RecoveryRun[] = [];
  const empty: RecoveryRun[] = [];
  for (let r = 0; r < warmup + reps; r++) {
    const s = await recoverOnce(scratchDir, events, fullHash);
    const t = await recoverOnce(snapDir, events, fullHash);
    const e = await recoverOnce(emptyDir, 0, emptyHash);
    if (t.snapshot !== snapshotSequence)
      throw new Error(`snapshot recovery restored the set at ${t.snapshot}, expected ${snapshotSequence}`);
    if (r < warmup) continue;
    scratch.push(s);
    snap.push(t);
    empty.push(e);
  }
  const ndjsonPath = `${p.freshDir()}.ndjson`;
  writeNdjsonOrders(ndjsonPath, events);
  const want = hashState(expectedState(events));
  const replay = await timeRepeated(warmup, reps, async () => {
    const { ns, state } = await replayNdjson(ndjsonPath);
    if (hashState(state.snapshot()) !== want)
      throw new Error(`ndjson replay of ${events} orders reached another state`);
    return ns;
  });
  const base = perSecond(events, replay.medianNs);
  const perMillion = (ns: number, n: number): number => ns / 1e6 / (n / 1e6);
  const rows: JournalResult[] = [];
  for (const [name, list, what] of [
    ['recovery from scratch (RingBus)', scratch, 'whole journal'],
    ['recovery snapshot + tail (RingBus)', snap, `snapshot at ${snapshotSequence} + tail`],
  ] as const) {
    const ns = median(list.map((x) => x.ns));
    const replayNs = median(list.map((x) => x.replayNs));
    const replayed = list[0]!.replayed;
    const rate = perSecond(replayed, ns);
    rows.push({
      name,
      eventsPerSec: rate,
      ratioVsBaseline: rate / base,
      events: replayed,
      reps,
      detail: `${what}: ${perMillion(ns, replayed).toFixed(0)} ms/M start→drained (replay phase ${perMillion(replayNs, replayed).toFixed(0)} ms/M)`,
      extra: {
        operation: 'recovery',
        vs: REPLAY_BASELINE,
        totalMs: ns / 1e6,
        replayed,
        msPerMillion: perMillion(ns, replayed),
        startMs: median(list.map((x) => x.startNs)) / 1e6,
        replayMs: replayNs / 1e6,
        replayMsPerMillion: perMillion(replayNs, replayed),
        ...(list[0]!.snapshot !== null ? { snapshotSequence: list[0]!.snapshot } : {}),
      },
    });
  }
  rows.push({
    name: REPLAY_BASELINE,
    eventsPerSec: base,
    events,
    reps,
    detail: `${perMillion(replay.medianNs, events).toFixed(0)} ms/M; baseline of the recovery rows`,
    extra: {
      operation: 'recovery',
      totalMs: replay.medianNs / 1e6,
      replayed: events,
      msPerMillion: perMillion(replay.medianNs, events),
    },
  });
  for (const d of [scratchDir, snapDir, emptyDir, ndjsonPath]) removeDir(d);
  return { rows, startupMs: median(empty.map((x) => x.ns)) / 1e6, run: scratch[0]! };
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const quick = options.quick;
  const machine = machineInfo();
  const root = tempDir('journal');
  let dirs = 0;
  const p: Plan = {
    events: options.events ?? (quick ? 20_000 : 1_000_000),
    reps: options.reps ?? (quick ? 1 : 3),
    warmup: quick ? 0 : 1,
    commits: quick ? 20 : 500,
    freshDir: () => join(root, `d${dirs++}`),
  };
  try {
    const source = sourceSlots().bytes;
    const objects = ndjsonSource();
    const append = await measureAppend(p, source, objects);
    const read = await measureRead(p, source, objects);
    const recovery = await measureRecovery(p);
    const bus = recovery.run.placement;
    const crcRate = read.rows[0]!.eventsPerSec!;
    const placement: Placement = {
      threads: [
        { role: 'append / read / NDJSON baseline', thread: 'main', cpu: null, wait: 'none (synchronous fs calls)' },
        {
          role: 'recovery producer (journal replay)',
          thread: 'main',
          cpu: null,
          wait: `${bus.workers[0]?.waitStrategy ?? 'phased'} (when the ring is full)`,
        },
        ...bus.workers.map((w) => ({
          role: `recovery handlers [${w.handlers.join(', ')}]`,
          thread: `worker "${w.name}"`,
          cpu: w.pinned ? (w.cpus?.[0] ?? null) : null,
          wait: w.waitStrategy,
        })),
      ],
      pinned: false,
      note: 'not pinned: the file benchmarks are single-threaded and the recovery bus uses the default placement (no cpu option); a supervisor worker idles on its event loop',
    };
    return {
      scenario: 'journal',
      results: [...append, ...read.rows, ...recovery.rows],
      baseline: read.baseline,
      machine,
      placement,
      notes: [
        `journal records: ${BenchOrder.payloadSize} bytes of fields + a 32-byte record header, padded to 8 = ${read.rows[0]!.extra.bytesPerEvent!.toFixed(1)} file bytes per event; NDJSON ${read.baseline.extra.bytesPerEvent!.toFixed(1)} bytes per line`,
        `vs baseline: each row ÷ the NDJSON row of the same operation and cadence (extra.vs); median of ${p.reps} runs after ${p.warmup} warm-up, ringbus and NDJSON alternating; fsync 'batch' runs write commitEvery × ${p.commits} events (at most ${p.events})`,
        `recovery: start() → drained on a fresh copy of the data directory (page cache warm), state hash checked; an empty data directory takes ${recovery.startupMs.toFixed(0)} ms (worker start-up); extra.startMs / replayMs split each recovery at its first replayed record`,
        `target (issue): journal read ≥ 5 M events/s: ${crcRate >= 5e6 ? 'met' : 'NOT met'} (${(crcRate / 1e6).toFixed(2)} M/s with CRC)`,
        `files under ${root} (os.tmpdir(), removed at the end); fdatasync latency of this file system sets the 'batch' figures`,
      ],
      quick,
    };
  } finally {
    removeDir(root);
  }
}
