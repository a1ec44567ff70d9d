/**
 * The topology throughput scenarios (one-to-three pipeline, diamond, multicast; three-to-one)
 * run end to end in one invocation: a JSON array of four reports, each with the bus per event
 * and batched, the postMessage baseline and the EventEmitter peer, every rate positive and
 * every ratio consistent with the rates it compares. The scenarios themselves check that every
 * stage saw every event once (a failed check exits non-zero). No speed thresholds.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../bench/main.js', import.meta.url));
const SCENARIOS = ['one-to-three-pipeline', 'one-to-three-diamond', 'one-to-three-multicast', 'three-to-one'];

interface Row {
  name: string;
  eventsPerSec: number;
  eventsPerSecMin: number;
  eventsPerSecMax: number;
  events: number;
  ratios?: Record<string, number>;
}

describe('bench topology scenarios', () => {
  it('should report the bus per event and batched against postMessage and EventEmitter for every topology', () => {
    const args = [...SCENARIOS, '--quick', '--events', '3001', '--reps', '1', '--json'];
    const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 240_000 });
    assert.equal(r.status, 0, `exit status (stderr: ${r.stderr})`);
    const reports = JSON.parse(r.stdout) as Array<{
      scenario: string;
      results: Row[];
      baseline: Row;
      peers: Row[];
      placement: { threads: Array<{ role: string }> };
    }>;
    assert.deepEqual(
      reports.map((x) => x.scenario),
      SCENARIOS,
    );
    for (const report of reports) {
      const what = report.scenario;
      assert.deepEqual(
        report.results.map((x) => x.name),
        ['RingBus per-event', 'RingBus batch'],
        what,
      );
      assert.equal(report.baseline.name, 'postMessage', what);
      assert.deepEqual(
        report.peers.map((x) => x.name),
        ['EventEmitter'],
        what,
      );
      for (const x of [...report.results, report.baseline, ...report.peers]) {
        assert.equal(x.events, 3001, `${what} ${x.name}: same event count everywhere`);
        assert.ok(Number.isFinite(x.eventsPerSec) && x.eventsPerSec > 0, `${what} ${x.name}: rate`);
        assert.ok(
          x.eventsPerSecMin <= x.eventsPerSec && x.eventsPerSec <= x.eventsPerSecMax,
          `${what} ${x.name}: min ≤ median ≤ max`,
        );
      }
      for (const x of report.results) {
        for (const c of [report.baseline, report.peers[0]!]) {
          const expected = x.eventsPerSec / c.eventsPerSec;
          assert.ok(Math.abs(x.ratios![c.name]! - expected) <= 1e-9 * expected, `${what} ${x.name} vs ${c.name}`);
        }
      }
      const roles = report.placement.threads.map((t) => t.role);
      assert.ok(
        roles.includes('producer') && roles.some((t) => t.startsWith('handlers')),
        `${what}: ${roles.join(', ')}`,
      );
      if (what === 'three-to-one') assert.ok(roles.includes('producer 2') && roles.includes('producer 3'));
    }
  });
});
