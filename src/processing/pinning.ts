import { currentCpu, installNativeClock, installNativeYield, pinCurrentThread } from '../native/index.js';
import type { PlacementResult } from '../runtime/protocol.js';

/**
 * Places the calling worker thread: installs the native sched_yield for the wait strategies
 * (when the addon is there) and pins to `cpus` when asked. Never throws for a missing addon:
 * the result says pinning is off and why.
 */
export async function pinForWorker(cpus: readonly number[] | null): Promise<PlacementResult> {
  installNativeYield();
  installNativeClock();
  if (cpus === null) return { cpus: null, pinned: false, reason: null, currentCpu: currentCpu() };
  const r = pinCurrentThread(cpus);
  return { cpus, pinned: r.pinned, reason: r.reason, currentCpu: currentCpu() };
}
