/**
 * The bus side of persistence: options, the recovery plan (newest usable snapshot + the journal
 * after it), replaying journal records into the ring, and taking snapshots. The file formats
 * live in src/persistence.
 */
import { existsSync } from 'node:fs';
import { KEEP_TIMESTAMP, type RingBuffer } from '../core/RingBuffer.js';
import { RingbusError, RingbusRangeError, RingbusTypeError, show } from '../errors.js';
import { KIND_CONTROL, KIND_VOID, SLOT_HEADER_BYTES } from '../layout/RingBufferDescriptor.js';
import { JournalReader, type Upcaster } from '../persistence/JournalReader.js';
import type { JournalRecord } from '../persistence/JournalRecord.js';
import { parseFsyncPolicy, type FsyncPolicy } from '../persistence/fsyncPolicy.js';
import { recoverJournalTail, type RecoveredTail } from '../persistence/journalRecovery.js';
import { listSegments } from '../persistence/journalFiles.js';
import { ensureDataDirectory } from '../persistence/fsUtil.js';
import { readSegmentHeaderOf } from './segmentEpoch.js';
import { SnapshotStore } from '../persistence/SnapshotStore.js';
import { assertJournalIntact } from '../persistence/verifyJournal.js';
import type { EventType, Flyweight } from '../schema/defineEvent.js';

export interface PersistenceOptions {
  /** Directory for manifest.json, journal/, snapshots/ and dead-letters/ (created if missing). */
  dataDir: string;
  /** Journal durability (default 'batch': a sequence is durable once the journal stage passed it). */
  fsync?: FsyncPolicy;
  /** Journal segment size (default 64 MiB). */
  segmentBytes?: number;
  /** Take a snapshot every N events and/or every T ms (from the main thread's event loop). */
  snapshotEvery?: { events?: number; ms?: number };
  /** Complete snapshot sets to keep; journal segments wholly before the oldest kept are deleted (default 2). */
  retainSnapshots?: number;
  /** Worker of the journal handler (default: the shared default worker). */
  worker?: string;
  /** Read old journal segments written with another schema (fingerprint hex → upcaster). */
  upcasters?: Readonly<Record<string, Upcaster>>;
  /** Called during recovery replay with (replayed, total) every 65536 records and at the end. */
  onReplayProgress?: (replayed: number, total: number) => void;
  /** Time travel: replay only up to this sequence or event timestamp (ns since the journal epoch), then stop publishing. */
  recoverTo?: { sequence?: number; timestampNs?: number };
  /** Rebuild state from the whole journal, ignoring snapshots. */
  ignoreSnapshots?: boolean;
  /** Never modify the data directory (no journal appends, no tail repair, no snapshots). */
  readOnly?: boolean;
}

/** What start() found in the data directory and will do. */
export interface RecoveryPlan {
  /** First sequence of the ring. */
  readonly startSequence: number;
  /** Epoch of the journal's timestamps (undefined: new journal). */
  readonly epochMs: number | undefined;
  /** Snapshot set used (null: none). */
  readonly snapshot: { readonly sequence: number; readonly states: ReadonlyMap<string, unknown> } | null;
  /** Last sequence in the journal (-1: empty). */
  readonly journalLast: number;
  /** Journal records startSequence … replayTo are replayed (none when replayTo < startSequence). */
  readonly replayTo: number;
  /** Torn-tail bytes cut from the journal when it was opened. */
  readonly truncatedBytes: number;
  readonly warnings: readonly string[];
  /** The repaired tail (writable recoveries): handed to the journal writer so it does not scan again. */
  readonly tail: RecoveredTail | null;
}

export function checkPersistenceOptions(p: unknown): asserts p is PersistenceOptions {
  if (typeof p !== 'object' || p === null)
    throw new RingbusTypeError('RINGBUS_ERR_INVALID_OPTION', `persistence must be an object, got ${show(p)}`);
  const o = p as PersistenceOptions;
  if (typeof o.dataDir !== 'string' || o.dataDir.length === 0)
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `persistence.dataDir must be a non-empty path, got ${show(o.dataDir)}`,
    );
  parseFsyncPolicy(o.fsync, 'persistence.fsync');
  const r = o.retainSnapshots;
  if (r !== undefined && (!Number.isInteger(r) || r < 1))
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `persistence.retainSnapshots must be an integer ≥ 1, got ${show(r)}`,
    );
  const e = o.snapshotEvery;
  if (e !== undefined) {
    if (typeof e !== 'object' || e === null)
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `persistence.snapshotEvery must be { events?, ms? }, got ${show(e)}`,
      );
    if (e.events !== undefined && (!Number.isInteger(e.events) || e.events < 1))
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `persistence.snapshotEvery.events must be an integer ≥ 1, got ${show(e.events)}`,
      );
    if (e.ms !== undefined && !(typeof e.ms === 'number' && e.ms > 0))
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `persistence.snapshotEvery.ms must be a number > 0, got ${show(e.ms)}`,
      );
  }
  const t = o.recoverTo;
  if (
    t !== undefined &&
    (typeof t !== 'object' || t === null || (t.sequence === undefined && t.timestampNs === undefined))
  ) {
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `persistence.recoverTo must be { sequence } or { timestampNs }, got ${show(t)}`,
    );
  }
}

/**
 * Looks at the data directory: repairs a torn journal tail (unless read-only), picks the newest
 * complete snapshot set that the journal covers (and that is not past recoverTo), and says which
 * journal records to replay.
 */
export function planRecovery(p: PersistenceOptions, defaultStart: number): RecoveryPlan {
  const dir = p.dataDir;
  if (!existsSync(dir)) {
    if (p.readOnly) throw new RingbusError('RINGBUS_ERR_RECOVERY', `data directory ${dir} does not exist`);
    ensureDataDirectory(dir);
  }
  const warnings: string[] = [];
  let last = -1;
  let truncatedBytes = 0;
  let recovered: RecoveredTail | null = null;
  // one verdict for start(), replay and `journal verify`; checked before the tail is repaired so
  // that recovery never cuts a journal shorter than its checkpoint says it was
  const v = assertJournalIntact(dir);
  if (p.readOnly) {
    last = v.records > 0 ? v.lastSequence : -1;
  } else {
    const tail = recoverJournalTail(dir);
    recovered = tail;
    last = tail.report.lastSequence;
    truncatedBytes = tail.report.truncatedBytes;
    if (truncatedBytes > 0) warnings.push(`journal tail repaired: ${truncatedBytes} bytes cut (${tail.report.reason})`);
  }
  const segments = listSegments(dir);
  const epochMs = segments.length > 0 ? readSegmentHeaderOf(segments[0]!.path).epochMs : undefined;
  const first = last >= 0 ? new JournalReader(dir, p.upcasters ? { upcasters: p.upcasters } : {}).firstSequence() : -1;
  const limit = p.recoverTo?.sequence ?? Infinity;

  let snapshot: RecoveryPlan['snapshot'] = null;
  if (!p.ignoreSnapshots) {
    const store = new SnapshotStore(dir);
    for (const s of store.manifestSequences().sort((a, b) => b - a)) {
      if (s > last) {
        warnings.push(
          `snapshot at ${s} ignored: the journal ends at ${last} (it was written before the journal synced)`,
        );
        continue;
      }
      if (s > limit || (first >= 0 && s + 1 < first)) continue;
      try {
        const set = store.load(s);
        snapshot = { sequence: set.sequence, states: set.states };
        break;
      } catch (error) {
        warnings.push(`snapshot at ${s} ignored: ${(error as Error).message}`);
      }
    }
  }
  if (!snapshot && first > defaultStart) {
    // the journal was pruned (snapshot retention): without a snapshot its head is gone, and a
    // replay "from scratch" would silently start in the middle of the history
    throw new RingbusError(
      'RINGBUS_ERR_RECOVERY',
      p.ignoreSnapshots
        ? `cannot replay ${dir} from scratch: its journal starts at sequence ${first} (older segments were pruned by snapshot retention; the bus starts at ${defaultStart}). Replay from a snapshot, or keep more (persistence.retainSnapshots)`
        : `the journal in ${dir} starts at sequence ${first} but no usable snapshot covers the events before it`,
    );
  }
  const startSequence = snapshot ? snapshot.sequence + 1 : last >= 0 ? first : defaultStart;
  return {
    startSequence,
    epochMs,
    snapshot,
    journalLast: last,
    replayTo: Math.min(last, limit),
    truncatedBytes,
    warnings,
    tail: recovered,
  };
}

/**
 * Publishes journal records startSequence … replayTo into the ring, each at its original
 * sequence, with its original timestamp and input bytes (transient fields reset to their defaults).
 * Control records become void slots
 * (snapshot markers are not re-taken). Stops early at recoverTo.timestampNs. Returns the last
 * sequence replayed (startSequence - 1 when none). Allocation-free per record.
 */
export function replayJournal<F extends Flyweight>(
  ring: RingBuffer<F>,
  event: EventType<F>,
  p: PersistenceOptions,
  plan: RecoveryPlan,
): number {
  const from = plan.startSequence;
  const to = plan.replayTo;
  if (to < from) return from - 1;
  const reader = new JournalReader(p.dataDir, {
    fingerprint: event.fingerprint,
    ...(p.upcasters ? { upcasters: p.upcasters } : {}),
  });
  const target: ReplayTarget = { bytes: new Uint8Array(ring.buffer), payloadSize: event.payloadSize };
  const total = to - from + 1;
  const timeLimit = p.recoverTo?.timestampNs ?? Infinity;
  let lastDone = from - 1;
  try {
    reader.seek(from);
    for (let r = reader.next(); r !== null && r.sequence <= to; r = reader.next()) {
      if (r.timestampNs > timeLimit) break;
      const seq = ring.next(1);
      if (seq !== r.sequence) {
        throw new RingbusError(
          'RINGBUS_ERR_RECOVERY',
          `journal replay out of step: the ring is at sequence ${seq}, the journal record is ${r.sequence}`,
        );
      }
      ring.fillAndPublish(seq, seq, writeRecord, r, target);
      lastDone = seq;
      if (p.onReplayProgress && ((seq - from + 1) & 0xffff) === 0) p.onReplayProgress(seq - from + 1, total);
    }
  } finally {
    reader.close();
  }
  if (lastDone < to && !(p.recoverTo?.timestampNs !== undefined)) {
    throw new RingbusError(
      'RINGBUS_ERR_RECOVERY',
      `journal replay stopped at ${lastDone}, expected records through ${to}`,
    );
  }
  p.onReplayProgress?.(lastDone - from + 1, total);
  return lastDone;
}

interface ReplayTarget {
  readonly bytes: Uint8Array;
  readonly payloadSize: number;
}

/** Fills a claimed slot from a journal record (RingBuffer.fillAndPublish), keeping its original timestamp. */
function writeRecord(w: Flyweight, _s: number, _i: number, r: JournalRecord, t: ReplayTarget): number {
  const start = w.$base + SLOT_HEADER_BYTES;
  const copied = r.copyPayloadTo(t.bytes, start);
  if (copied < t.payloadSize) t.bytes.fill(0, start + copied, start + t.payloadSize);
  w.$resetTransient(); // result fields start from their defaults, as on a fresh publish
  w.$timestamp = r.timestampNs;
  w.$aux = r.aux;
  return (r.kind === KIND_CONTROL ? KIND_VOID : r.kind) | KEEP_TIMESTAMP;
}
