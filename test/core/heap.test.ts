/**
 * Heap: publishing and consuming millions of events must not allocate per event. Each check runs
 * heapChurn.js in a child process started with `--expose-gc` (so it can force full GCs). After a
 * 1-million-event warm-up it runs 5 million events in five equal slices and reads back, per
 * slice, the bytes allocated on the JS heap (used-heap growth plus everything the slice's GCs
 * freed, from v8.GCProfiler), and over the whole window the bytes retained across forced full
 * GCs.
 *
 * Bounds (memory, not time):
 *   - retained growth over the 5 million events < 1 MB;
 *   - the median slice (1 million events) allocates < 128 KB. Any allocation per event, even
 *     1 byte, would put every slice at ≥ 1 MB (16 bytes per event: 16 MB per slice, 80 MB in
 *     all). The median, not the sum, because a one-off allocation burst (a JIT tier change that
 *     runs a stretch of the loop in unoptimised code right after the warm-up, seen on the worker
 *     thread) lands in one slice and is not a per-event cost.
 *
 * Known on Node 20: the slot timestamp (ring.now(), from performance.now()) is a double that the
 * native call boxes into a 16-byte HeapNumber, so publishWith / publishEvent allocate exactly
 * what their clock read allocates. The child measures the clock alone as well, and the test
 * asserts that publishWith allocates nothing beyond it; next()/publish with flyweight writes
 * (no timestamp) and consuming must allocate nothing at all.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { HeapWindow } from './fixtures/heapChurn.js';

const EVENTS = 5_000_000;
const RETAINED_BOUND = 1024 * 1024;
const SLICE_BOUND = 128 * 1024;
const fixture = fileURLToPath(new URL('./fixtures/heapChurn.js', import.meta.url));

function churn<T>(mode: 'single' | 'worker'): T {
  const out = execFileSync(process.execPath, ['--expose-gc', fixture, mode, String(EVENTS)], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function show(w: HeapWindow): string {
  return (
    `slices ${w.sliceBytes.join('/')} B (median ${(median(w.sliceBytes) / (w.events / w.sliceBytes.length)).toFixed(4)} B/event), ` +
    `total ${w.allocatedBytes} B, retained ${w.retainedBytes} B, ${w.gcs} GCs over ${w.events} events`
  );
}

function assertNoPerEventAllocation(who: string, w: HeapWindow): void {
  assert.ok(w.events >= EVENTS, `${who}: ran ${w.events} events`);
  assert.equal(w.sliceBytes.length, 5);
  assert.ok(median(w.sliceBytes) < SLICE_BOUND, `${who} allocates per event: ${show(w)}`);
  assert.ok(w.retainedBytes < RETAINED_BOUND, `${who} retains memory: ${show(w)}`);
}

describe('heap: no allocation per event', () => {
  it('should allocate nothing per event for next/publish with flyweight writes and for consuming, on one thread', (t) => {
    const r = churn<{ windows: { flyweight: HeapWindow; translator: HeapWindow; clock: HeapWindow }; sumOk: boolean }>(
      'single',
    );
    t.diagnostic(`next/publish + next(n)/publish(lo, hi) + consume: ${show(r.windows.flyweight)}`);
    t.diagnostic(`publishWith + consume: ${show(r.windows.translator)}`);
    t.diagnostic(`ring.now() alone: ${show(r.windows.clock)}`);
    assert.equal(r.sumOk, true, 'the consumer read back every field the producer wrote');
    assertNoPerEventAllocation('next/publish with flyweight writes', r.windows.flyweight);
    // Without the native clock each read boxes a double (16 B), so both windows allocate ~16 MB per
    // slice and GC timing moves single slices by ~100-200 KB. Compare the smallest slices: noise
    // only adds bytes, while an allocation per event (≥ 8 B, 8 MB a slice) is in every slice.
    const beyondClock = Math.min(...r.windows.translator.sliceBytes) - Math.min(...r.windows.clock.sliceBytes);
    assert.ok(
      beyondClock < SLICE_BOUND,
      `publishWith allocates beyond its clock read: ${show(r.windows.translator)} vs clock ${show(r.windows.clock)}`,
    );
    assert.ok(
      r.windows.translator.retainedBytes < RETAINED_BOUND,
      `publishWith retains memory: ${show(r.windows.translator)}`,
    );
  });

  it('should allocate nothing per event with the consumer on a worker thread (both threads measured)', (t) => {
    const r = churn<{ main: HeapWindow; consumer: HeapWindow; sumOk: boolean }>('worker');
    t.diagnostic(`producer (main thread): ${show(r.main)}`);
    t.diagnostic(`consumer (worker thread): ${show(r.consumer)}`);
    assert.equal(r.sumOk, true, 'the consumer read back every field the producer wrote');
    assertNoPerEventAllocation('producer', r.main);
    assertNoPerEventAllocation('consumer', r.consumer);
  });
});
