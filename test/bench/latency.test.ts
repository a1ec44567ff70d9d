/**
 * The latency scenarios run end to end: `ping-pong --quick --json` and `pipeline --quick --json`
 * each print exactly one JSON report of the documented shape, every figure a positive finite
 * number with p50 ≤ p99 ≤ max, ratios consistent with the figures they compare, and a
 * placement. No speed thresholds: the machine is shared.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeHistogram } from '../../src/metrics/histograms.js';

const main = fileURLToPath(new URL('../../bench/main.js', import.meta.url));

type Json = Record<string, unknown>;

function benchJson(scenario: string): Json {
  const r = spawnSync(process.execPath, [main, scenario, '--quick', '--json'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${scenario} exit status ${r.status} (stderr: ${r.stderr})`);
  const text = r.stdout.trim();
  assert.ok(text.length > 0 && !text.includes('\n'), `one line of JSON on stdout, got: ${text.slice(0, 500)}`);
  const report = JSON.parse(text) as Json;
  assert.equal(report.scenario, scenario);
  assert.equal(report.quick, true);
  return report;
}

function assertPositiveFinite(value: unknown, what: string): asserts value is number {
  assert.equal(typeof value, 'number', `${what} is a number, got ${String(value)}`);
  assert.ok(
    Number.isFinite(value as number) && (value as number) > 0,
    `${what} is a positive finite number, got ${String(value)}`,
  );
}

/** A latency summary: every percentile positive and finite, in order, ending at max. */
function assertLatency(l: unknown, what: string): Json {
  assert.ok(l !== null && typeof l === 'object', `${what} is an object`);
  const s = l as Json;
  for (const k of ['p50', 'p90', 'p99', 'p999', 'p9999', 'max', 'count']) assertPositiveFinite(s[k], `${what}.${k}`);
  const [p50, p90, p99, p999, p9999, max] = ['p50', 'p90', 'p99', 'p999', 'p9999', 'max'].map((k) => s[k] as number);
  assert.ok(
    p50! <= p90! && p90! <= p99! && p99! <= p999! && p999! <= p9999! && p9999! <= max!,
    `${what}: p50 ≤ p90 ≤ p99 ≤ p99.9 ≤ p99.99 ≤ max, got ${JSON.stringify(s)}`,
  );
  return s;
}

/** A result: a unique name, a latency summary, a rate; ratios against `against` when present. */
function assertResult(r: unknown, what: string, against?: Json): Json {
  assert.ok(r !== null && typeof r === 'object', `${what} is an object`);
  const x = r as Json;
  assert.equal(typeof x.name, 'string', `${what}.name`);
  const l = assertLatency(x.latencyNs, `${what}.latencyNs`);
  assertPositiveFinite(x.eventsPerSec, `${what}.eventsPerSec`);
  if (against) {
    const b = against.latencyNs as Json;
    const ratios = x.ratiosVsBaseline as Json;
    assertPositiveFinite(x.ratioVsBaseline, `${what}.ratioVsBaseline`);
    assertPositiveFinite(ratios?.p50, `${what}.ratiosVsBaseline.p50`);
    assertPositiveFinite(ratios?.p99, `${what}.ratiosVsBaseline.p99`);
    const p50 = (b.p50 as number) / (l.p50 as number);
    const p99 = (b.p99 as number) / (l.p99 as number);
    assert.ok(
      Math.abs((ratios.p50 as number) - p50) <= 1e-9 * p50,
      `${what}: p50 ratio ${String(ratios.p50)} = baseline p50 / p50 (${p50})`,
    );
    assert.ok(
      Math.abs((ratios.p99 as number) - p99) <= 1e-9 * p99,
      `${what}: p99 ratio ${String(ratios.p99)} = baseline p99 / p99 (${p99})`,
    );
    assert.equal(x.ratioVsBaseline, ratios.p50, `${what}: ratioVsBaseline is the p50 ratio`);
  }
  return x;
}

/** The result carries its full histogram (same count as its summary) and what the hiccup sampler saw. */
function assertHistogramAndHiccups(x: Json): void {
  assert.equal(typeof x.histogram, 'string', `${String(x.name)}.histogram`);
  const h = decodeHistogram(x.histogram as string);
  assert.equal(h.totalCount, (x.latencyNs as Json).count, `${String(x.name)}: histogram count = summary count`);
  const hic = x.hiccups as Json;
  assertPositiveFinite(hic?.sampledMs, `${String(x.name)}.hiccups.sampledMs`);
  for (const k of ['gapsOver10us', 'maxGapNs', 'lostPercent'])
    assert.ok(
      typeof hic[k] === 'number' && (hic[k] as number) >= 0,
      `${String(x.name)}.hiccups.${k} ≥ 0, got ${String(hic[k])}`,
    );
}

function assertMachineAndPlacement(report: Json, roles: readonly string[]): void {
  const machine = report.machine as Json;
  assert.equal(machine.node, process.version);
  // the bench runs on this machine: it must report this machine's CPUs, not just some number
  assert.equal(machine.cpus, cpus().length, 'machine.cpus');
  assert.equal(machine.availableParallelism, availableParallelism(), 'machine.availableParallelism');
  assert.equal(typeof machine.loadAverage1m, 'number');
  const placement = report.placement as {
    threads: Array<{ role: string; thread: string; wait: string; cpu: number | null }>;
    pinned: boolean;
    note: string | null;
  };
  assert.deepEqual(
    placement.threads.map((t) => t.role),
    roles,
  );
  for (const t of placement.threads) {
    assert.equal(typeof t.thread, 'string');
    assert.equal(typeof t.wait, 'string');
    assert.ok(
      t.cpu === null || (Number.isInteger(t.cpu) && t.cpu >= 0 && t.cpu < cpus().length),
      `cpu of ${t.role}: ${String(t.cpu)} (a CPU of this machine)`,
    );
  }
  assert.equal(
    placement.pinned,
    placement.threads.every((t) => t.cpu !== null),
    'pinned says whether every thread is pinned',
  );
  if (!placement.pinned) assert.equal(typeof placement.note, 'string', 'an unpinned run says why');
}

function assertClock(report: Json): void {
  const h = report.hiccups as Json;
  assertPositiveFinite(h?.sampledMs, 'hiccups.sampledMs');
  for (const k of ['gapsOver10us', 'gapsOver100us', 'gapsOver1ms', 'maxGapNs', 'lostPercent', 'gcDuringMeter']) {
    assert.ok(
      typeof h[k] === 'number' && Number.isFinite(h[k]) && (h[k] as number) >= 0,
      `hiccups.${k} is a finite number ≥ 0, got ${String(h[k])}`,
    );
  }
  assert.ok(
    (h.gapsOver10us as number) >= (h.gapsOver100us as number) &&
      (h.gapsOver100us as number) >= (h.gapsOver1ms as number),
    'gap counts nest',
  );
  const clock = report.clock as Json;
  assert.match(String(clock.chosen), /^RingBuffer\.now\(\)/);
  assert.equal(typeof clock.nativeClock, 'boolean');
  for (const k of [
    'ringNowCostNs',
    'performanceNowCostNs',
    'hrtimeBigintCostNs',
    'dateNowCostNs',
    'ringNowResolutionNs',
    'performanceNowResolutionNs',
    'hrtimeBigintResolutionNs',
    'backToBackNs',
  ]) {
    assertPositiveFinite(clock[k], `clock.${k}`);
  }
}

describe('bench latency scenarios', () => {
  it('should print one JSON report for ping-pong --quick --json with ordered percentiles and ratios against postMessage', () => {
    const report = benchJson('ping-pong');
    const baseline = assertResult(report.baseline, 'baseline');
    assert.equal(baseline.name, 'postMessage');
    const results = report.results as unknown[];
    assert.ok(Array.isArray(results), 'results is an array');
    const named = results.map((r, i) => assertResult(r, `results[${i}]`, baseline));
    // the '1 CPU' rows run when this machine lets a thread be pinned (both threads on one CPU)
    const pinned = (report.placement as { threads: Array<{ role: string }> }).threads.some(
      (t) => t.role === 'pinger (1 CPU variants)',
    );
    assert.deepEqual(
      named.map((r) => r.name),
      [
        'ring busy-spin',
        'ring yielding',
        'ring phased',
        'RingBus busy-spin',
        ...(pinned ? ['ring busy-spin, 1 CPU', 'ring yielding, 1 CPU', 'ring phased, 1 CPU'] : []),
      ],
    );
    const limits = report.limits as unknown[];
    assert.ok(Array.isArray(limits) && limits.length === 1, 'one limit: the raw Atomics round trip');
    const limit = assertResult(limits[0], 'limits[0]');
    assert.equal(limit.name, 'raw Atomics round trip');
    for (const x of [...named, baseline, limit]) {
      assertHistogramAndHiccups(x);
      if (/, 1 CPU$/.test(String(x.name))) {
        // on one CPU: compared with postMessage only, never with the two-CPU limit
        assert.deepEqual(Object.keys(x.ratios as Json), ['postMessage']);
        assert.match(String(x.detail), /pinger and ponger both @cpu\d/);
      } else if (x !== baseline && x !== limit) {
        const ratios = x.ratios as Json;
        const l = x.latencyNs as Json;
        const expected = ((limit.latencyNs as Json).p50 as number) / (l.p50 as number);
        assert.ok(
          Math.abs((ratios['raw Atomics round trip'] as number) - expected) <= 1e-9 * expected,
          `${String(x.name)}: ratio to the limit = limit p50 / p50 (${expected}), got ${String(ratios['raw Atomics round trip'])}`,
        );
      }
    }
    assertClock(report);
    // the limit is measured like the ring variants: as many round trips, recorded the same way
    assert.equal((limit.latencyNs as Json).count, (limit.events as number) * (limit.reps as number));
    assert.equal((limit.latencyNs as Json).count, (named[0]!.latencyNs as Json).count);
    const targets = report.targets as { met: Record<string, unknown>; p50OverLimit: number; maxP50OverLimit: number };
    for (const k of ['p50', 'p99', 'ratioP50', 'ratioP99', 'p50OverLimit'])
      assert.equal(typeof targets.met[k], 'boolean', `targets.met.${k}`);
    const overLimit = ((named[0]!.latencyNs as Json).p50 as number) / ((limit.latencyNs as Json).p50 as number);
    assert.ok(Math.abs(targets.p50OverLimit - overLimit) <= 1e-9 * overLimit, 'ring busy-spin p50 ÷ limit p50');
    assert.equal(targets.met.p50OverLimit, overLimit <= targets.maxP50OverLimit);
    assertMachineAndPlacement(report, [
      'pinger',
      'ponger',
      'ponger (RingBus variant)',
      ...(pinned ? ['pinger (1 CPU variants)'] : []),
    ]);
  });

  it('should print one JSON report for pipeline --quick --json with a ring result per wait strategy and offered rate against postMessage and piscina at that rate', () => {
    const report = benchJson('pipeline');
    const baselines = report.baselines as unknown[];
    assert.ok(Array.isArray(baselines) && baselines.length >= 1, 'baselines: the postMessage pipeline at every rate');
    const posts = baselines.map((b, i) => assertResult(b, `baselines[${i}]`));
    assert.deepEqual(report.baseline, posts[0], 'baseline is the postMessage pipeline at the first rate');
    const peers = (report.peers as unknown[]).map((p, i) => assertResult(p, `peers[${i}]`));
    assert.equal(peers.length, posts.length, 'one piscina result per postMessage rate');
    const results = report.results as unknown[];
    const waits = ['busy-spin', 'yielding', 'phased'];
    assert.equal(results.length, waits.length * posts.length, 'one ring result per wait strategy and rate');
    const rings = results.map((r, i) => assertResult(r, `results[${i}]`, posts[i % posts.length]));
    for (let i = 0; i < rings.length; i++) {
      const ring = rings[i]!;
      const post = posts[i % posts.length]!;
      const pool = peers[i % posts.length]!;
      const wait = waits[Math.floor(i / posts.length)]!;
      assertPositiveFinite(ring.offeredPerSec, `results[${i}].offeredPerSec`);
      assert.equal(ring.offeredPerSec, post.offeredPerSec, 'ring and postMessage compared at the same offered rate');
      assert.equal(pool.offeredPerSec, post.offeredPerSec, 'piscina at the same offered rate');
      assert.equal(ring.name, `ring ${wait} @${String(post.name).split('@')[1]}`);
      assert.match(String(ring.detail), new RegExp(`waiting ${wait}`));
      assert.match(String(post.name), /^postMessage @/);
      assert.match(String(pool.name), /^piscina @/);
      const ratios = ring.ratios as Record<string, number>;
      const vsPool = ((pool.latencyNs as Json).p50 as number) / ((ring.latencyNs as Json).p50 as number);
      assert.ok(Math.abs(ratios[pool.name as string]! - vsPool) <= 1e-9 * vsPool, `${String(ring.name)} vs piscina`);
      assertLatency(ring.uncorrectedLatencyNs, `results[${i}].uncorrectedLatencyNs`);
      for (const x of [ring, post, pool])
        assert.ok(
          typeof x.producerMaxLateNs === 'number' && (x.producerMaxLateNs as number) >= 0,
          `${String(x.name)}.producerMaxLateNs`,
        );
      for (const x of [ring, post, pool]) {
        const p99s = x.p99ByRunNs as unknown[];
        assert.ok(Array.isArray(p99s) && p99s.length === x.reps, `${String(x.name)}: one p99 per run`);
        p99s.forEach((v, k) => assertPositiveFinite(v, `${String(x.name)}.p99ByRunNs[${k}]`));
      }
      for (const x of [ring, post, pool]) assertHistogramAndHiccups(x);
      for (const x of [ring, post, pool])
        assert.equal(
          (x.latencyNs as Json).count,
          (x.events as number) * (x.reps as number),
          `${String(x.name)}: every event of every run recorded`,
        );
    }
    const offered = posts.map((r) => r.offeredPerSec as number);
    assert.deepEqual(
      [...offered].sort((a, b) => a - b),
      offered,
      'rates ascending',
    );
    assert.equal(new Set(offered).size, offered.length, 'distinct rates');
    assert.match(String(report.coordinatedOmission), /scheduled/i);
    assertClock(report);
    assertMachineAndPlacement(report, [
      'producer',
      'stages a → b → c (ring busy-spin)',
      'stages a → b → c (ring yielding)',
      'stages a → b → c (ring phased)',
      'stages a → b → c (postMessage)',
      'stages a → b → c (piscina)',
    ]);
  });
});
