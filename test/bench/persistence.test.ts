/**
 * The persistence benchmarks run end to end: `journal --quick --json` and `order-matching --quick
 * --json` each print exactly one JSON report of the BenchReport shape, every figure in it is a
 * positive finite number, ratios are what they claim to be (row ÷ the row it names), and the
 * variants the scenarios promise are there. No speed thresholds: the machine is shared.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../bench/main.js', import.meta.url));

interface Row {
  name: string;
  eventsPerSec: number;
  ratioVsBaseline?: number;
  latencyNs?: Record<string, number>;
  events?: number;
  reps?: number;
  detail?: string;
  extra: Record<string, unknown>;
}

interface Report {
  scenario: string;
  results: Row[];
  baseline: Row;
  machine: Record<string, unknown>;
  placement: {
    threads: Array<{ role: string; thread: string; cpu: number | null; wait: string }>;
    pinned: boolean;
    note: string | null;
  };
  notes?: string[];
  quick?: boolean;
}

function benchJson(scenario: string): Report {
  const r = spawnSync(process.execPath, [main, scenario, '--quick', '--json'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${scenario} exit status ${r.status} (stderr: ${r.stderr})`);
  const text = r.stdout.trim();
  assert.ok(text.length > 0 && !text.includes('\n'), `one line of JSON on stdout, got: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Report;
}

/** Every number anywhere under `value` is positive and finite. Returns how many were checked. */
function assertFiguresPositive(value: unknown, path: string): number {
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value) && value > 0, `${path} is a positive finite number, got ${value}`);
    return 1;
  }
  if (Array.isArray(value)) return value.reduce((n: number, v, i) => n + assertFiguresPositive(v, `${path}[${i}]`), 0);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).reduce((n, [k, v]) => n + assertFiguresPositive(v, `${path}.${k}`), 0);
  return 0;
}

function assertCommonShape(report: Report, scenario: string): void {
  assert.equal(report.scenario, scenario);
  assert.equal(report.quick, true);
  assert.ok(Array.isArray(report.results) && report.results.length > 0, 'results');
  const names = report.results.map((r) => r.name);
  assert.equal(
    new Set([...names, report.baseline.name]).size,
    names.length + 1,
    `row names are unique: ${names.join(' | ')}`,
  );
  for (const row of [...report.results, report.baseline]) {
    assert.equal(typeof row.name, 'string');
    assert.equal(typeof row.eventsPerSec, 'number', `${row.name}.eventsPerSec`);
    assert.equal(typeof row.extra, 'object', `${row.name}.extra`);
  }
  assert.ok(assertFiguresPositive(report.results, 'results') > report.results.length * 2);
  assert.ok(assertFiguresPositive(report.baseline, 'baseline') >= 3);
  assert.equal(report.machine.node, process.version);
  // the bench runs on this machine: it must report this machine's CPUs, not just some number
  assert.equal(report.machine.cpus, cpus().length, 'machine.cpus');
  assert.equal(report.machine.availableParallelism, availableParallelism(), 'machine.availableParallelism');
  assert.equal(typeof report.machine.cpuModel, 'string');
  assert.ok(typeof report.machine.loadAverage1m === 'number' && Number.isFinite(report.machine.loadAverage1m));
  assert.ok(report.placement.threads.length >= 2, 'placement lists the threads');
  for (const t of report.placement.threads) {
    assert.equal(typeof t.role, 'string');
    assert.equal(typeof t.thread, 'string');
    assert.equal(typeof t.wait, 'string');
    assert.ok(t.cpu === null || (Number.isInteger(t.cpu) && t.cpu >= 0 && t.cpu < cpus().length), `cpu ${t.cpu}`);
  }
  assert.equal(typeof report.placement.pinned, 'boolean');
}

function assertRatio(row: Row, against: Row): void {
  const want = row.eventsPerSec / against.eventsPerSec;
  assert.ok(
    row.ratioVsBaseline !== undefined && Math.abs(row.ratioVsBaseline - want) <= 1e-9 * want,
    `${row.name}: ratio ${row.ratioVsBaseline} = eventsPerSec ÷ ${against.name} (${want})`,
  );
}

describe('persistence benchmarks', () => {
  it('should report journal append, read and recovery against NDJSON as one JSON object', () => {
    const report = benchJson('journal');
    assertCommonShape(report, 'journal');
    const rows = new Map([...report.results, report.baseline].map((r) => [r.name, r]));
    assert.match(report.baseline.name, /ndjson read/);
    assert.equal(report.baseline.extra.operation, 'read');

    for (const row of report.results) {
      assert.ok(
        ['append', 'read', 'recovery'].includes(row.extra.operation as string),
        `${row.name}: operation ${String(row.extra.operation)}`,
      );
      if (row.extra.vs === undefined) {
        assert.match(row.name, /^ndjson/, `${row.name}: only NDJSON rows have no ratio`);
        assert.equal(row.ratioVsBaseline, undefined);
        continue;
      }
      const against = rows.get(row.extra.vs as string);
      assert.ok(against, `${row.name}: its baseline row ${String(row.extra.vs)} is in the report`);
      assert.equal(
        against.extra.operation,
        row.extra.operation,
        `${row.name} compares with a row of the same operation`,
      );
      assertRatio(row, against);
    }

    const appends = report.results.filter((r) => r.extra.operation === 'append');
    const cadences = appends
      .filter((r) => r.name.startsWith('journal'))
      .map((r) => `${String(r.extra.fsync)}/${String(r.extra.commitEvery)}`);
    assert.deepEqual(cadences, ['none/64', 'none/1024', 'batch/1', 'batch/64', 'batch/1024', '{ everyMs: 5 }/64']);
    for (const r of appends) {
      assert.equal(typeof r.extra.mbPerSec, 'number', `${r.name}: MB/s`);
      assert.equal(typeof r.extra.bytesPerEvent, 'number', `${r.name}: bytes per event`);
    }
    assert.equal(appends.filter((r) => r.name.startsWith('ndjson')).length, 6, 'an NDJSON row per cadence');
    assert.ok(
      report.results.some((r) => r.extra.operation === 'read' && /CRC32C checked/.test(r.name)),
      'journal read with CRC',
    );

    const recovery = report.results.filter((r) => r.extra.operation === 'recovery');
    const scratch = recovery.find((r) => /from scratch \(RingBus\)/.test(r.name));
    const snap = recovery.find((r) => /snapshot \+ tail/.test(r.name));
    assert.ok(
      scratch && snap && recovery.some((r) => /^ndjson replay/.test(r.name)),
      `recovery rows: ${recovery.map((r) => r.name).join(', ')}`,
    );
    for (const r of [scratch, snap]) {
      for (const k of ['totalMs', 'replayed', 'msPerMillion', 'startMs', 'replayMs', 'replayMsPerMillion'])
        assert.equal(typeof r.extra[k], 'number', `${r.name}.extra.${k}`);
      const perMillion = (r.extra.totalMs as number) / ((r.extra.replayed as number) / 1e6);
      assert.ok(
        Math.abs((r.extra.msPerMillion as number) - perMillion) <= 1e-9 * perMillion,
        `${r.name}: msPerMillion = totalMs per million replayed`,
      );
    }
    assert.equal(typeof snap.extra.snapshotSequence, 'number');
    assert.ok(
      (snap.extra.replayed as number) < (scratch.extra.replayed as number),
      'a snapshot leaves a shorter tail to replay',
    );
  });

  it('should report the order-matching bus, the single-thread bound and the postMessage baselines as one JSON object', () => {
    const report = benchJson('order-matching');
    assertCommonShape(report, 'order-matching');
    assert.match(report.baseline.name, /postMessage, one message per command/);
    const bus = report.results.filter((r) => r.name.startsWith('bus'));
    assert.deepEqual(
      bus.filter((r) => !/paced/.test(r.name)).map((r) => r.name),
      ["bus, fsync 'batch', split", "bus, fsync 'none', split", "bus, fsync 'batch', shared"],
    );
    assert.ok(
      bus.some((r) => /paced/.test(r.name)),
      'paced rows',
    );
    for (const r of bus) {
      assert.ok(r.latencyNs, `${r.name}: latency`);
      for (const k of ['p50', 'p99', 'p999', 'max'])
        assert.equal(typeof r.latencyNs[k], 'number', `${r.name}.latencyNs.${k}`);
      const stages = r.extra.stages as Record<
        string,
        { worker: string; batchP50: number; latencyNs: Record<string, number> }
      >;
      assert.deepEqual(Object.keys(stages).sort(), ['ack', 'journal', 'matching', 'portfolio', 'risk']);
      for (const [name, s] of Object.entries(stages)) {
        assert.equal(typeof s.worker, 'string', `${name}: worker`);
        assert.equal(typeof s.latencyNs.p99, 'number', `${name}: p99`);
      }
      assert.equal(
        stages.journal!.worker,
        /shared/.test(r.name) ? 'engine' : 'journal',
        `${r.name}: the journal's worker`,
      );
      assert.match(r.extra.placement as string, /producer on the main thread/);
      if (/'batch'/.test(r.name)) {
        const j = r.extra.journal as { syncs: number; groupSize: { count: number } };
        assert.ok(j.syncs > 0 && j.groupSize.count === j.syncs, `${r.name}: journal syncs and groups`);
      }
      if (/paced/.test(r.name)) assert.equal(r.ratioVsBaseline, undefined, 'a paced row has no throughput ratio');
      else {
        assertRatio(r, report.baseline);
        const batched = report.results.find((x) => /postMessage, \d+ commands per message/.test(x.name))!;
        const want = r.eventsPerSec / batched.eventsPerSec;
        assert.ok(
          Math.abs((r.extra.ratioVsBatchedPostMessage as number) - want) <= 1e-9 * want,
          `${r.name}: ratio vs batched postMessage`,
        );
      }
    }
    for (const name of ['single thread, no bus, no journal', 'postMessage, 512 commands per message']) {
      const row = report.results.find((r) => r.name === name);
      assert.ok(row, `${name} row`);
      assertRatio(row, report.baseline);
    }
  });
});
