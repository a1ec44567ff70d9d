/** `single-thread --quick --json`: the report's shape and that every figure is a positive finite number (no speed threshold). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../bench/main.js', import.meta.url));

describe('bench single-thread', () => {
  it('should print one JSON report with the ring variants against the EventEmitter baseline', () => {
    const out = execFileSync(process.execPath, [MAIN, 'single-thread', '--quick', '--json'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const r = JSON.parse(out) as {
      scenario: string;
      results: { name: string; eventsPerSec: number; ratioVsBaseline: number }[];
      baseline: { name: string; eventsPerSec: number };
      machine: object;
      placement: object;
    };
    assert.equal(r.scenario, 'single-thread');
    assert.equal(r.baseline.name, 'EventEmitter');
    assert.deepEqual(
      r.results.map((x) => x.name),
      ['ring publishWith + consume', 'ring batch + consume', 'ring publishEvent + consume'],
    );
    for (const x of [...r.results, r.baseline])
      assert.ok(Number.isFinite(x.eventsPerSec) && x.eventsPerSec > 0, `${x.name}: ${x.eventsPerSec}`);
    for (const x of r.results) assert.ok(Math.abs(x.ratioVsBaseline - x.eventsPerSec / r.baseline.eventsPerSec) < 1e-9);
    assert.ok(r.machine && r.placement);
  });
});
