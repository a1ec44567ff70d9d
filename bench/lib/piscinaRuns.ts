/**
 * piscina baselines ("what a Node user would pick instead": a worker pool, `run()` per event),
 * in the same run as the ring, same pair of threads: this thread submits, one pool thread
 * (minThreads = maxThreads = 1, pinned by workers/piscinaTask.ts to the consumer's CPU) runs the
 * tasks.
 *   throughput (one-to-one): `pool.run(i, { name: 'echo' })` per event, at most WINDOW in flight
 *     (an unbounded burst of millions of pending promises would measure the heap, not the pool);
 *     the run ends when the last result has come back; the results are summed and checked.
 *   latency (pipeline): event i is due at start + i/rate; the producer submits every due event
 *     and, when ahead, gives the event loop a turn (piscina hands results back and dispatches
 *     queued tasks there, so a producer that spun synchronously would stall the pool); the task
 *     runs a → b → c and records now − due in the pool thread (coordinated omission corrected).
 * piscina allocates a task record and a promise per run(); that is part of what it costs.
 */
import { Piscina } from 'piscina';
import type { RingBuffer } from '../../src/index.js';
import { nowNs, timeRepeated, type RepeatedTiming } from './timing.js';

/** Results awaited at most this many at a time in the throughput run. */
export const WINDOW = 1024;
/** The first paced event is due this long after a run starts. */
const LEAD_NS = 200_000;

/** A one-thread pool running workers/piscinaTask.js, its thread pinned (when it can) to `cpu`. */
export function startPiscina(cpu: number, clock?: RingBuffer): Piscina {
  return new Piscina({
    filename: new URL('../workers/piscinaTask.js', import.meta.url).href,
    minThreads: 1,
    maxThreads: 1,
    concurrentTasksPerWorker: WINDOW,
    idleTimeout: Infinity,
    workerData: { cpu, clock: clock?.descriptor() },
  });
}

const sumTo = (n: number): number => (n * (n - 1)) / 2;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** n `run()` calls, at most WINDOW in flight, until every result is back. Returns elapsed ns. */
async function throughputRun(pool: Piscina, n: number): Promise<number> {
  let sum = 0;
  let done = 0;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const onResult = (v: number): void => {
    sum += v;
    done++;
    if (wake !== null) {
      const w = wake;
      wake = null;
      w();
    }
  };
  const onError = (e: unknown): void => {
    failure = e;
    onResult(0);
  };
  const t0 = nowNs();
  for (let i = 0; i < n; i++) {
    while (i - done >= WINDOW) await new Promise<void>((resolve) => (wake = resolve));
    (pool.run(i, { name: 'echo' }) as Promise<number>).then(onResult, onError);
  }
  while (done < n) await new Promise<void>((resolve) => (wake = resolve));
  const ns = nowNs() - t0;
  if (failure !== null) throw failure;
  if (sum !== sumTo(n)) throw new Error(`piscina: results summed to ${sum}, expected ${sumTo(n)}`);
  return ns;
}

/** The one-to-one piscina baseline: warm-up runs, then `reps` timed runs of `n` events. */
export function timePiscina(pool: Piscina, n: number, warmup: number, reps: number): Promise<RepeatedTiming> {
  return timeRepeated(warmup, reps, () => throughputRun(pool, n));
}

/** What one paced pipeline run through the pool measured. */
export interface PiscinaPaced {
  readonly encoded: string;
  readonly startNs: number;
  readonly lastFinishNs: number;
  readonly maxLateNs: number;
  readonly cpu: number | null;
  readonly sameClock: boolean;
}

/** One paced run of `n` events at `rate` through the pool (run number `run`). */
export async function pacePiscina(
  pool: Piscina,
  clock: RingBuffer,
  run: number,
  n: number,
  rate: number,
): Promise<PiscinaPaced> {
  await pool.run(run, { name: 'begin' });
  const interval = 1e9 / rate;
  const pending: Array<Promise<void>> = [];
  const startNs = clock.now() + LEAD_NS;
  let maxLateNs = 0;
  for (let i = 0; i < n;) {
    const t = clock.now();
    const scheduled = startNs + i * interval;
    if (t < scheduled) {
      await turn();
      continue;
    }
    if (t - scheduled > maxLateNs) maxLateNs = t - scheduled;
    // submit every event already due (a late producer catches up, as the other pacers do)
    for (; i < n && startNs + i * interval <= t; i++)
      pending.push(pool.run(startNs + i * interval, { name: 'stages' }) as Promise<void>);
  }
  await Promise.all(pending);
  const r = (await pool.run(null, { name: 'collect' })) as {
    run: number;
    count: number;
    histogram: string;
    lastFinishNs: number;
    mismatches: number;
    cpu: number | null;
    timeOrigin: number;
  };
  if (r.run !== run || r.count !== n || r.mismatches !== 0)
    throw new Error(`pipeline (piscina) run ${run}: ${r.count} events, ${r.mismatches} wrong results, expected ${n}`);
  return {
    encoded: r.histogram,
    startNs,
    lastFinishNs: r.lastFinishNs,
    maxLateNs,
    cpu: r.cpu,
    sameClock: r.timeOrigin === performance.timeOrigin,
  };
}
