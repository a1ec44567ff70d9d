/**
 * The clock the latency scenarios time with, and what reading it costs, measured at the start
 * of each run so that every report says which clock it used and what a read adds to a figure.
 *
 * Candidates (all read the same monotonic clock except Date.now()):
 *   RingBuffer.now()          ns since the ring's epoch. With the native addon it reads the
 *                             addon's clock into a Float64Array (no allocation per read);
 *                             without it, performance.now(). Comparable across threads.
 *   performance.now()         a double in ms, sub-µs resolution; boxes a number per read unless
 *                             the optimiser inlines it away.
 *   process.hrtime.bigint()   allocates a BigInt per read (garbage on the measuring thread).
 *   Date.now()                1 ms resolution: useless here.
 * The scenarios time with RingBuffer.now() (of a ring of their own, or a two-slot "clock ring"
 * where no ring is involved, as in the postMessage baselines), the cheapest with enough
 * resolution when the addon is loaded; `measureClock()` reports all four so the choice can be
 * checked on any machine.
 */
import { nativeClockInstalled, RingBuffer } from '../../src/index.js';

/** What reading the clock costs, measured in this thread at the start of a run. */
export interface ClockInfo {
  /** The clock the scenario times with, and what backs it. */
  readonly chosen: string;
  /** Whether RingBuffer.now() uses the native addon's allocation-free clock in this thread. */
  readonly nativeClock: boolean;
  /** ns per read in a tight loop (median over batches of 1000 reads). */
  readonly ringNowCostNs: number;
  readonly performanceNowCostNs: number;
  /** Number(process.hrtime.bigint()): the form a timestamp takes in an f64 field. */
  readonly hrtimeBigintCostNs: number;
  readonly dateNowCostNs: number;
  /** Smallest non-zero step between two consecutive reads, in ns. */
  readonly ringNowResolutionNs: number;
  readonly performanceNowResolutionNs: number;
  readonly hrtimeBigintResolutionNs: number;
  /**
   * Median difference between two back-to-back RingBuffer.now() reads: what the clock itself
   * adds to every timed interval (an interval ends one read after it starts).
   */
  readonly backToBackNs: number;
  /** Why the chosen clock, in one line. */
  readonly why: string;
}

/** A two-slot ring used only for its clock (`now()`); share it with another thread through `descriptor()`. */
export function createClockRing(): RingBuffer {
  return new RingBuffer({ capacity: 2, slotSize: 24 });
}

// One loop per clock (not a shared loop over a callback): each call site stays monomorphic, as in
// the scenarios' own loops. Each gives the median ns per read over batches of BATCH reads: the
// median keeps a batch during which the thread was preempted (a busy machine) out of the figure.
const BATCH = 1000;
const cell = new Float64Array(4);

function medianOf(values: Float64Array): number {
  values.sort();
  return values[values.length >> 1]!;
}
function costRingNow(clock: RingBuffer, batches: number): number {
  const perRead = new Float64Array(batches);
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) cell[i & 3] = clock.now();
    perRead[b] = Number(process.hrtime.bigint() - t0) / BATCH;
  }
  return medianOf(perRead);
}
function costPerformanceNow(batches: number): number {
  const perRead = new Float64Array(batches);
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) cell[i & 3] = performance.now();
    perRead[b] = Number(process.hrtime.bigint() - t0) / BATCH;
  }
  return medianOf(perRead);
}
function costHrtimeBigint(batches: number): number {
  const perRead = new Float64Array(batches);
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) cell[i & 3] = Number(process.hrtime.bigint());
    perRead[b] = Number(process.hrtime.bigint() - t0) / BATCH;
  }
  return medianOf(perRead);
}
function costDateNow(batches: number): number {
  const perRead = new Float64Array(batches);
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) cell[i & 3] = Date.now();
    perRead[b] = Number(process.hrtime.bigint() - t0) / BATCH;
  }
  return medianOf(perRead);
}

/** Smallest non-zero step and median step (ns) between consecutive RingBuffer.now() reads (a direct loop, as in the scenarios). */
function ringSteps(clock: RingBuffer, reads: number): { resolution: number; median: number } {
  const deltas = new Float64Array(reads);
  let prev = clock.now();
  let resolution = Infinity;
  for (let i = 0; i < reads; i++) {
    const now = clock.now();
    const d = now - prev;
    deltas[i] = d;
    if (d > 0 && d < resolution) resolution = d;
    prev = now;
  }
  return { resolution, median: medianOf(deltas) };
}

/** Smallest non-zero step and median step (ns) between consecutive reads of `read` (ns). */
function steps(reads: number, read: () => number): { resolution: number; median: number } {
  const deltas = new Float64Array(reads);
  let prev = read();
  let resolution = Infinity;
  for (let i = 0; i < reads; i++) {
    const now = read();
    const d = now - prev;
    deltas[i] = d;
    if (d > 0 && d < resolution) resolution = d;
    prev = now;
  }
  return { resolution, median: medianOf(deltas) };
}

/** Measures the clocks (≈0.3 s for 500 000 reads each). Allocates; call once per run, before the timed parts. */
export function measureClock(reads = 500_000): ClockInfo {
  const clock = createClockRing();
  const batches = Math.max(1, Math.round(reads / BATCH));
  // warm-up rounds (not kept): let the loops be optimised first
  costRingNow(clock, 50);
  costPerformanceNow(50);
  costHrtimeBigint(50);
  costDateNow(50);
  const ringCost = costRingNow(clock, batches);
  const perfCost = costPerformanceNow(batches);
  const hrCost = costHrtimeBigint(batches);
  const dateCost = costDateNow(batches);
  ringSteps(clock, 10_000); // warm-up
  const ring = ringSteps(clock, reads);
  const perf = steps(reads, () => performance.now() * 1e6);
  const hr = steps(reads, () => Number(process.hrtime.bigint()));
  const native = nativeClockInstalled();
  const round = (x: number): number => Math.round(x * 10) / 10;
  const chosen = `RingBuffer.now() (${native ? 'native addon clock' : 'performance.now() fallback: no native addon'})`;
  return {
    chosen,
    nativeClock: native,
    ringNowCostNs: round(ringCost),
    performanceNowCostNs: round(perfCost),
    hrtimeBigintCostNs: round(hrCost),
    dateNowCostNs: round(dateCost),
    ringNowResolutionNs: round(ring.resolution),
    performanceNowResolutionNs: round(perf.resolution),
    hrtimeBigintResolutionNs: round(hr.resolution),
    backToBackNs: round(ring.median),
    why:
      `RingBuffer.now() costs ${round(ringCost)} ns per read (median) and resolves ${round(ring.resolution)} ns` +
      `${native ? ' without allocating' : ''}; performance.now() ${round(perfCost)} ns (resolves ${round(perf.resolution)} ns, may box a number per read); ` +
      `Number(process.hrtime.bigint()) ${round(hrCost)} ns and a BigInt per read; Date.now() ${round(dateCost)} ns but 1 ms resolution`,
  };
}

/** One line for a report's notes. */
export function clockNote(c: ClockInfo): string {
  return `clock: ${c.chosen} — ${c.why}; two back-to-back reads differ by ${c.backToBackNs} ns (median), which every figure includes once`;
}
