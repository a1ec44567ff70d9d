/**
 * Loader for the optional native addon (native/ → native/build/Release/ringbus_native.node,
 * built by the package's install script). The bus never needs it: without it CPU pinning is off,
 * `currentCpu()` answers -1 and yielding falls back to a short nap (see pinning.ts).
 *
 * Environment:
 *   RINGBUS_NATIVE=0          never load the addon (force the pure-JS fallback)
 *   RINGBUS_NATIVE_PATH=file  load the addon from this file instead of the package's build
 *
 * Thread-safety: every thread (main or worker) loads its own instance; the result is memoised
 * per thread, so only the first call does any work.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The functions the addon exports (native/src/ringbus_native.cc). All act on the calling thread. */
export interface NativeAddon {
  /** Restricts the calling thread to `cpus`; false on failure, with the errno in `lastError()`. */
  pinToCpus(cpus: readonly number[]): boolean;
  /** CPUs the calling thread may run on, ascending ([] on failure). Allocates. */
  getAffinity(): number[];
  /** CPU the calling thread runs on now (sched_getcpu), -1 when unknown. */
  currentCpu(): number;
  /** Gives the CPU away once (sched_yield). */
  yieldThread(): void;
  /** Kernel thread id of the calling thread (gettid), -1 when unknown. */
  threadId(): number;
  /** CPUs configured in the system, whatever this thread's affinity. */
  cpuCount(): number;
  /** errno of this thread's last failed pinToCpus / getAffinity (0: none). */
  lastError(): number;
  /** strerror text for an errno. */
  errorMessage(errno: number): string;
  /** Remembers `cell` as this thread's target of clockTick() (one per thread: installNativeClock owns it). */
  bindClock?(cell: Float64Array): void;
  /** cell[0] = the steady (monotonic) clock in ns; allocates nothing in JS. */
  clockTick?(): void;
  /** The same clock, returned (calibration only). */
  clockNs?(): number;
  /** False where the addon was compiled as stubs (platforms other than Linux). */
  readonly supported: boolean;
}

/** Whether the addon is loaded in this thread, why not, and from where. */
export interface NativeStatus {
  readonly loaded: boolean;
  /** Why the addon is not loaded; null when it is. */
  readonly reason: string | null;
  /** The .node file loaded or looked for; null when loading was disabled. */
  readonly path: string | null;
}

const ADDON_RELATIVE_PATH = join('native', 'build', 'Release', 'ringbus_native.node');

let addon: NativeAddon | null = null;
let status: NativeStatus | null = null;

/**
 * The package root: the nearest folder above this module that holds a package.json. Works from
 * src/native (run from source), dist/src/native (built) and node_modules/ringbus/dist/src/native.
 */
function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(here, '..', '..');
  }
}

/** The .node file this thread loads (RINGBUS_NATIVE_PATH or the package's build output). */
export function nativeAddonPath(): string {
  const override = process.env.RINGBUS_NATIVE_PATH;
  return override ? resolve(override) : join(packageRoot(), ADDON_RELATIVE_PATH);
}

function load(): NativeStatus {
  const flag = process.env.RINGBUS_NATIVE;
  if (flag !== undefined && (flag === '0' || flag.toLowerCase() === 'false' || flag.toLowerCase() === 'off')) {
    return { loaded: false, reason: `disabled by RINGBUS_NATIVE=${flag}`, path: null };
  }
  const path = nativeAddonPath();
  if (!existsSync(path)) {
    return {
      loaded: false,
      reason: `native addon not found at ${path} (build it with: node scripts/build-native.mjs)`,
      path,
    };
  }
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
    if (typeof addon.pinToCpus !== 'function' || typeof addon.currentCpu !== 'function') {
      addon = null;
      return { loaded: false, reason: `${path} is not the ringbus native addon`, path };
    }
    return { loaded: true, reason: null, path };
  } catch (err) {
    addon = null;
    return {
      loaded: false,
      reason: `native addon at ${path} failed to load: ${err instanceof Error ? err.message : String(err)}`,
      path,
    };
  }
}

/** The addon for this thread, or null (memoised: only the first call looks for it). */
export function loadNativeAddon(): NativeAddon | null {
  if (status === null) status = Object.freeze(load());
  return addon;
}

/** Whether the addon is loaded in this thread (loads it on first call). */
export function nativeStatus(): NativeStatus {
  loadNativeAddon();
  return status!;
}
