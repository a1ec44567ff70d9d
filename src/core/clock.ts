/**
 * The clock that stamps events: nanoseconds on this thread's performance.now() timeline.
 *
 * Without help, `performance.now()` returns a freshly boxed number on every call (16 bytes per
 * stamped event, ~40 ns). When the native addon is loaded, `setClockSource` installs its clock:
 * `tick()` writes the monotonic clock (the same clock performance.now() reads) into a
 * Float64Array cell, so stamping allocates nothing; a calibration taken at install maps it onto
 * the performance.now() timeline. Core stays free of `node:` imports: the native layer installs it.
 */
export interface ClockSource {
  /** Writes the monotonic clock, in ns, into `cell[0]`. Allocates nothing. */
  tick(): void;
  readonly cell: Float64Array;
  /** The same clock, returned (used once, for calibration). */
  nowNs(): number;
}

let tick: (() => void) | null = null;
let cell: Float64Array = new Float64Array(1);
/** performance.now() in ns minus the native clock, measured at install. */
let calibrationNs = 0;
/** Width of the native-clock window the calibrating performance.now() reading fell in: its uncertainty. */
let calibrationWindowNs = 0;

/** Installs (or with null removes) the native clock for this thread. */
export function setClockSource(source: ClockSource | null): void {
  if (source === null) {
    tick = null;
    return;
  }
  // take the tightest of a few paired readings
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < 5; i++) {
    const before = source.nowNs();
    const perf = performance.now() * 1e6;
    const after = source.nowNs();
    if (after - before < best) {
      best = after - before;
      offset = perf - (before + after) / 2;
    }
  }
  cell = source.cell;
  tick = source.tick;
  calibrationNs = offset;
  calibrationWindowNs = best;
}

/**
 * The native clock's calibration (null without it): the offset onto the performance.now()
 * timeline and the width of the window it was read in; the offset is off by at most half of it.
 */
export function clockCalibration(): { offsetNs: number; windowNs: number } | null {
  return tick === null ? null : { offsetNs: calibrationNs, windowNs: calibrationWindowNs };
}

/** Whether stamping uses the native, allocation-free clock in this thread. */
export function nativeClockInstalled(): boolean {
  return tick !== null;
}

/** This thread's performance.now() in ns. Allocation-free with the native clock. */
export function nowNs(): number {
  if (tick !== null) {
    tick();
    return cell[0]! + calibrationNs;
  }
  return performance.now() * 1e6;
}

/**
 * Writes this thread's clock in ns plus `out[1]` (an offset the caller keeps there) into `out[0]`.
 * A double returned from a call V8 does not inline is boxed (16 bytes); this one returns nothing
 * and takes the offset from the array, so stamping through it is allocation-free with the native
 * clock whatever the JIT inlines (nowNs() is only when inlined).
 */
export function stampInto(out: Float64Array): void {
  if (tick !== null) {
    tick();
    out[0] = cell[0]! + calibrationNs + out[1]!;
    return;
  }
  out[0] = performance.now() * 1e6 + out[1]!;
}
