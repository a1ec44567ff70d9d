/**
 * A small, fast, seeded pseudo-random generator (mulberry32) for randomized and concurrency
 * tests: the same seed gives the same sequence on every machine, so a failing run can be replayed
 * with `RINGBUS_SEED=<seed>`. Not for cryptography. Allocation-free after creation.
 */

/** A seeded generator. */
export interface Prng {
  /** The seed it was created with (print it so a run can be replayed). */
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [lo, hi], both ends included. */
  int(lo: number, hi: number): number;
}

/** Creates a mulberry32 generator from a 32-bit seed (other numbers are reduced to their low 32 bits). */
export function createPrng(seed: number): Prng {
  const start = seed >>> 0;
  let state = start;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed: start,
    next,
    int(lo: number, hi: number): number {
      return lo + Math.floor(next() * (hi - lo + 1));
    },
  };
}

/**
 * The seed to use: `RINGBUS_SEED` from the environment when set (decimal or 0x-hex), otherwise
 * `defaultSeed`. Throws when RINGBUS_SEED is set but is not an integer.
 */
export function seedFromEnv(defaultSeed: number): number {
  const raw = process.env.RINGBUS_SEED;
  if (raw === undefined || raw.trim() === '') return defaultSeed >>> 0;
  const value = Number(raw.trim());
  if (!Number.isInteger(value))
    throw new Error(`RINGBUS_SEED must be an integer (decimal or 0x hex), got ${JSON.stringify(raw)}`);
  return value >>> 0;
}

/** A seed that differs from run to run (time and pid mixed), for tests that explore new schedules each run. */
export function freshSeed(): number {
  return (
    (Math.imul(Date.now() >>> 0, 0x9e3779b1) ^
      Math.imul(process.pid, 0x85ebca6b) ^
      Math.floor(performance.now() * 1000)) >>>
    0
  );
}

/**
 * A seed for one named part of a run (e.g. one test), derived from the run's seed: each part
 * replays from the run's seed alone, whichever other parts run or in which order.
 */
export function deriveSeed(seed: number, label: string): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}
