/**
 * The benchmark harness runs end to end: `one-to-one --quick --json` prints exactly one JSON
 * report of the documented shape with every figure a positive finite number (no speed
 * threshold: the machine is shared), text mode prints the table, and an unknown scenario lists
 * the available ones and exits with code 2.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../bench/main.js', import.meta.url));

function bench(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertPositiveFinite(value: unknown, what: string): asserts value is number {
  assert.equal(typeof value, 'number', `${what} is a number`);
  assert.ok(
    Number.isFinite(value as number) && (value as number) > 0,
    `${what} is a positive finite number, got ${String(value)}`,
  );
}

describe('bench harness', () => {
  it('should print exactly one JSON report for one-to-one --quick --json', () => {
    const r = bench('one-to-one', '--quick', '--json');
    assert.equal(r.status, 0, `exit status (stderr: ${r.stderr})`);
    const text = r.stdout.trim();
    assert.ok(!text.includes('\n'), `one line of JSON on stdout, got: ${text.slice(0, 500)}`);
    const report = JSON.parse(text) as Record<string, unknown>;
    assert.equal(report.scenario, 'one-to-one');

    const baseline = report.baseline as { name: unknown; eventsPerSec: unknown };
    assert.equal(baseline.name, 'postMessage');
    assertPositiveFinite(baseline.eventsPerSec, 'baseline.eventsPerSec');

    const results = report.results as Array<{ name: unknown; eventsPerSec: unknown; ratioVsBaseline: unknown }>;
    assert.ok(Array.isArray(results) && results.length >= 3, 'per-event, publishWith and batch results');
    const names = results.map((x) => x.name);
    assert.equal(new Set(names).size, names.length, `result names are unique: ${names.join(', ')}`);
    for (const x of results) {
      assert.equal(typeof x.name, 'string');
      assertPositiveFinite(x.eventsPerSec, `${String(x.name)}.eventsPerSec`);
      assertPositiveFinite(x.ratioVsBaseline, `${String(x.name)}.ratioVsBaseline`);
      const ratio = x.eventsPerSec / baseline.eventsPerSec;
      assert.ok(
        Math.abs(x.ratioVsBaseline - ratio) <= 1e-9 * ratio,
        `${String(x.name)}: ratio ${x.ratioVsBaseline} = eventsPerSec / baseline (${ratio})`,
      );
    }
    assert.ok(
      names.some((n) => /batch/.test(String(n))) && names.some((n) => /per-event/.test(String(n))),
      `batch and per-event variants: ${names.join(', ')}`,
    );

    // the peers (ringbuf.js per event, batched, and batched moving the ring's whole 24-byte slot
    // per event; piscina run() per event) and the machine's limit (raw SPSC copy), with each ring
    // variant's ratio to the like-for-like ones and to piscina
    const peers = report.peers as Array<{ name: string; eventsPerSec: unknown }>;
    const limits = report.limits as Array<{ name: string; eventsPerSec: unknown }>;
    assert.deepEqual(
      peers.map((p) => p.name),
      ['ringbuf.js per-event', 'ringbuf.js batch', 'ringbuf.js batch, 24-byte events', 'piscina run() per event'],
    );
    assert.deepEqual(
      limits.map((p) => p.name),
      ['raw SPSC per-event', 'raw SPSC batch'],
    );
    for (const c of [...peers, ...limits]) assertPositiveFinite(c.eventsPerSec, `${c.name}.eventsPerSec`);
    const rate = (name: string): number => [...peers, ...limits].find((c) => c.name === name)!.eventsPerSec as number;
    for (const x of results as unknown as Array<{
      name: string;
      eventsPerSec: number;
      ratios: Record<string, number>;
    }>) {
      const mode = /batch/.test(x.name) ? 'batch' : 'per-event';
      const like = [`ringbuf.js ${mode}`, `raw SPSC ${mode}`, 'piscina run() per event'];
      if (mode === 'batch') like.push('ringbuf.js batch, 24-byte events');
      assert.deepEqual(Object.keys(x.ratios).sort(), ['postMessage', ...like].sort());
      for (const c of like) {
        const expected = x.eventsPerSec / rate(c);
        assert.ok(
          Math.abs(x.ratios[c]! - expected) <= 1e-9 * expected,
          `${x.name} vs ${c}: ${x.ratios[c]} = ${expected}`,
        );
      }
    }

    const machine = report.machine as Record<string, unknown>;
    assert.equal(machine.node, process.version);
    // the bench runs on this machine: it must report this machine's CPUs, not just some number
    assert.equal(machine.cpus, cpus().length, 'machine.cpus');
    assert.equal(machine.availableParallelism, availableParallelism(), 'machine.availableParallelism');
    assert.equal(typeof machine.cpuModel, 'string');
    assert.equal(typeof machine.os, 'string');
    assertPositiveFinite(machine.totalMemoryBytes, 'machine.totalMemoryBytes');

    const placement = report.placement as {
      threads: Array<{ role: string; thread: string; wait: string; cpu: number | null }>;
      pinned: boolean;
    };
    assert.deepEqual(
      placement.threads.map((t) => t.role),
      ['producer', 'consumer', 'consumer (peers, limit)', 'consumer (piscina)'],
    );
    for (const t of placement.threads) {
      assert.equal(typeof t.thread, 'string');
      assert.match(t.wait, t.role === 'consumer (piscina)' ? /Atomics\.wait/ : /busy-spin/);
      assert.ok(
        t.cpu === null || (Number.isInteger(t.cpu) && t.cpu >= 0 && t.cpu < cpus().length),
        `cpu of ${t.role}: ${t.cpu} (a CPU of this machine)`,
      );
    }
    assert.equal(typeof placement.pinned, 'boolean');
  });

  it('should print a table with ratios against the postMessage baseline in text mode', () => {
    const r = bench('one-to-one', '--quick');
    assert.equal(r.status, 0, `exit status (stderr: ${r.stderr})`);
    assert.match(r.stdout, /postMessage \(baseline\)/);
    assert.match(r.stdout, /ring batch\s+[\d.]+ [Mk]?\/s\s+[\d.]+×/);
    assert.match(r.stdout, /placement: producer: main/);
  });

  it('should list the available scenarios and exit with code 2 for an unknown one', () => {
    const r = bench('no-such-scenario', '--json');
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /unknown scenario "no-such-scenario"/);
    assert.match(r.stderr, /available scenarios: .*one-to-one/);
  });
});
