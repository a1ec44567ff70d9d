/**
 * A jHiccup-style meter: how much time the platform (OS scheduler, hypervisor, runtime) takes
 * from a thread that does nothing but spin on the clock. Every latency report carries it: no
 * spinning benchmark on the same machine can have a tail below this floor.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { RingBuffer } from '../core/RingBuffer.js';

/** What the platform takes from a thread that only spins (a jHiccup-style meter). */
export interface HiccupInfo {
  /** Time the meter covered, in ms. */
  readonly sampledMs: number;
  /** Gaps between two consecutive clock reads longer than 10 µs / 100 µs / 1 ms. */
  readonly gapsOver10us: number;
  readonly gapsOver100us: number;
  readonly gapsOver1ms: number;
  readonly maxGapNs: number;
  /** Share of the sampled time spent in gaps over 10 µs, in percent. */
  readonly lostPercent: number;
  /** Garbage collections in this thread during the meter (0: the gaps are not the meter's own). */
  readonly gcDuringMeter: number;
}

const HICCUP_GAP_NS = 10_000;
const hiccupBuffer = new Float64Array(1 << 18);

/** Fills the buffer with clock readings, back to back. Allocation-free (checked by the GC count). */
function fillReadings(clock: RingBuffer, buffer: Float64Array): void {
  for (let i = 0; i < buffer.length; i++) buffer[i] = clock.now();
}

// accumulator slots of scanGaps
const SAMPLED = 0,
  LOST = 1,
  OVER_10US = 2,
  OVER_100US = 3,
  OVER_1MS = 4,
  MAX_GAP = 5;

/** Adds the gaps of one buffer of readings to `acc`. Allocation-free (sums live in `acc`, not in boxed locals). */
function scanGaps(buffer: Float64Array, acc: Float64Array): void {
  acc[SAMPLED]! += buffer[buffer.length - 1]! - buffer[0]!;
  for (let i = 1; i < buffer.length; i++) {
    const gap = buffer[i]! - buffer[i - 1]!;
    if (gap > HICCUP_GAP_NS) {
      acc[LOST]! += gap;
      acc[OVER_10US]!++;
      if (gap > 100_000) acc[OVER_100US]!++;
      if (gap > 1_000_000) acc[OVER_1MS]!++;
      if (gap > acc[MAX_GAP]!) acc[MAX_GAP] = gap;
    }
  }
}

/** Fills and scans until `ms` have passed. Synchronous, so nothing it keeps is boxed across an await. */
function meter(clock: RingBuffer, ms: number, acc: Float64Array): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    fillReadings(clock, hiccupBuffer);
    scanGaps(hiccupBuffer, acc);
  }
}

/**
 * Spins on the clock for about `ms` on the calling thread (pin it first) and reports every gap
 * between consecutive reads over 10 µs: time the OS, the hypervisor or the runtime took away.
 * No latency percentile of a spinning benchmark can be better than this floor. Reads go into a
 * preallocated buffer (≈10 ms of reads), which is scanned between fills; the scans are not
 * covered. The meter's own GCs are counted and reported.
 */
export async function measureHiccups(ms: number): Promise<HiccupInfo> {
  const clock = new RingBuffer({ capacity: 2, slotSize: 24 }); // its now() is the benchmarks' clock
  const acc = new Float64Array(6);
  meter(clock, 5, acc); // warm-up
  let gcs = 0;
  const observer = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  await new Promise((resolve) => setImmediate(resolve));
  gcs = 0;
  acc.fill(0);
  meter(clock, ms, acc);
  await new Promise((resolve) => setTimeout(resolve, 5)); // let the observer see the last GC entries
  observer.disconnect();
  const sampled = acc[SAMPLED]!;
  return {
    sampledMs: Math.round(sampled / 1e6),
    gapsOver10us: acc[OVER_10US]!,
    gapsOver100us: acc[OVER_100US]!,
    gapsOver1ms: acc[OVER_1MS]!,
    maxGapNs: Math.round(acc[MAX_GAP]!),
    lostPercent: sampled > 0 ? Math.round((acc[LOST]! / sampled) * 10_000) / 100 : 0,
    gcDuringMeter: gcs,
  };
}

/** One line for a report's notes. */
export function hiccupNote(h: HiccupInfo, where: string): string {
  return (
    `platform floor: a lone thread spinning on the clock (${where}) lost ${h.lostPercent}% of ${h.sampledMs} ms in gaps > 10 µs ` +
    `(${h.gapsOver10us} gaps, ${h.gapsOver100us} > 100 µs, ${h.gapsOver1ms} > 1 ms, longest ${(h.maxGapNs / 1e3).toFixed(0)} µs; ${h.gcDuringMeter} GCs meanwhile): ` +
    `time the OS, the hypervisor or the runtime takes from any spinning thread here`
  );
}
