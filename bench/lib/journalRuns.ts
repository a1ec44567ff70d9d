/**
 * The ringbus side of the `journal` benchmark's append and read measurements: JournalWriter
 * appending pre-filled slots under a commit cadence, and JournalReader reading a journal back
 * into a slot decoded by the event's flyweight. Both run on the calling thread.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { JournalReader, SLOT_HEADER_BYTES, type FsyncPolicy } from '../../src/index.js';
import { JournalWriter } from '../../src/persistence/index.js';
import { SOURCE_EVENTS, timestampOf } from './journalBaseline.js';
import { nowNs } from './timing.js';
import { BenchOrder, fillOrder, type BenchOrderFlyweight } from '../workers/journalEvent.js';

/** How often records are committed and with which fsync policy. */
export interface Cadence {
  readonly label: string;
  readonly fsync: FsyncPolicy;
  readonly commitEvery: number;
}

const EPOCH_MS = 1_700_000_000_000;

/** Slots pre-filled with the SOURCE_EVENTS events that both appenders cycle through. */
export function sourceSlots(): { bytes: Uint8Array; fw: BenchOrderFlyweight } {
  const buffer = new ArrayBuffer(BenchOrder.slotSize * SOURCE_EVENTS);
  const fw = new BenchOrder.Flyweight(buffer);
  for (let k = 0; k < SOURCE_EVENTS; k++) fillOrder(fw.$wrap(k * BenchOrder.slotSize), k);
  return { bytes: new Uint8Array(buffer), fw };
}

/** Appends `events` records to a new journal in `dir`; returns ns from the first append to the last commit. */
export function appendJournal(dir: string, events: number, c: Cadence, source: Uint8Array): number {
  const writer = JournalWriter.open(dir, {
    fingerprint: BenchOrder.fingerprint,
    eventName: BenchOrder.name,
    payloadSize: BenchOrder.payloadSize,
    epochMs: EPOCH_MS,
    fsync: c.fsync,
  });
  const size = BenchOrder.slotSize;
  const payload = BenchOrder.payloadSize;
  try {
    const t0 = nowNs();
    for (let i = 0; i < events;) {
      const end = Math.min(events, i + c.commitEvery);
      for (; i < end; i++)
        writer.append(i, timestampOf(i), 0, 0, source, (i & (SOURCE_EVENTS - 1)) * size + SLOT_HEADER_BYTES, payload);
      writer.commit();
    }
    return nowNs() - t0;
  } finally {
    writer.close();
  }
}

/** Reads the whole journal in `dir`: next() · copyPayloadTo · flyweight read of qty. */
export function readJournal(dir: string, verifyCrc: boolean): { ns: number; count: number; sumQty: number } {
  const slot = new ArrayBuffer(BenchOrder.slotSize);
  const bytes = new Uint8Array(slot);
  const fw = new BenchOrder.Flyweight(slot).$wrap(0);
  const t0 = nowNs();
  const reader = new JournalReader(dir, { fingerprint: BenchOrder.fingerprint, verifyCrc });
  let count = 0;
  let sumQty = 0;
  try {
    reader.seek(0);
    for (let r = reader.next(); r !== null; r = reader.next()) {
      r.copyPayloadTo(bytes, SLOT_HEADER_BYTES);
      sumQty += fw.qty;
      count++;
    }
  } finally {
    reader.close();
  }
  return { ns: nowNs() - t0, count, sumQty };
}

/** File bytes of the journal segments under `dir`. */
export const journalBytes = (dir: string): number =>
  readdirSync(join(dir, 'journal')).reduce((a, f) => a + statSync(join(dir, 'journal', f)).size, 0);
