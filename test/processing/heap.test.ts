/**
 * The processing hot path (BatchEventProcessor + WorkerLoop + metrics recording + flyweight
 * reads/writes) allocates nothing per event: a handler worker's heap, measured after full GCs at
 * event 500k and at the last event, grows by far less than one byte per event.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

describe('worker heap over millions of events', () => {
  it('should not grow the handler worker heap per event (3 million events, metrics on)', () => {
    const events = 3_000_000;
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', fileURLToPath(new URL('./fixtures/heapChild.js', import.meta.url)), String(events)],
      { encoding: 'utf8', timeout: 180_000 },
    );
    const { warm, end } = JSON.parse(out.trim().split('\n').pop()!) as { warm: number; end: number };
    assert.ok(warm > 0 && end > 0, `probe did not report (${out})`);
    const growth = end - warm;
    // 2.5M events between the readings: even 8 bytes retained per event would be 20 MB
    assert.ok(growth < 1_000_000, `worker heap grew ${growth} bytes over ${events - 500_000} events`);
  });
});
