/**
 * Quick throughput measurement of JournalWriter / JournalReader (not a test: run by hand).
 *   node dist/test/persistence/measureReader.js [records=5000000] [payloadBytes=48]
 * Writes a journal in a temp directory (fsync 'none', 64 MiB segments), then reads it back three
 * times with CRC checks and reports records/s; removes the directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalReader } from '../../src/persistence/JournalReader.js';
import { JournalWriter } from '../../src/persistence/JournalWriter.js';

const records = Number(process.argv[2] ?? 5_000_000);
const payloadSize = Number(process.argv[3] ?? 48);
const dir = mkdtempSync(join(tmpdir(), 'ringbus-measure-'));
try {
  const payload = new Uint8Array(payloadSize);
  for (let i = 0; i < payloadSize; i++) payload[i] = (i * 31) & 0xff;
  const w = JournalWriter.open(dir, {
    fingerprint: '01020304',
    eventName: 'Bench',
    payloadSize,
    epochMs: Date.now(),
    fsync: 'none',
  });
  let t = performance.now();
  for (let s = 0; s < records; s++) {
    payload[0] = s & 0xff;
    w.append(s, s * 10, 0, 0, payload, 0, payloadSize);
    if ((s & 1023) === 1023) w.commit();
  }
  w.close();
  const writeMs = performance.now() - t;
  console.log(
    `write: ${records} records of ${payloadSize}-byte payloads in ${writeMs.toFixed(0)} ms = ${(((records / writeMs) * 1000) / 1e6).toFixed(2)} M records/s`,
  );
  for (const mode of ['next() only', 'next() + copyPayloadTo', 'next() + payload view']) {
    for (let round = 0; round < 2; round++) {
      const r = new JournalReader(dir);
      const target = new Uint8Array(payloadSize);
      let n = 0;
      let sum = 0;
      t = performance.now();
      for (let rec = r.next(); rec !== null; rec = r.next()) {
        n++;
        if (mode === 'next() + copyPayloadTo') rec.copyPayloadTo(target, 0);
        else if (mode === 'next() + payload view') sum += rec.payload[0]!;
        sum += rec.sequence;
      }
      const ms = performance.now() - t;
      r.close();
      if (n !== records) throw new Error(`read ${n} records, expected ${records}`);
      console.log(
        `read (${mode}, round ${round + 1}): ${(((n / ms) * 1000) / 1e6).toFixed(2)} M records/s (${ms.toFixed(0)} ms, checksum ${sum % 1000})`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
