/**
 * Hand-timed repetitions for cross-thread throughput runs: warm-up runs (discarded), then timed
 * runs, and the median. tinybench fits micro-benchmarks of single-thread operations (it times
 * many calls of one function on one thread); a throughput run here spans two threads and ends
 * when the other thread has consumed everything, so each run times itself and returns its own
 * elapsed nanoseconds.
 */

/** Summary of the timed runs of one measurement. */
export interface RepeatedTiming {
  /** Elapsed ns of each timed run, in order. */
  readonly samplesNs: readonly number[];
  readonly medianNs: number;
  readonly minNs: number;
  readonly maxNs: number;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Runs `run` `warmup` times (discarded), then `reps` times, each returning its own elapsed ns.
 * Works for synchronous and asynchronous runs alike.
 */
export async function timeRepeated(
  warmup: number,
  reps: number,
  run: () => number | Promise<number>,
): Promise<RepeatedTiming> {
  for (let i = 0; i < warmup; i++) await run();
  const samplesNs: number[] = [];
  for (let i = 0; i < reps; i++) samplesNs.push(await run());
  return { samplesNs, medianNs: median(samplesNs), minNs: Math.min(...samplesNs), maxNs: Math.max(...samplesNs) };
}

/** Nanoseconds since an arbitrary origin (performance.now based; sub-microsecond resolution). */
export function nowNs(): number {
  return performance.now() * 1e6;
}

/** Events per second for `events` in `ns` nanoseconds. */
export function perSecond(events: number, ns: number): number {
  return (events * 1e9) / ns;
}

/**
 * Like timeRepeated for several variants at once, interleaved: each round runs every variant
 * once (warm-up rounds first, discarded). A burst of outside load then hits all variants alike
 * instead of all the runs of one, which keeps their ratios honest on a shared machine.
 */
export async function timeInterleaved(
  warmup: number,
  reps: number,
  runs: ReadonlyArray<() => number | Promise<number>>,
): Promise<RepeatedTiming[]> {
  for (let i = 0; i < warmup; i++) for (const run of runs) await run();
  const samples: number[][] = runs.map(() => []);
  for (let i = 0; i < reps; i++) for (let v = 0; v < runs.length; v++) samples[v]!.push(await runs[v]!());
  return samples.map((s) => ({ samplesNs: s, medianNs: median(s), minNs: Math.min(...s), maxNs: Math.max(...s) }));
}
