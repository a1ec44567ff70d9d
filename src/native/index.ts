/**
 * The optional native addon (CPU pinning, current CPU, sched_yield) and its pure-JS fallback.
 */
export { loadNativeAddon, nativeStatus, nativeAddonPath, type NativeAddon, type NativeStatus } from './NativeAddon.js';
export {
  pinCurrentThread,
  currentCpu,
  currentThreadAffinity,
  installNativeYield,
  installNativeClock,
  validateCpus,
  cpuIndexLimit,
  PINNING_OFF_WARNING,
  type PinResult,
} from './pinning.js';
