/**
 * The addon's allocation-free clock: it reads the same monotonic clock as process.hrtime, and
 * ring timestamps taken with it agree with performance.now()-based ones; without the addon
 * (RINGBUS_NATIVE=0) stamping falls back to performance.now().
 */
import { it } from 'node:test';
import { describeWithAddon } from '../helpers/nativeGate.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { installNativeClock, loadNativeAddon } from '../../src/native/index.js';
import { clockCalibration } from '../../src/core/clock.js';
import { RingBuffer, defineEvent, nativeClockInstalled } from '../../src/index.js';

describeWithAddon('native clock', () => {
  it('should write the monotonic clock into the bound cell, between two hrtime readings', () => {
    const addon = loadNativeAddon();
    assert.ok(addon, 'the addon is built by npm install on this machine');
    const cell = new Float64Array(1);
    addon.bindClock!(cell);
    for (let i = 0; i < 1000; i++) {
      const before = Number(process.hrtime.bigint());
      addon.clockTick!();
      const after = Number(process.hrtime.bigint());
      assert.ok(
        cell[0]! >= before - 1000 && cell[0]! <= after + 1000,
        `clock ${cell[0]} outside [${before}, ${after}]`,
      );
    }
    // the cell is per thread: give it back to ringbus's clock
    assert.equal(installNativeClock(), true);
  });

  it('should stamp events with the native clock on the same timeline as performance.now()', () => {
    assert.equal(nativeClockInstalled(), true);
    const calibration = clockCalibration()!;
    const ring = new RingBuffer({ capacity: 8, event: defineEvent('Clocked', { v: 'u8' }) });
    // the slack is what this machine's calibration and float64 arithmetic allow, nothing more: half
    // the calibration window, plus the rounding of sums near timeOrigin (ms since 1970) on both sides
    const ulpNs = 2 ** (Math.floor(Math.log2(performance.timeOrigin + performance.now())) - 52) * 1e6;
    const slack = calibration.windowNs / 2 + 4 * ulpNs;
    for (let i = 0; i < 100; i++) {
      const before = (performance.now() + performance.timeOrigin - ring.epochMs) * 1e6;
      const seq = ring.publishEvent({ v: 1 });
      const after = (performance.now() + performance.timeOrigin - ring.epochMs) * 1e6;
      const ts = ring.get(seq).$timestamp;
      assert.ok(
        ts >= before - slack && ts <= after + slack,
        `stamp ${ts} outside [${before}, ${after}] ± ${slack} ns (calibration window ${calibration.windowNs} ns)`,
      );
    }
  });

  it('should fall back to performance.now() stamps without the addon', () => {
    const script = `import('${new URL('../../src/index.js', import.meta.url).href}').then(({ RingBuffer, defineEvent, nativeClockInstalled }) => {
      const ring = new RingBuffer({ capacity: 8, event: defineEvent('Clocked', { v: 'u8' }) });
      const seq = ring.publishEvent({ v: 1 });
      console.log(JSON.stringify({ native: nativeClockInstalled(), ts: ring.get(seq).$timestamp }));
    });`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, RINGBUS_NATIVE: '0' },
      encoding: 'utf8',
    });
    const r = JSON.parse(out.trim()) as { native: boolean; ts: number };
    assert.equal(r.native, false);
    assert.ok(r.ts > 0 && Number.isFinite(r.ts));
  });
});
