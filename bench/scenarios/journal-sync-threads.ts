/**
 * journal-sync-threads: does group commit want one thread or two? The journal appends records and
 * makes them durable with fdatasync; "whatever arrives while a sync is in flight is written and
 * synced by the next single call" can be done by one thread (write the group, sync, repeat: the
 * ringbus journal) or by two (a writer that keeps appending and a syncer that syncs whatever was
 * written when it starts). Both are measured here on the same disk, records and offered rates,
 * with nothing else in the way (no ring, no bus), so the difference is the threading alone:
 *
 *   one thread:   arrivals ─▶ [write group ─▶ fdatasync ─▶ durable] ─▶ repeat
 *   two threads:  arrivals ─▶ [write] ─written count─▶ [fdatasync ─▶ durable]   (syncer worker)
 *
 * Records are 64 bytes and arrive on a fixed schedule (record i is due at start + i / rate);
 * latency is each record's due time → the end of the fdatasync that covered it (coordinated
 * omission corrected: a writer that falls behind is charged). The baseline is the machine's own
 * fdatasync latency for one 64-byte record, measured in the same run. The writer spins on the
 * clock between arrivals (one spinning thread; the syncer blocks in fdatasync or Atomics.wait).
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { measureFsyncLatency } from '../lib/fsyncProbe.js';
import {
  createLatencyHistogram,
  decodeLatency,
  encodeLatency,
  recordLatency,
  summarizeLatency,
  type LatencyHistogram,
} from '../lib/histogram.js';
import { removeDir, tempDir } from '../lib/journalRecovery.js';
import { machineInfo } from '../lib/machine.js';
import type { BenchOptions } from '../lib/options.js';
import type { BenchReport, BenchResult } from '../lib/report.js';
import { nowNs } from '../lib/timing.js';

const RECORD = 64;
/** Most records one write call takes (a group larger than this is written in several calls). */
const MAX_WRITE = 4096;
const SYNCER = new URL('../workers/journalSyncer.js', import.meta.url);

interface Outcome {
  readonly histogram: LatencyHistogram;
  readonly syncs: number;
  readonly seconds: number;
}

/** Writes records [from, to) of the schedule with as few write calls as MAX_WRITE allows. */
function writeRecords(fd: number, chunk: Buffer, from: number, to: number): void {
  for (let i = from; i < to; i += MAX_WRITE) writeSync(fd, chunk, 0, Math.min(MAX_WRITE, to - i) * RECORD);
}

/** Due records by `now`: 1 + floor((now − start) / period), at most `events`. */
function dueBy(now: number, start: number, periodNs: number, events: number): number {
  return Math.min(events, Math.floor((now - start) / periodNs) + 1);
}

function oneThread(fd: number, chunk: Buffer, rate: number, events: number): Outcome {
  const periodNs = 1e9 / rate;
  const h = createLatencyHistogram();
  const start = nowNs();
  let durable = 0;
  let syncs = 0;
  while (durable < events) {
    const due = dueBy(nowNs(), start, periodNs, events);
    if (due === durable) continue; // spin on the clock until the next record is due
    writeRecords(fd, chunk, durable, due);
    fdatasyncSync(fd);
    syncs++;
    const t = nowNs();
    for (let i = durable; i < due; i++) recordLatency(h, t - (start + i * periodNs));
    durable = due;
  }
  return { histogram: h, syncs, seconds: (nowNs() - start) / 1e9 };
}

async function twoThreads(fd: number, chunk: Buffer, rate: number, events: number): Promise<Outcome> {
  const periodNs = 1e9 / rate;
  const state = new SharedArrayBuffer(12);
  const times = new SharedArrayBuffer(8);
  const words = new Int32Array(state);
  const worker = new Worker(SYNCER, { workerData: { fd, state, times, periodNs, events } });
  const done = new Promise<{ histogram: string; syncs: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await new Promise((resolve) => worker.once('online', resolve));
  const start = nowNs();
  new Float64Array(times)[0] = start;
  let written = 0;
  while (written < events) {
    const due = dueBy(nowNs(), start, periodNs, events);
    if (due === written) continue;
    writeRecords(fd, chunk, written, due);
    written = due;
    Atomics.store(words, 0, written);
    Atomics.notify(words, 0);
  }
  const result = await done;
  const seconds = (nowNs() - start) / 1e9;
  await worker.terminate();
  return { histogram: decodeLatency(result.histogram), syncs: result.syncs, seconds };
}

function row(name: string, rate: number, events: number, o: Outcome, detail: string): BenchResult {
  return {
    name,
    eventsPerSec: events / o.seconds,
    latencyNs: summarizeLatency(o.histogram),
    histogram: encodeLatency(o.histogram),
    events,
    reps: 1,
    detail: `${detail}; offered ${rate}/s, ${o.syncs} syncs, ${(events / Math.max(1, o.syncs)).toFixed(1)} records per sync`,
  };
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const quick = options.quick;
  const seconds = quick ? 0.5 : options.full ? 6 : 2;
  const rates = quick ? [50_000] : [50_000, 200_000];
  const chunk = Buffer.alloc(MAX_WRITE * RECORD, 0x5a);
  const dir = tempDir('sync-threads');
  const results: BenchResult[] = [];
  const before = measureFsyncLatency(quick ? 50 : 400);
  try {
    for (const rate of rates) {
      const events = Math.round(rate * seconds);
      for (const variant of ['one thread', 'two threads'] as const) {
        const fd = openSync(join(dir, `${variant.replace(' ', '-')}-${rate}.log`), 'w');
        try {
          const warm = Math.min(events, 5000);
          if (variant === 'one thread') oneThread(fd, chunk, rate, warm);
          else await twoThreads(fd, chunk, rate, warm);
          const o =
            variant === 'one thread' ? oneThread(fd, chunk, rate, events) : await twoThreads(fd, chunk, rate, events);
          const how =
            variant === 'one thread'
              ? 'write the group, then fdatasync, on one thread'
              : 'writer thread appends; a syncer worker fdatasyncs what was written when it starts';
          results.push(row(`${variant}, ${rate / 1000}k/s`, rate, events, o, how));
        } finally {
          closeSync(fd);
        }
      }
    }
  } finally {
    removeDir(dir);
  }
  const probe = measureFsyncLatency(quick ? 50 : 400);
  return {
    scenario: 'journal-sync-threads',
    results,
    baseline: {
      name: 'one fdatasync of one 64-byte record (the machine)',
      latencyNs: probe,
      detail: `p50 ${(before.p50 / 1000).toFixed(0)} µs before the runs; this row measured after them`,
    },
    machine: machineInfo(),
    placement: {
      threads: [
        { role: 'writer (arrivals, write)', thread: 'main', cpu: null, wait: 'spins on the clock' },
        { role: 'syncer (two threads only)', thread: 'worker', cpu: null, wait: 'blocks (fdatasync, Atomics.wait)' },
      ],
      pinned: false,
      note: 'no ring and no bus: the threading of write + fdatasync alone',
    },
    notes: [
      `${seconds} s per run after a 5000-record warm-up; 64-byte records; latency = due time → end of the covering fdatasync`,
      'vs baseline = the machine fdatasync p50 ÷ this p50 (below 1: slower than one lone sync)',
    ],
    quick,
  };
}
