/**
 * The machine's own fdatasync latency, measured in the same run as the journal figures: append
 * one 64-byte record to a temp file and fdatasync it, `n` times (after 5 untimed warm-up rounds).
 * What a publish → durable ack can approach at best on this disk.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createLatencyHistogram, recordLatency, summarizeLatency, type LatencySummary } from './histogram.js';
import { removeDir, tempDir } from './journalRecovery.js';
import { nowNs } from './timing.js';

export function measureFsyncLatency(n: number): LatencySummary {
  const dir = tempDir('fsync-probe');
  try {
    const fd = openSync(join(dir, 'probe.log'), 'w');
    const record = Buffer.alloc(64, 7);
    const h = createLatencyHistogram();
    try {
      for (let i = 0; i < n + 5; i++) {
        const t0 = nowNs();
        writeSync(fd, record);
        fdatasyncSync(fd);
        if (i >= 5) recordLatency(h, nowNs() - t0);
      }
    } finally {
      closeSync(fd);
    }
    return summarizeLatency(h);
  } finally {
    removeDir(dir);
  }
}
