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
 *   - the median slice (1 million events) allocates < 512 KB. Any allocation per event, even
 *     1 byte, would put every slice at ≥ 1 MB (a V8 object is ≥ 12 bytes: 16 bytes per event is
 *     16 MB per slice, 80 MB in all). The median, not the sum, because a one-off allocation burst
 *     (a JIT tier change that runs a stretch of the loop in unoptimised code right after the
 *     warm-up, seen on the worker thread) lands in one slice and is not a per-event cost. The
 *     bound was 128 KB; a loaded CI machine once gave the worker-thread consumer slices of 20-400
 *     KB (0.2-0.4 B/event: not per event, most likely per wait, when the consumer catches up and
 *     parks more often), so it sits at half of what one byte per event would cost.
 *
 * The slot timestamp: with the native addon's clock (core/clock.ts) publishWith / publishEvent
 * must allocate nothing at all either. Without it (RINGBUS_NATIVE=off, or no compiler) each
 * stamp reads performance.now(), which on Node 20 returns a boxed double (16 bytes per event);
 * the test then bounds publishWith by that one box and nothing more. next()/publish with
 * flyweight writes (no timestamp) and consuming must allocate nothing in both cases.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { HeapWindow } from './fixtures/heapChurn.js';

const EVENTS = 5_000_000;
const RETAINED_BOUND = 1024 * 1024;
const SLICE_BOUND = 512 * 1024;
/** Bytes of a V8 HeapNumber: what performance.now() allocates per call on Node 20. */
const BOXED_DOUBLE = 16;
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
    const r = churn<{
      windows: { flyweight: HeapWindow; translator: HeapWindow; clock: HeapWindow };
      sumOk: boolean;
      nativeClock: boolean;
    }>('single');
    t.diagnostic(`next/publish + next(n)/publish(lo, hi) + consume: ${show(r.windows.flyweight)}`);
    t.diagnostic(`publishWith + consume (native clock: ${r.nativeClock}): ${show(r.windows.translator)}`);
    t.diagnostic(`ring.now() alone: ${show(r.windows.clock)}`);
    assert.equal(r.sumOk, true, 'the consumer read back every field the producer wrote');
    assertNoPerEventAllocation('next/publish with flyweight writes', r.windows.flyweight);
    if (r.nativeClock) {
      assertNoPerEventAllocation('publishWith (native clock)', r.windows.translator);
    } else {
      // one boxed double per stamp and nothing more; the smallest slice, since GC timing only adds
      const perSlice = r.windows.translator.events / r.windows.translator.sliceBytes.length;
      const beyondClock = Math.min(...r.windows.translator.sliceBytes) - BOXED_DOUBLE * perSlice;
      assert.ok(
        beyondClock < SLICE_BOUND,
        `publishWith allocates beyond its clock read: ${show(r.windows.translator)}`,
      );
    }
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
