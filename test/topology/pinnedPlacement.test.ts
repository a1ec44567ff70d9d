/**
 * Placement through the bus: a worker given `cpu` is pinned and its handler runs on that CPU for
 * every event. The CPUs are the first and the last this process may use (never hard-coded). Those
 * tests need the native addon: when it is not loaded (no C++ tool chain, or RINGBUS_NATIVE=off)
 * they are replaced by a check of the fallback, and the output says so. Without the addon
 * (RINGBUS_NATIVE=0 in a child process) the bus still runs and reports pinning as off.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { defineEvent, RingBus } from '../../src/index.js';
import { currentThreadAffinity, nativeStatus } from '../../src/native/index.js';

const NATIVE = nativeStatus();
/** The first and the last CPU this thread may use (one CPU if it may use only one). */
const CPUS = ((): number[] => {
  const mine = NATIVE.loaded ? (currentThreadAffinity() ?? []) : [];
  return [...new Set([mine[0], mine[mine.length - 1]].filter((c): c is number => c !== undefined))];
})();

const Ev = defineEvent('Where', { v: 'u32' });
const WHERE = new URL('./fixtures/whereAmI.js', import.meta.url);

async function runPinned(cpu: number): Promise<{ placement: ReturnType<RingBus['placement']>; cells: Int32Array }> {
  const cells = new Int32Array(new SharedArrayBuffer(12));
  const bus = new RingBus({ event: Ev, capacity: 256, workers: { pinned: { cpu } } });
  bus.handleEventsWith(bus.handler('where', WHERE, { worker: 'pinned', options: { cells: cells.buffer } }));
  await bus.start();
  for (let i = 0; i < 20_000; i++) {
    bus.publishEvent({ v: i });
    if ((i & 1023) === 0) await new Promise((resolve) => setImmediate(resolve)); // let the OS move threads if it would
  }
  await bus.drain();
  const placement = bus.placement();
  await bus.shutdown();
  return { placement, cells };
}

describe('pinned placement', () => {
  if (!NATIVE.loaded)
    it('should run a worker given a CPU unpinned, naming why, when the addon is not loaded (pinning tests gated off)', async (t) => {
      t.diagnostic(`native addon not loaded (${NATIVE.reason}): the pinned-CPU tests are replaced by this check`);
      const cpu = availableParallelism() - 1;
      const { placement, cells } = await runPinned(cpu);
      const w = placement.workers.find((x) => x.name === 'pinned')!;
      assert.equal(w.pinned, false);
      assert.ok(w.pinReason && w.pinReason.length > 0, 'the report says why the worker is not pinned');
      assert.equal(cells[0], 20_000, 'every event still ran');
    });
  for (const cpu of NATIVE.loaded ? CPUS : []) {
    it(`should run a worker pinned to CPU ${cpu} on that CPU for every event`, async () => {
      const { placement, cells } = await runPinned(cpu);
      const w = placement.workers.find((x) => x.name === 'pinned')!;
      assert.equal(w.pinned, true, `not pinned: ${w.pinReason}`);
      assert.deepEqual(w.cpus, [cpu]);
      assert.equal(cells[0], 20_000);
      assert.equal(cells[2], cpu, 'first event ran elsewhere');
      assert.equal(cells[1], 0, `${cells[1]} events ran on another CPU`);
    });
  }

  it('should run unpinned, and say so, without the native addon', () => {
    const script = `import('${new URL('../../src/index.js', import.meta.url).href}').then(async ({ RingBus, defineEvent }) => {
      const bus = new RingBus({ event: defineEvent('Where', { v: 'u32' }), capacity: 64, workers: { pinned: { cpu: ${availableParallelism() - 1} } } });
      bus.handleEventsWith(bus.handler('where', '${WHERE.href}', { worker: 'pinned', options: { cells: new SharedArrayBuffer(12) } }));
      await bus.start();
      for (let i = 0; i < 100; i++) bus.publishEvent({ v: i });
      await bus.drain();
      const p = bus.placement();
      await bus.shutdown();
      console.log(JSON.stringify(p));
    });`;
    const out = execFileSync(process.execPath, ['--input-type=module', '--no-warnings', '-e', script], {
      env: { ...process.env, RINGBUS_NATIVE: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const p = JSON.parse(out.trim().split('\n').pop()!) as {
      workers: { name: string; pinned: boolean; pinReason: string | null }[];
      warnings: string[];
    };
    const w = p.workers.find((x) => x.name === 'pinned')!;
    assert.equal(w.pinned, false);
    assert.match(w.pinReason ?? '', /pinning is off/);
    assert.ok(p.warnings.some((x) => /pinning requested but off/.test(x)));
  });
});
