/**
 * `order-book --quick --json` runs the example's book and nodejs-order-book through the same
 * insert, match and cancel phases (the scenario checks every taker fills and every cancel finds
 * its order, and exits non-zero otherwise) and reports each phase against the peer's same phase.
 * No speed thresholds.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../bench/main.js', import.meta.url));

interface Row {
  name: string;
  eventsPerSec: number;
  events: number;
  ratioVsBaseline?: number;
  ratios?: Record<string, number>;
}

describe('bench order-book scenario', () => {
  it('should compare insert, match and cancel with nodejs-order-book phase by phase', () => {
    const r = spawnSync(process.execPath, [main, 'order-book', '--quick', '--events', '700', '--reps', '1', '--json'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, `exit status (stderr: ${r.stderr})`);
    const report = JSON.parse(r.stdout) as { results: Row[]; baselines: Row[]; baseline: Row };
    assert.deepEqual(
      report.results.map((x) => x.name),
      ['book insert', 'book match', 'book cancel'],
    );
    assert.deepEqual(
      report.baselines.map((x) => x.name),
      ['nodejs-order-book insert', 'nodejs-order-book match', 'nodejs-order-book cancel'],
    );
    assert.deepEqual(report.baseline, report.baselines[0]);
    report.results.forEach((x, i) => {
      const peer = report.baselines[i]!;
      assert.equal(x.events, 700);
      assert.equal(peer.events, 700);
      assert.ok(x.eventsPerSec > 0 && peer.eventsPerSec > 0);
      const expected = x.eventsPerSec / peer.eventsPerSec;
      assert.ok(Math.abs(x.ratioVsBaseline! - expected) <= 1e-9 * expected, `${x.name}: ratio to ${peer.name}`);
      assert.deepEqual(Object.keys(x.ratios!), [peer.name]);
    });
  });
});
