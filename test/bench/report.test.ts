/**
 * `--out DIR` end to end, drawn in a real browser: a tiny run of ping-pong (latency) and
 * one-to-one (throughput) writes report.json (both reports), one .hgrm per latency result (the
 * HdrHistogram percentile-distribution format, its total count equal to the result's) and
 * report.html; headless Chromium (Debian's `chromium`, installed by .ci/run) loads the page from
 * disk, runs its inline script and dumps the DOM, which must hold the latency plot with one
 * series per latency result on the percentile axis (90%, 99%, 99.9%…) and the throughput bars of
 * the ring variants, the peer and the limit. No figures are judged (the machine is shared).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseCommand, UsageError } from '../../bench/lib/options.js';
import { withRatios, type BenchReport } from '../../bench/lib/report.js';
import { slug } from '../../bench/lib/outputs.js';
import { renderMarkdown, targetRows } from '../../bench/lib/markdown.js';

const main = fileURLToPath(new URL('../../bench/main.js', import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? 'chromium';

interface Row {
  name: string;
  latencyNs?: { count: number; p50: number };
  eventsPerSec?: number;
}
type Report = { scenario: string; results: Row[]; baseline: Row; peers?: Row[]; limits?: Row[] };

/** Attributes of every `<tag …>` whose class list has `cls`, in document order. */
function elements(dom: string, tag: string, cls: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const m of dom.matchAll(new RegExp(`<${tag}\\s([^>]*)>`, 'g'))) {
    const attrs: Record<string, string> = {};
    for (const a of m[1]!.matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    if ((attrs.class ?? '').split(/\s+/).includes(cls)) out.push(attrs);
  }
  return out;
}

/** The part of the DOM inside the first <svg …> with class `cls` and data-scenario `scenario`. */
function svgOf(dom: string, cls: string, scenario: string): string {
  const start = dom.search(new RegExp(`<svg [^>]*class="${cls}"[^>]*data-scenario="${scenario}"`));
  assert.ok(start >= 0, `an <svg class="${cls}"> for ${scenario} in the drawn page`);
  return dom.slice(start, dom.indexOf('</svg>', start));
}

describe('bench reports', () => {
  let dir = '';
  let run: { status: number | null; stdout: string; stderr: string };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ringbus-bench-out-'));
    const args = ['ping-pong', 'one-to-one', '--quick', '--events', '2000', '--reps', '1', '--json', '--out', dir];
    const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 240_000 });
    run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should print a JSON array for several scenarios and show progress on stderr', () => {
    assert.equal(run.status, 0, `exit status (stderr: ${run.stderr})`);
    const reports = JSON.parse(run.stdout) as Report[];
    assert.deepEqual(
      reports.map((r) => r.scenario),
      ['ping-pong', 'one-to-one'],
    );
    assert.match(run.stderr, /\[1\/2\] ping-pong/);
    assert.match(run.stderr, /\[2\/2\] one-to-one done in/);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')), reports, 'report.json = stdout');
  });

  it('should write one .hgrm percentile distribution per latency result, with its total count', () => {
    const [pingPong] = JSON.parse(run.stdout) as Report[];
    const rows = [...pingPong!.results, ...(pingPong!.limits ?? []), pingPong!.baseline];
    const files = readdirSync(dir).filter((f) => f.endsWith('.hgrm'));
    assert.deepEqual(files.sort(), rows.map((r) => `ping-pong--${slug(r.name)}.hgrm`).sort());
    for (const r of rows) {
      const text = readFileSync(join(dir, `ping-pong--${slug(r.name)}.hgrm`), 'utf8');
      assert.match(text, /^\s*Value\s+Percentile\s+TotalCount\s+1\/\(1-Percentile\)/);
      const lines = text.split('\n').filter((l) => /^\s*[\d.]+\s+[\d.]+\s+\d+\s+/.test(l));
      assert.ok(lines.length >= 5, `${r.name}: percentile lines`);
      const percentiles = lines.map((l) => Number(l.trim().split(/\s+/)[1]));
      assert.deepEqual(
        [...percentiles].sort((a, b) => a - b),
        percentiles,
        `${r.name}: percentiles ascend`,
      );
      assert.match(text, new RegExp(`Total count\\s*=\\s*${r.latencyNs!.count}\\]`), `${r.name}: total count`);
    }
  });

  it('should draw the latency plot and throughput bars in headless Chromium from the offline HTML', () => {
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i, 'no network resources');
    const r = spawnSync(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', pathToFileURL(join(dir, 'report.html')).href],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.error, undefined, `${CHROMIUM} runs (install Debian's chromium; .ci/run does): ${String(r.error)}`);
    assert.equal(r.status, 0, `chromium exit status (stderr: ${r.stderr.slice(-2000)})`);
    const dom = r.stdout;
    assert.match(dom, /<body[^>]*data-drawn="2"/, 'the inline script drew both scenarios');

    const [pingPong, oneToOne] = JSON.parse(run.stdout) as Report[];
    const latency = svgOf(dom, 'latency-plot', 'ping-pong');
    const series = elements(latency, 'path', 'series');
    const expected = [...pingPong!.results, ...(pingPong!.limits ?? []), pingPong!.baseline].map((x) => x.name);
    assert.deepEqual(
      series.map((s) => s['data-series']),
      expected,
    );
    assert.deepEqual(
      series.map((s) => s['data-role']),
      [...pingPong!.results.map(() => 'ringbus'), 'limit', 'baseline'],
    );
    for (const s of series)
      assert.ok((s.d!.match(/[ML]/g) ?? []).length >= 5, `${s['data-series']}: a drawn line, got d="${s.d}"`);
    const ticks = [...latency.matchAll(/class="x-tick"[^>]*>([^<]*)</g)].map((m) => m[1]);
    for (const t of ['90%', '99%', '99.9%']) assert.ok(ticks.includes(t), `x axis tick ${t}: ${ticks.join(' ')}`);
    const xs = elements(latency, 'text', 'x-tick').map((t) => Number(t.x));
    assert.deepEqual(
      [...xs].sort((a, b) => a - b),
      xs,
      'percentile ticks left to right',
    );
    assert.match(latency, /percentile \(log scale of 1\/\(1-p\)\)/);
    assert.ok(elements(latency, 'text', 'y-tick').length >= 2, 'latency axis ticks');

    const bars = elements(svgOf(dom, 'throughput-plot', 'one-to-one'), 'rect', 'bar');
    const rows = [...oneToOne!.results, ...oneToOne!.peers!, ...oneToOne!.limits!, oneToOne!.baseline];
    assert.deepEqual(
      bars.map((b) => b['data-series']),
      rows.map((x) => x.name),
    );
    assert.deepEqual([...new Set(bars.map((b) => b['data-role']))], ['ringbus', 'peer', 'limit', 'baseline']);
    // bar widths proportional to the rates (1 px at least, rounded to 0.1 px)
    const widest = rows.reduce((m, x, i) => (x.eventsPerSec! > rows[m]!.eventsPerSec! ? i : m), 0);
    const full = Number(bars[widest]!.width);
    for (const [i, b] of bars.entries()) {
      const want = Math.max(1, (full * rows[i]!.eventsPerSec!) / rows[widest]!.eventsPerSec!);
      assert.ok(Math.abs(Number(b.width) - want) <= 0.2, `${b['data-series']}: width ${b.width}, expected ${want}`);
    }
    assert.match(dom, /class="placement"[^>]*>machine: /);
  });

  it('should render docs/benchmarks.md tables and the targets from the same reports', () => {
    const reports = JSON.parse(run.stdout) as BenchReport[];
    const md = renderMarkdown(reports, '2026-01-01T00:00:00Z', 'npm run bench:docs -- x');
    assert.match(md, /^# Benchmarks\n/);
    assert.match(md, /Generated 2026-01-01T00:00:00Z by `npm run bench:docs -- x`/);
    assert.match(md, /Quick smoke run/);
    for (const r of reports) {
      assert.match(md, new RegExp(`\n## ${r.scenario}\n\n\\| variant \\|`));
      for (const x of [...r.results, ...(r.peers ?? []), ...(r.limits ?? []), r.baseline])
        assert.ok(md.includes(`\n| ${x.name}`), `${r.scenario}: a row for ${x.name}`);
    }
    const targets = targetRows(reports);
    const perEvent = targets.find((t) => t[0] === 'one-to-one per-event ≥ 1.3× ringbuf.js')!;
    const ring = reports[1]!.results.find((x) => x.name === 'ring per-event')!;
    assert.equal(perEvent[1], `${ring.ratios!['ringbuf.js per-event']!.toFixed(2)}×`);
    assert.equal(perEvent[2], ring.ratios!['ringbuf.js per-event']! >= 1.3 ? 'yes' : 'no');
    const sameBytes = targets.find((t) =>
      t[0]!.startsWith('one-to-one batch ≥ 1.0× ringbuf.js batch, 24-byte events'),
    )!;
    const batch = reports[1]!.results.find((x) => x.name === 'ring batch')!;
    assert.equal(sameBytes[1], `${batch.ratios!['ringbuf.js batch, 24-byte events']!.toFixed(2)}×`);
    const pp = targets.find((t) => t[0]!.startsWith('ping-pong p50'))!;
    assert.match(pp[1]!, /\(\d+\.\d\d×\)$/);
    assert.deepEqual(
      targets.find((t) => t[0]!.startsWith('pipeline')),
      ['pipeline p99 ≥ 50× lower than postMessage', 'not measured', ''],
    );
  });
});

describe('bench command line and ratios', () => {
  it('should parse several scenarios, --full and --out, and refuse --quick with --full', () => {
    const c = parseCommand(['ping-pong', 'pipeline', '--full', '--out=/tmp/x', '--reps', '2']);
    assert.deepEqual(c.scenarios, ['ping-pong', 'pipeline']);
    assert.equal(c.out, '/tmp/x');
    assert.equal(c.options.full, true);
    assert.equal(c.options.reps, 2);
    assert.deepEqual(parseCommand([]).scenarios, []);
    assert.throws(() => parseCommand(['--quick', '--full']), UsageError);
    assert.throws(() => parseCommand(['--out']), /--out needs a directory/);
  });

  it('should take, per offered rate, the pipeline wait strategy closest to the target', () => {
    const base = { machine: {} as BenchReport['machine'], placement: { threads: [], pinned: true, note: null } };
    const row = (name: string, rate: number, p99: number) => ({
      name,
      offeredPerSec: rate,
      ratiosVsBaseline: { p50: 1, p99 },
    });
    const pipeline = {
      ...base,
      scenario: 'pipeline',
      baseline: { name: 'postMessage @1k/s' },
      results: [
        row('ring busy-spin @1k/s', 1000, 60),
        row('ring busy-spin @2k/s', 2000, 3),
        row('ring yielding @1k/s', 1000, 20),
        row('ring yielding @2k/s', 2000, 7),
      ],
    } as BenchReport;
    const rows = targetRows([pipeline]).filter((t) => t[0]!.startsWith('pipeline'));
    assert.deepEqual(rows, [
      ['pipeline ring busy-spin @1k/s: p99 ≥ 50× lower than postMessage', '60.0×', 'yes'],
      ['pipeline ring yielding @2k/s: p99 ≥ 50× lower than postMessage', '7.0×', 'no'],
    ]);
  });

  it('should compare only like with like and keep ratios a scenario set', () => {
    const base = { machine: {} as BenchReport['machine'], placement: { threads: [], pinned: true, note: null } };
    const lat = (p50: number) => ({ count: 10, mean: p50, p50, p90: p50, p99: p50, p999: p50, p9999: p50, max: p50 });
    const r = withRatios({
      ...base,
      scenario: 'x',
      baseline: { name: 'post', eventsPerSec: 10 },
      peers: [
        { name: 'peer', eventsPerSec: 40 },
        { name: 'lat-peer', latencyNs: lat(100) },
      ],
      limits: [{ name: 'limit', eventsPerSec: 100 }],
      results: [
        { name: 'a', eventsPerSec: 50, against: ['peer'] },
        { name: 'b', latencyNs: lat(50) },
        { name: 'c', eventsPerSec: 20, ratios: { post: 9 } },
      ],
    });
    assert.deepEqual(r.results[0]!.ratios, { post: 5, peer: 1.25 });
    assert.deepEqual(r.results[1]!.ratios, { 'lat-peer': 2 });
    assert.deepEqual(r.results[2]!.ratios, { post: 9 });
  });
});
