/**
 * The pure-JS fallback (no native addon) and the validation of CPU lists. Independent of the
 * native build: the fallback runs in child processes with RINGBUS_NATIVE=0 or an addon path
 * that does not work.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RingbusRangeError, RingbusTypeError } from '../../src/errors.js';
import { cpuIndexLimit, pinCurrentThread, PINNING_OFF_WARNING } from '../../src/native/index.js';
import type { FallbackChildReport } from './fixtures/fallbackChild.js';

const CHILD = fileURLToPath(new URL('./fixtures/fallbackChild.js', import.meta.url));

function runChild(env: Record<string, string>): { report: FallbackChildReport; stderr: string } {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('RINGBUS_NATIVE' in env)) delete childEnv.RINGBUS_NATIVE;
  if (!('RINGBUS_NATIVE_PATH' in env)) delete childEnv.RINGBUS_NATIVE_PATH;
  const r = spawnSync(process.execPath, [CHILD], { env: childEnv, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `child exited with ${r.status} (signal ${r.signal}); stderr:\n${r.stderr}`);
  return { report: JSON.parse(r.stdout) as FallbackChildReport, stderr: r.stderr };
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** What every fallback run must show, whatever made the addon unavailable. */
function assertFallback({ report, stderr }: ReturnType<typeof runChild>, reasonPattern: RegExp): void {
  assert.equal(report.status.loaded, false);
  assert.match(report.status.reason ?? '', reasonPattern);
  assert.equal(report.pins.length, 3);
  for (const pin of report.pins) {
    assert.equal(pin.pinned, false);
    assert.match(pin.reason ?? '', /CPU pinning is off/);
    assert.match(pin.reason ?? '', reasonPattern);
  }
  assert.equal(report.warnings, 1, 'one RINGBUS_PINNING_OFF warning on the main thread for three pin requests');
  assert.equal(report.consumer.warnings, 1, 'one warning on the worker thread for its two pin requests');
  assert.equal(count(stderr, PINNING_OFF_WARNING), 2, `exactly one printed warning per thread; stderr:\n${stderr}`);
  assert.equal(report.cpu, -1);
  assert.equal(report.affinity, null);
  assert.equal(report.yieldInstalled, false);
  assert.equal(
    report.consumer.pins.every((p) => !p.pinned && p.reason !== null),
    true,
  );
  assert.equal(report.consumer.consumed, 200, 'every event of the round trip arrived');
  assert.equal(report.consumer.sum, report.expectedSum);
}

describe('native fallback (no addon)', () => {
  it('should run unpinned with RINGBUS_NATIVE=0, warn once per thread, and still move events through a ring', () => {
    const run = runChild({ RINGBUS_NATIVE: '0' });
    assertFallback(run, /disabled by RINGBUS_NATIVE=0/);
    assert.equal(run.report.status.path, null);
  });

  it('should fall back when RINGBUS_NATIVE_PATH names a missing file, naming the path', () => {
    const missing = join(tmpdir(), 'ringbus-no-such-dir', 'ringbus_native.node');
    const run = runChild({ RINGBUS_NATIVE_PATH: missing });
    assertFallback(run, /native addon not found at .*ringbus-no-such-dir/);
    assert.equal(run.report.status.path, missing);
  });

  it("should fall back when the addon file cannot be loaded, with the loader's error", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-native-'));
    try {
      const bogus = join(dir, 'ringbus_native.node');
      writeFileSync(bogus, 'this is not a shared object\n');
      const run = runChild({ RINGBUS_NATIVE_PATH: bogus });
      assertFallback(run, /failed to load/);
      assert.equal(run.report.status.path, bogus);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pinCurrentThread validation', () => {
  const limit = cpuIndexLimit();

  function rejects(cpus: unknown, cls: typeof RingbusRangeError | typeof RingbusTypeError, shown: string): void {
    assert.throws(
      () => pinCurrentThread(cpus as number[]),
      (err: unknown) => {
        assert.ok(err instanceof cls, `expected ${cls.name} for ${shown}, got ${String(err)}`);
        assert.equal((err as RingbusRangeError).code, 'RINGBUS_ERR_INVALID_OPTION');
        assert.ok(
          (err as Error).message.includes(shown),
          `message ${JSON.stringify((err as Error).message)} should name ${shown}`,
        );
        return true;
      },
    );
  }

  it('should count at least the CPUs node reports as available', () => {
    assert.ok(
      limit >= availableParallelism(),
      `cpuIndexLimit() ${limit} < availableParallelism() ${availableParallelism()}`,
    );
  });

  it('should reject an empty list, negative, fractional, NaN and too-large CPU indices with a RangeError naming the value', () => {
    rejects([], RingbusRangeError, '[]');
    rejects([-1], RingbusRangeError, '-1');
    rejects([0, 1.5], RingbusRangeError, '1.5');
    rejects([Number.NaN], RingbusRangeError, 'NaN');
    rejects([limit], RingbusRangeError, String(limit));
    rejects([0, limit + 7], RingbusRangeError, String(limit + 7));
  });

  it('should reject a non-array and non-number entries with a TypeError naming the value', () => {
    rejects('1', RingbusTypeError, '"1"');
    rejects(null, RingbusTypeError, 'null');
    rejects(undefined, RingbusTypeError, 'undefined');
    rejects(3, RingbusTypeError, '3');
    rejects(['1'], RingbusTypeError, '"1"');
  });
});
