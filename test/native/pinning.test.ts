/**
 * CPU pinning with the real native addon (npm install builds it; so does
 * `node scripts/build-native.mjs`). When it is not loaded (no tool chain, or RINGBUS_NATIVE=off)
 * these suites are gated off and replaced by a fallback check that says so in the output
 * (test/helpers/nativeGate.ts); fallback.test.ts covers the fallback in full, with no build.
 *
 * Worker threads run one at a time (never more busy threads than the 2 cores).
 */
import { it } from 'node:test';
import { describeWithAddon } from '../helpers/nativeGate.js';
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  currentCpu,
  currentThreadAffinity,
  loadNativeAddon,
  nativeStatus,
  pinCurrentThread,
  type NativeAddon,
} from '../../src/native/index.js';
import { startWorker } from '../helpers/workers.js';
import type { PinWorkerData, PinWorkerResult } from './fixtures/pinWorker.js';
import { kernelAffinity, parseCpuList } from './procStatus.js';

const WORKER = new URL('./fixtures/pinWorker.js', import.meta.url);
const EXPECTED_ADDON = fileURLToPath(new URL('../../../native/build/Release/ringbus_native.node', import.meta.url));
const ITERATIONS = 1500;

function requireAddon(): NativeAddon {
  const addon = loadNativeAddon();
  const status = nativeStatus();
  assert.ok(
    addon !== null && status.loaded,
    `the native addon must be built for these tests (run: node scripts/build-native.mjs): ${status.reason}`,
  );
  return addon;
}

/** The CPUs the main thread may use; the tests pin workers to the last and the first of them. */
function mainCpus(): number[] {
  const cpus = requireAddon().getAffinity();
  assert.ok(
    cpus.length >= 2,
    `these tests need at least 2 CPUs to choose from, the main thread may use ${JSON.stringify(cpus)}`,
  );
  return cpus;
}

async function runPinned(cpus: number[] | null): Promise<{ worker: Worker; result: PinWorkerResult }> {
  const data: PinWorkerData = { cpus, iterations: ITERATIONS };
  const { worker, result } = startWorker<PinWorkerResult>(WORKER, data, `pinWorker(${JSON.stringify(cpus)})`);
  return { worker, result: await result };
}

async function release(worker: Worker): Promise<void> {
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  worker.postMessage('release');
  assert.equal(await exited, 0);
}

describeWithAddon('native addon: loading', () => {
  it('should load the addon built into native/build/Release, compiled with real support on Linux', () => {
    const addon = requireAddon();
    assert.equal(nativeStatus().path, EXPECTED_ADDON);
    assert.equal(nativeStatus().reason, null);
    assert.equal(addon.supported, true);
    assert.equal(loadNativeAddon(), addon, 'memoised: the same instance every call');
  });

  it('should report the main thread as the thread whose id is the process id, on a CPU it may use', () => {
    const addon = requireAddon();
    assert.equal(addon.threadId(), process.pid);
    const affinity = currentThreadAffinity();
    assert.deepEqual(affinity, kernelAffinity(process.pid));
    assert.ok(affinity!.includes(currentCpu()), `currentCpu() ${currentCpu()} is not in ${JSON.stringify(affinity)}`);
  });
});

describeWithAddon('native addon: pinning worker threads', () => {
  for (const which of ['last', 'first'] as const) {
    it(`should keep a worker pinned to the ${which} CPU on that CPU through busy work, sleeps and yields`, async () => {
      const cpus = mainCpus();
      const target = which === 'last' ? cpus[cpus.length - 1]! : cpus[0]!;
      const { worker, result } = await runPinned([target]);
      try {
        assert.equal(result.loaded, true, `addon not loaded in the worker: ${result.reason}`);
        assert.deepEqual(result.pin, { pinned: true, reason: null });
        assert.deepEqual(result.affinityBefore, cpus, "a new worker starts with the main thread's CPUs");
        assert.deepEqual(result.affinityAfter, [target]);
        assert.equal(result.unknownCpu, 0);
        const expected = new Array<number>(result.seen.length).fill(0);
        expected[target] = ITERATIONS;
        assert.deepEqual(
          result.seen,
          expected,
          `after each of ${ITERATIONS} rounds the worker must be on CPU ${target}`,
        );
        assert.equal(result.yieldInstalled, true);
        assert.notEqual(result.tid, process.pid);
        assert.deepEqual(kernelAffinity(result.tid), [target], 'the kernel agrees the worker thread is pinned');
      } finally {
        await release(worker);
      }
    });
  }

  it('should leave the main thread and threads started later unpinned when a worker pins itself', async () => {
    const addon = requireAddon();
    const before = mainCpus();
    const kernelBefore = kernelAffinity(process.pid);
    const pinned = await runPinned([before[0]!]);
    try {
      assert.deepEqual(pinned.result.pin, { pinned: true, reason: null });
      assert.deepEqual(kernelAffinity(pinned.result.tid), [before[0]]);
      assert.deepEqual(addon.getAffinity(), before, 'main thread affinity (addon) unchanged');
      assert.deepEqual(kernelAffinity(process.pid), kernelBefore, 'main thread affinity (kernel) unchanged');
      const plain = await runPinned(null);
      try {
        assert.equal(plain.result.pin, null);
        assert.deepEqual(
          plain.result.affinityAfter,
          before,
          "a later worker inherits the main thread's CPUs, not the pinned worker's",
        );
        assert.deepEqual(kernelAffinity(plain.result.tid), before);
      } finally {
        await release(plain.worker);
      }
    } finally {
      await release(pinned.worker);
    }
  });

  it('should answer false with the errno when the kernel refuses a pin, and keep the affinity', () => {
    const addon = requireAddon();
    const before = addon.getAffinity();
    // a CPU index this machine does not have: the kernel finds no usable CPU in the mask
    assert.equal(addon.pinToCpus([65535]), false);
    assert.equal(addon.lastError(), constants.errno.EINVAL);
    assert.match(addon.errorMessage(addon.lastError()), /invalid argument/i);
    assert.deepEqual(addon.getAffinity(), before);
    assert.deepEqual(kernelAffinity(process.pid), before);
    assert.equal(addon.lastError(), 0, 'a successful call clears lastError');
  });

  it('should reject malformed CPU lists in the addon itself with TypeError / RangeError', () => {
    const addon = requireAddon();
    assert.throws(() => addon.pinToCpus('1' as unknown as number[]), TypeError);
    assert.throws(() => addon.pinToCpus([]), RangeError);
    assert.throws(() => addon.pinToCpus([-1]), /cpus\[0\] must be an integer/);
    assert.throws(() => addon.pinToCpus([0, 0.5]), /cpus\[1\] must be an integer/);
    assert.throws(() => addon.pinToCpus([65536]), RangeError);
  });

  it('should pin the main thread through pinCurrentThread and restore it', () => {
    const before = mainCpus();
    try {
      assert.deepEqual(pinCurrentThread([before[before.length - 1]!]), { pinned: true, reason: null });
      assert.deepEqual(kernelAffinity(process.pid), [before[before.length - 1]]);
      assert.equal(currentCpu(), before[before.length - 1]);
    } finally {
      assert.deepEqual(pinCurrentThread(before), { pinned: true, reason: null });
    }
    assert.deepEqual(kernelAffinity(process.pid), before);
  });

  it('should read kernel CPU lists the way /proc writes them (the independent check used above)', () => {
    assert.deepEqual(parseCpuList('0-2,5,7-8\n'), [0, 1, 2, 5, 7, 8]);
    assert.deepEqual(parseCpuList('3'), [3]);
  });
});
