import { availableParallelism } from 'node:os';
import { cpuIndexLimit } from '../native/index.js';
import { RingbusRangeError, RingbusTypeError, show } from '../errors.js';
import { isSpinning } from '../core/createWaitStrategy.js';
import type { WaitStrategyOptions } from '../core/WaitStrategy.js';
import type { ResourceLimits } from 'node:worker_threads';
import type { PlacementResult } from '../runtime/protocol.js';

/** Options of one named worker thread. */
export interface WorkerOptions {
  /** CPU (or CPUs) to pin the worker to; needs the native addon (else reported as not pinned). */
  cpu?: number | readonly number[];
  /** Wait strategy of this worker's handlers (default: the bus's). */
  waitStrategy?: WaitStrategyOptions | WaitStrategyOptions['type'];
  /** V8 heap limits for the worker (e.g. to contain a leaking handler). */
  resourceLimits?: ResourceLimits;
}

/** Where everything runs; printed with every benchmark figure. */
export interface PlacementReport {
  readonly cores: number;
  readonly producer: string;
  readonly workers: ReadonlyArray<{
    readonly name: string;
    readonly handlers: readonly string[];
    readonly waitStrategy: string;
    readonly cpus: readonly number[] | null;
    readonly pinned: boolean;
    readonly pinReason: string | null;
    readonly currentCpu: number;
  }>;
  /** How each thread's wait strategy was chosen (see waitChoice.ts). */
  readonly waits: string;
  readonly warnings: readonly string[];
}

export function normaliseCpus(worker: string, cpu: WorkerOptions['cpu']): number[] | null {
  if (cpu === undefined) return null;
  const list = typeof cpu === 'number' ? [cpu] : Array.isArray(cpu) ? [...cpu] : null;
  // every CPU of the system, not just this thread's affinity (which shrinks once the thread is pinned)
  const max = cpuIndexLimit() - 1;
  if (!list || list.length === 0 || list.some((c) => !Number.isInteger(c) || c < 0 || c > max)) {
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `workers.${worker}.cpu must be a CPU index or a non-empty list of them in [0, ${max}], got ${show(cpu)}`,
    );
  }
  return list;
}

/** Spinning strategies occupy a core while waiting (the wait-strategy registry says which). */
export { isSpinning };

/** Builds the placement report and its warnings (e.g. more spinning threads than cores). */
export function placementReport(
  workers: ReadonlyArray<{
    name: string;
    handlers: readonly string[];
    waitStrategy: WaitStrategyOptions;
    placement: PlacementResult | null;
  }>,
  producer: string,
  producerSpins: boolean,
  waits: string,
): PlacementReport {
  const cores = availableParallelism();
  const warnings: string[] = [];
  const spinners = workers.filter((w) => isSpinning(w.waitStrategy)).length + (producerSpins ? 1 : 0);
  if (spinners > cores)
    warnings.push(
      `${spinners} threads spin (busy-spin/yielding) on ${cores} cores: expect poor latency; use 'phased' or 'blocking', or fewer workers`,
    );
  const unpinned = workers.filter((w) => w.placement?.cpus && !w.placement.pinned);
  if (unpinned.length > 0)
    warnings.push(
      `pinning requested but off for ${unpinned.map((w) => w.name).join(', ')}: ${unpinned[0]!.placement!.reason}`,
    );
  return {
    cores,
    producer,
    waits,
    workers: workers.map((w) => ({
      name: w.name,
      handlers: w.handlers,
      waitStrategy: w.waitStrategy.type,
      cpus: w.placement?.cpus ?? null,
      pinned: w.placement?.pinned ?? false,
      pinReason: w.placement?.reason ?? null,
      currentCpu: w.placement?.currentCpu ?? -1,
    })),
    warnings,
  };
}

export function checkWorkerOptions(name: string, o: unknown): asserts o is WorkerOptions {
  if (typeof o !== 'object' || o === null)
    throw new RingbusTypeError('RINGBUS_ERR_INVALID_OPTION', `workers.${name} must be an object, got ${show(o)}`);
}
