/**
 * What `--out DIR` writes: the reports as JSON (report.json, always an array), one HdrHistogram
 * percentile-distribution file (.hgrm) per result that carries a latency histogram, and a
 * self-contained HTML report (report.html: inline SVG drawn by inline script, no network).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeHistogram } from '../../src/metrics/histograms.js';
import { PLOT_SCRIPT } from './htmlScript.js';
import { placementLine } from './placement.js';
import { machineLine, rowsOf, type BenchReport, type BenchResult, type BenchRole } from './report.js';

/** One plotted latency series: points [1/(1-p), ns] from 0 % up to the max. */
export interface LatencySeries {
  readonly name: string;
  readonly role: BenchRole;
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** One throughput bar. */
export interface ThroughputBar {
  readonly name: string;
  readonly role: BenchRole;
  readonly eventsPerSec: number;
  readonly min?: number;
  readonly max?: number;
}

/** What the HTML page's script draws for one scenario. */
export interface PlotData {
  readonly scenario: string;
  readonly quick: boolean;
  readonly machine: string;
  readonly placement: string;
  readonly latency: readonly LatencySeries[];
  readonly throughput: readonly ThroughputBar[];
}

/** File-name-safe form of a result name: "ring busy-spin @ 10 k/s" → "ring-busy-spin-10-k-s". */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * The latency curve of a result: from its histogram when it has one (a point every 0.05 of a
 * decade of 1/(1-p), up to the resolution its count allows, then the max), else its summary
 * percentiles.
 */
export function latencyPoints(r: BenchResult): Array<[number, number]> {
  const l = r.latencyNs!;
  if (r.histogram) {
    const h = decodeHistogram(r.histogram);
    const pts: Array<[number, number]> = [];
    const decades = Math.log10(Math.max(10, h.totalCount));
    for (let k = 0; k < decades; k += 0.05) {
      const x = 10 ** k;
      pts.push([x, Math.min(h.getValueAtPercentile(100 * (1 - 1 / x)), h.maxValue)]);
    }
    pts.push([10 ** decades, h.maxValue]);
    return pts;
  }
  const pts: Array<[number, number]> = [
    [1, Math.min(l.p50, l.max)],
    [2, l.p50],
    [10, l.p90],
    [100, l.p99],
    [1000, l.p999],
    [10_000, l.p9999],
  ];
  return pts.filter(([x]) => x <= Math.max(10, l.count)).concat([[Math.max(10, l.count, 10_000), l.max]]);
}

/** The plot data of one report. */
export function plotData(report: BenchReport): PlotData {
  const rows = rowsOf(report);
  return {
    scenario: report.scenario,
    quick: report.quick === true,
    machine: machineLine(report.machine),
    placement: placementLine(report.placement),
    latency: rows
      .filter(({ result: r }) => r.latencyNs && r.latencyNs.count > 0)
      .map(({ role, result: r }) => ({
        name: r.name,
        role,
        points: latencyPoints(r),
        p50: r.latencyNs!.p50,
        p99: r.latencyNs!.p99,
        max: r.latencyNs!.max,
      })),
    throughput: rows
      .filter(({ result: r }) => !r.latencyNs && r.eventsPerSec !== undefined)
      .map(({ role, result: r }) => ({
        name: r.name,
        role,
        eventsPerSec: r.eventsPerSec!,
        min: r.eventsPerSecMin,
        max: r.eventsPerSecMax,
      })),
  };
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The self-contained HTML report: data as JSON in the page, drawn by the inline script. */
export function renderHtml(reports: readonly BenchReport[], generatedAt: string): string {
  const data = { generatedAt, scenarios: reports.map(plotData) };
  // "<" escaped so that no "</script>" in a name can end the data block early
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const notes = reports
    .map(
      (r) =>
        `<details><summary>${escapeHtml(r.scenario)}: notes</summary><ul>${(r.notes ?? [])
          .map((n) => `<li>${escapeHtml(n)}</li>`)
          .join('')}</ul></details>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ringbus benchmarks</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
section { margin-bottom: 3em; }
svg { display: block; background: #fff; border: 1px solid #eee; margin: 0.5em 0; }
.placement { font-size: 0.9em; color: #555; }
</style>
</head>
<body>
<h1>ringbus benchmarks</h1>
<p>Generated ${escapeHtml(generatedAt)}. Latency: HdrHistogram chart (percentile on a log scale of 1/(1-p)); solid lines ringbus, dashed the baseline, short dashes peers, dots the machine's limit.</p>
<div id="plots"></div>
${notes}
<script type="application/json" id="bench-data">${json}</script>
<script>${PLOT_SCRIPT}</script>
</body>
</html>
`;
}

/** Files written by writeOutputs, by kind. */
export interface WrittenOutputs {
  readonly json: string;
  readonly html: string;
  readonly hgrm: readonly string[];
}

/** Writes report.json, report.html and `<scenario>--<result>.hgrm` files into `dir` (created). */
export function writeOutputs(dir: string, reports: readonly BenchReport[], generatedAt: string): WrittenOutputs {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'report.json');
  writeFileSync(json, `${JSON.stringify(reports, null, 1)}\n`);
  const hgrm: string[] = [];
  for (const report of reports) {
    for (const { result } of rowsOf(report)) {
      if (!result.histogram) continue;
      const file = join(dir, `${slug(report.scenario)}--${slug(result.name)}.hgrm`);
      // values in ns (scaling ratio 1), 5 ticks per half distance as HdrHistogram's default
      writeFileSync(file, decodeHistogram(result.histogram).outputPercentileDistribution(5, 1));
      hgrm.push(file);
    }
  }
  const html = join(dir, 'report.html');
  writeFileSync(html, renderHtml(reports, generatedAt));
  return { json, html, hgrm };
}
