/**
 * The `journal` benchmark's baseline: what a Node user would write instead of ringbus's binary
 * journal: newline-delimited JSON.
 *
 *   append   JSON.stringify(event) per event (the event object carries seq, ts, kind, aux and its
 *            fields), lines concatenated per commit, one fs.appendFileSync(fd, lines) per commit,
 *            then fdatasync with the same cadence as the journal's fsync policy
 *   read     readline over fs.createReadStream ('line' events) + JSON.parse per line
 *   replay   read + apply each parsed order to the same PositionState the bus handler uses
 *
 * No checksums (the journal checks a CRC32C per record), no torn-tail handling.
 */
import { appendFileSync, closeSync, createReadStream, fdatasyncSync, openSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { FsyncPolicy } from '../../src/index.js';
import { fillOrder, PositionState, type BenchOrderFields } from '../workers/journalEvent.js';
import { nowNs } from './timing.js';

/** One NDJSON record: the journal record's header fields and the order's fields. */
export interface NdjsonOrder extends BenchOrderFields {
  seq: number;
  ts: number;
  kind: number;
  aux: number;
}

/** Distinct events cycled through by both appenders (the journal's source slots hold the same ones). */
export const SOURCE_EVENTS = 4096;

/** The SOURCE_EVENTS event objects the NDJSON appender stringifies (seq and ts set per append). */
export function ndjsonSource(): NdjsonOrder[] {
  return Array.from({ length: SOURCE_EVENTS }, (_, k) => {
    const o: NdjsonOrder = {
      seq: 0,
      ts: 0,
      kind: 0,
      aux: 0,
      orderId: 0,
      price: 0,
      accountId: 0,
      symbolId: 0,
      qty: 0,
      side: 0,
      ordType: 0,
      tif: 0,
    };
    fillOrder(o, k);
    return o;
  });
}

/** Timestamp (ns) both appenders write for event i: any deterministic value does. */
export const timestampOf = (i: number): number => 1_000_000 + i * 731;

/**
 * Appends `events` NDJSON lines to `path` (created), committing every `commitEvery` events with
 * the fsync cadence of `fsync`. Returns the ns from the first event to the last commit.
 */
export function appendNdjson(
  path: string,
  events: number,
  commitEvery: number,
  fsync: FsyncPolicy,
  source: readonly NdjsonOrder[],
): number {
  const fd = openSync(path, 'a');
  const everyMs = typeof fsync === 'object' ? fsync.everyMs : 0;
  let lastSync = performance.now();
  let unsynced = false;
  try {
    const t0 = nowNs();
    for (let i = 0; i < events;) {
      const end = Math.min(events, i + commitEvery);
      let chunk = '';
      for (; i < end; i++) {
        const e = source[i & (SOURCE_EVENTS - 1)]!;
        e.seq = i;
        e.ts = timestampOf(i);
        chunk += JSON.stringify(e) + '\n';
      }
      appendFileSync(fd, chunk);
      if (fsync === 'batch') fdatasyncSync(fd);
      else if (everyMs > 0) {
        unsynced = true;
        if (performance.now() - lastSync >= everyMs) {
          fdatasyncSync(fd);
          lastSync = performance.now();
          unsynced = false;
        }
      }
    }
    const ns = nowNs() - t0;
    if (unsynced) fdatasyncSync(fd); // like the journal's close(): after the timed part
    return ns;
  } finally {
    closeSync(fd);
  }
}

/** Writes events 0 … n-1 with the fields fillOrder(i) gives (what the bus journaled), untimed, not fsynced. */
export function writeNdjsonOrders(path: string, n: number): void {
  const fd = openSync(path, 'w');
  try {
    const o: NdjsonOrder = {
      seq: 0,
      ts: 0,
      kind: 0,
      aux: 0,
      orderId: 0,
      price: 0,
      accountId: 0,
      symbolId: 0,
      qty: 0,
      side: 0,
      ordType: 0,
      tif: 0,
    };
    for (let i = 0; i < n;) {
      const end = Math.min(n, i + SOURCE_EVENTS);
      let chunk = '';
      for (; i < end; i++) {
        fillOrder(o, i);
        o.seq = i;
        o.ts = timestampOf(i);
        chunk += JSON.stringify(o) + '\n';
      }
      appendFileSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads every line of `path` with readline + JSON.parse; returns the ns, the count and the sum of qty. */
export async function readNdjson(path: string): Promise<{ ns: number; count: number; sumQty: number }> {
  const t0 = nowNs();
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let count = 0;
  let sumQty = 0;
  rl.on('line', (line) => {
    const o = JSON.parse(line) as NdjsonOrder;
    sumQty += o.qty;
    count++;
  });
  await once(rl, 'close');
  return { ns: nowNs() - t0, count, sumQty };
}

/** Rebuilds a PositionState from `path` (readline + JSON.parse + apply); returns the ns and the state. */
export async function replayNdjson(path: string): Promise<{ ns: number; state: PositionState }> {
  const t0 = nowNs();
  const state = new PositionState();
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  rl.on('line', (line) => state.apply(JSON.parse(line) as NdjsonOrder));
  await once(rl, 'close');
  return { ns: nowNs() - t0, state };
}
