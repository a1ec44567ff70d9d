/**
 * Shared helpers of the persistence tests: temp data directories (removed afterwards), a journal
 * written from seeded random payloads, and the seed printed on failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalWriter, type JournalWriterOptions } from '../../src/persistence/JournalWriter.js';
import { writeCheckpoint } from '../../src/persistence/journalCheckpoint.js';
import { journalDirectory, listSegments } from '../../src/persistence/journalFiles.js';
import { createPrng, type Prng } from '../helpers/prng.js';

/** Creates a temp directory, runs `fn` in it, removes it. */
export async function withTempDir<T>(fn: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ringbus-persistence-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `fn` with a seeded PRNG; a failure is rethrown with the seed in its message. */
export async function withSeed<T>(seed: number, fn: (prng: Prng) => T | Promise<T>): Promise<T> {
  try {
    return await fn(createPrng(seed));
  } catch (err) {
    if (err instanceof Error)
      err.message = `[seed ${seed >>> 0}; replay with RINGBUS_SEED=${seed >>> 0}] ${err.message}`;
    throw err;
  }
}

export const PAYLOAD = 40;
export const FINGERPRINT = 'a1b2c3d4';
export const EPOCH_MS = 1_700_000_000_000;

export function writerOptions(over: Partial<JournalWriterOptions> = {}): JournalWriterOptions {
  return {
    fingerprint: FINGERPRINT,
    eventName: 'Tick',
    payloadSize: PAYLOAD,
    epochMs: EPOCH_MS,
    fsync: 'batch',
    ...over,
  };
}

/** The deterministic payload of `sequence` for a seed (so readers can check every byte). */
export function payloadFor(seed: number, sequence: number, length = PAYLOAD): Uint8Array {
  const p = createPrng((seed ^ Math.imul(sequence + 1, 0x9e3779b1)) >>> 0);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = p.int(0, 255);
  return out;
}

/** Appends sequences [from, to] with payloadFor(seed, s), kind s % 3, aux s * 7, timestamp s * 1000 + 0.5; commits every `batch`. */
export function appendRange(
  w: JournalWriter,
  seed: number,
  from: number,
  to: number,
  batch = 64,
  length = PAYLOAD,
): void {
  for (let s = from; s <= to; s++) {
    const p = payloadFor(seed, s, length);
    w.append(s, s * 1000 + 0.5, s % 3, (s * 7) >>> 0, p, 0, p.length);
    if ((s - from) % batch === batch - 1) w.commit();
  }
  w.commit();
}

/** Writes a fresh journal of sequences [from, to] and closes it. */
export function writeJournal(
  dir: string,
  seed: number,
  from: number,
  to: number,
  over: Partial<JournalWriterOptions> = {},
): void {
  const w = JournalWriter.open(dir, writerOptions(over));
  appendRange(w, seed, from, to);
  w.close();
}

/**
 * Rewrites the journal checkpoint as a writer that crashed (instead of closing) would have left
 * it: the one written when segment `fromEnd` places before the newest was created. Tests of torn
 * tails use it: after a clean close the checkpoint records the last record, and a shorter
 * journal is then damage, not a tear.
 */
export function asIfCrashed(dir: string, fromEnd = 0): void {
  const segments = listSegments(dir);
  const seg = segments[segments.length - 1 - fromEnd]!;
  writeCheckpoint(journalDirectory(dir), {
    newestSegment: seg.firstSequence,
    lastSequence: seg.firstSequence - 1,
    lastCrc: 0,
  });
}
