/**
 * Thread placement on top of the optional native addon: pin the calling thread to CPUs, read
 * the CPU it runs on, and install the addon's sched_yield as the wait strategies' yield.
 *
 * Without the addon (not built, unsupported platform, or RINGBUS_NATIVE=0) nothing fails:
 * `pinCurrentThread` answers `{ pinned: false, reason }` and warns once per thread
 * (process warning code RINGBUS_PINNING_OFF), `currentCpu()` answers -1, and the bus keeps
 * its pure-JS yield.
 */
import { availableParallelism, constants, cpus as osCpus } from 'node:os';
import { setYieldFunction } from '../core/WaitStrategy.js';
import { setClockSource } from '../core/clock.js';
import { RingbusRangeError, RingbusTypeError, show } from '../errors.js';
import { loadNativeAddon, nativeStatus } from './NativeAddon.js';

/** Code of the process warning emitted (once per thread) when pinning is asked for but off. */
export const PINNING_OFF_WARNING = 'RINGBUS_PINNING_OFF';

/** Outcome of a pinning request. */
export interface PinResult {
  readonly pinned: boolean;
  /** Why the thread is not pinned; null when it is. */
  readonly reason: string | null;
}

let warned = false;
let cpuLimit = 0;

/**
 * Number of CPU indices a pin request may name. Counts the CPUs configured in the system, not
 * only this thread's current affinity: os.availableParallelism() shrinks once a thread (or the
 * thread that spawned it) is pinned, and must not forbid re-pinning elsewhere.
 */
export function cpuIndexLimit(): number {
  if (cpuLimit === 0) {
    const addon = loadNativeAddon();
    cpuLimit = Math.max(availableParallelism(), osCpus().length, addon ? addon.cpuCount() : 1);
  }
  return cpuLimit;
}

/**
 * Checks a CPU list: a non-empty array of integers in [0, cpuIndexLimit() - 1]. Throws
 * RingbusTypeError / RingbusRangeError with code RINGBUS_ERR_INVALID_OPTION naming the value.
 */
export function validateCpus(cpus: unknown, name = 'cpus'): asserts cpus is readonly number[] {
  if (!Array.isArray(cpus)) {
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `${name} must be an array of CPU indices, got ${show(cpus)}`,
    );
  }
  const limit = cpuIndexLimit();
  if (cpus.length === 0) {
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `${name} must name at least one CPU in [0, ${limit - 1}], got []`,
    );
  }
  for (let i = 0; i < cpus.length; i++) {
    const cpu: unknown = cpus[i];
    if (typeof cpu !== 'number') {
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `${name}[${i}] must be a CPU index (integer), got ${show(cpu)} in ${show(cpus)}`,
      );
    }
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= limit) {
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `${name}[${i}] must be an integer in [0, ${limit - 1}] (this machine has ${limit} CPUs), got ${show(cpu)} in ${show(cpus)}`,
      );
    }
  }
}

function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(constants.errno)) if (value === errno) return name;
  return `errno ${errno}`;
}

function pinningOff(reason: string): PinResult {
  if (!warned) {
    warned = true;
    process.emitWarning(`ringbus: ${reason}; threads run unpinned`, {
      code: PINNING_OFF_WARNING,
      type: 'RingbusWarning',
    });
  }
  return { pinned: false, reason };
}

/**
 * Restricts the CALLING thread (not the process) to `cpus`. Threads it starts afterwards inherit
 * the restriction. Throws only for invalid `cpus`; every other failure is `{ pinned: false, reason }`:
 * without the addon (warned once per thread) or when the kernel refuses (e.g. a CPU outside the
 * container's cpuset), with the errno in the reason.
 */
export function pinCurrentThread(cpus: readonly number[]): PinResult {
  validateCpus(cpus);
  const addon = loadNativeAddon();
  if (addon === null) return pinningOff(`CPU pinning is off: ${nativeStatus().reason}`);
  if (!addon.supported) return pinningOff(`CPU pinning is off: unsupported on ${process.platform}`);
  if (addon.pinToCpus(cpus)) return { pinned: true, reason: null };
  const errno = addon.lastError();
  return {
    pinned: false,
    reason: `sched_setaffinity(${show(cpus)}) failed: ${errnoName(errno)} (${addon.errorMessage(errno)})`,
  };
}

/** CPUs the calling thread may run on, or null without the addon. Allocates. */
export function currentThreadAffinity(): number[] | null {
  const addon = loadNativeAddon();
  return addon !== null && addon.supported ? addon.getAffinity() : null;
}

/** The CPU the calling thread runs on now, -1 when unknown. Allocates nothing. */
export function currentCpu(): number {
  const addon = loadNativeAddon();
  return addon === null ? -1 : addon.currentCpu();
}

/**
 * Makes the wait strategies yield with the addon's sched_yield in this thread; returns whether
 * it did (false without the addon: the pure-JS nap stays).
 */
export function installNativeYield(): boolean {
  const addon = loadNativeAddon();
  if (addon === null) return false;
  setYieldFunction(addon.yieldThread);
  return true;
}

/**
 * Makes event stamping in this thread use the addon's monotonic clock, written into a
 * Float64Array (no allocation per stamp; performance.now() boxes a number per call). Returns
 * whether it did (false without the addon, or with an older build that lacks the clock).
 */
export function installNativeClock(): boolean {
  const addon = loadNativeAddon();
  if (
    addon === null ||
    typeof addon.bindClock !== 'function' ||
    typeof addon.clockTick !== 'function' ||
    typeof addon.clockNs !== 'function'
  )
    return false;
  const cell = new Float64Array(1);
  addon.bindClock(cell);
  const tick = addon.clockTick;
  const now = addon.clockNs;
  setClockSource({ tick: () => tick(), cell, nowNs: () => now() });
  return true;
}
