/**
 * Recovery measurements of the `journal` benchmark: a real RingBus with a stateful handler
 * (bench/workers/journalHandler.ts) restarting on a data directory that a live bus wrote.
 *
 *     main thread: start() → [restore snapshot] → replay journal records into the ring ─▶ worker "handlers":
 *                                                                          journal (skips what it holds) + positions
 *     timed: from `await bus.start()` to `await bus.drain()` resolving (every replayed event applied)
 *
 * Each timed recovery runs on a fresh copy of a pristine data directory (copied untimed, so the
 * files are in the page cache: these are warm-cache figures), and its state hash is checked
 * against the state computed directly from the event generator.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { combineStateHashes, hashState, RingBus, type PlacementReport } from '../../src/index.js';
import { BenchOrder, expectedState, fillOrderTranslator, type BenchOrderFlyweight } from '../workers/journalEvent.js';
import { nowNs } from './timing.js';

const HANDLER = 'positions';
const handlerUrl = new URL('../workers/journalHandler.js', import.meta.url);

function newBus(dataDir: string): RingBus<BenchOrderFlyweight> {
  const bus = new RingBus<BenchOrderFlyweight>({ event: BenchOrder, persistence: { dataDir, fsync: 'none' } });
  bus.handleEventsWith(bus.handler(HANDLER, handlerUrl));
  return bus;
}

/** A temporary directory under os.tmpdir(); remove it with removeDir. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `ringbus-bench-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Runs a live bus on `dataDir` and publishes events 0 … events-1; with `snapshotAt`, drains after
 * that many events and takes a snapshot (a set at S = the snapshot's control sequence). Returns the
 * snapshot's sequence (or null).
 */
export async function writeLiveJournal(
  dataDir: string,
  events: number,
  snapshotAt: number | null,
): Promise<number | null> {
  const bus = newBus(dataDir);
  await bus.start();
  let snapshotSequence: number | null = null;
  try {
    for (let i = 0; i < events; i++) {
      if (i === snapshotAt) {
        await bus.drain({ timeoutMs: 120_000 });
        snapshotSequence = (await bus.snapshot()).sequence;
      }
      bus.publishWith(fillOrderTranslator, i);
      if ((i & 0xffff) === 0xffff) await new Promise((resolve) => setImmediate(resolve));
    }
    await bus.drain({ timeoutMs: 120_000 });
  } finally {
    await bus.shutdown();
  }
  return snapshotSequence;
}

export interface RecoveryRun {
  /** ns from start() to drained. */
  readonly ns: number;
  /** ns from start() to the first replayed record (workers started, recovery planned, snapshot restored). */
  readonly startNs: number;
  /** ns from the first replayed record to drained. */
  readonly replayNs: number;
  /** Journal records replayed into the ring. */
  readonly replayed: number;
  /** Sequence of the snapshot set restored, or null. */
  readonly snapshot: number | null;
  readonly placement: PlacementReport;
}

/**
 * Copies `pristineDir` (untimed), recovers a bus on the copy and times start() → drained; checks
 * that the recovered state is the state after `events` orders. Removes the copy.
 */
export async function recoverOnce(pristineDir: string, events: number, expectedHash: string): Promise<RecoveryRun> {
  const dir = tempDir('recover');
  try {
    cpSync(pristineDir, dir, { recursive: true });
    const bus = newBus(dir);
    try {
      const t0 = nowNs();
      await bus.start();
      await bus.drain({ timeoutMs: 300_000 });
      const t1 = nowNs();
      const r = bus.recovery!;
      const replayStart = r.replayStartedAt * 1e6; // performance.now() based, like nowNs()
      const { hash } = await bus.stateHash();
      if (hash !== expectedHash)
        throw new Error(
          `recovery from ${pristineDir}: state hash ${hash}, expected ${expectedHash} (the state after ${events} orders)`,
        );
      return {
        ns: t1 - t0,
        startNs: replayStart - t0,
        replayNs: t1 - replayStart,
        replayed: Math.max(0, r.replayedThrough - r.startSequence + 1),
        snapshot: r.snapshot?.sequence ?? null,
        placement: bus.placement(),
      };
    } finally {
      await bus.shutdown();
    }
  } finally {
    removeDir(dir);
  }
}

/** The bus state hash (combined over stateful handlers) a correct recovery of `events` orders gives. */
export function expectedBusHash(events: number): string {
  return combineStateHashes({ [HANDLER]: hashState(expectedState(events)) });
}
