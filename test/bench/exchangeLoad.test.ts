/**
 * The exchange scenario's latency-versus-load steps end to end (`exchange --quick --json`): one
 * row per offered rate, ascending, each with ordered durable-ack percentiles over the orders it
 * published and the hiccups seen meanwhile; at most the last row is saturated, and the notes name
 * where it saturated (or that it never did). No speed thresholds: the machine is shared, so which
 * rate saturates is not asserted, only that the steps stop there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../bench/main.js', import.meta.url));

interface Row {
  name: string;
  eventsPerSec?: number;
  events?: number;
  detail?: string;
  latencyNs?: { count: number; p50: number; p90: number; p99: number; p999: number; p9999: number; max: number };
  hiccups?: { sampledMs: number; lostPercent: number };
}

describe('bench exchange: order matching at stepped offered rates', () => {
  it('should report one latency row per rate, ascending, stopping at the first saturated rate', () => {
    const r = spawnSync(process.execPath, [main, 'exchange', '--quick', '--json'], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(r.status, 0, `exit status ${r.status} (stderr: ${r.stderr})`);
    const report = JSON.parse(r.stdout) as { results: Row[]; notes: string[] };
    const load = report.results.filter((x) => x.name.startsWith('load @'));
    assert.ok(load.length >= 1, `load rows: ${report.results.map((x) => x.name).join(', ')}`);
    const rates = load.map((x) => {
      const m = /^load @([\d.]+)([kM])\/s$/.exec(x.name);
      assert.ok(m, `row name ${x.name}`);
      return Number(m[1]) * (m[2] === 'M' ? 1e6 : 1e3);
    });
    assert.deepEqual(
      rates,
      [...rates].sort((a, b) => a - b),
      'rates ascending',
    );
    assert.equal(new Set(rates).size, rates.length, 'distinct rates');
    load.forEach((x, i) => {
      const l = x.latencyNs!;
      assert.ok(l.count > 0 && l.count === x.events, `${x.name}: every published order measured, once (${l.count})`);
      assert.ok(0 < l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max, x.name);
      assert.ok(typeof x.eventsPerSec === 'number' && x.eventsPerSec > 0, `${x.name}: achieved rate`);
      assert.ok(x.hiccups && x.hiccups.sampledMs > 0, `${x.name}: hiccups sampled`);
      assert.match(x.detail!, /due → durable ack/);
      assert.match(x.detail!, /engine \[exchange, ack/);
      const saturated = /^SATURATED/.test(x.detail!);
      if (i < load.length - 1) assert.ok(!saturated, `${x.name}: only the last row may be saturated`);
    });
    const last = load[load.length - 1]!;
    const note = report.notes.find((n) => n.startsWith('latency versus load'));
    assert.ok(note, 'a note says where it saturates');
    if (/^SATURATED/.test(last.detail!))
      assert.match(note, new RegExp(`saturates at ${last.name.slice('load @'.length).replace(/\//g, '\\/')}`));
    else assert.match(note, /kept up with every rate offered/);
  });
});
