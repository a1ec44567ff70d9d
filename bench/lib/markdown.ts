/**
 * docs/benchmarks.md from a run's reports: one Markdown table per scenario (the console table's
 * cells), the machine, placement, hiccups and notes under each, and the targets of the issue
 * that set the suite's goals, each with the figure that decides it.
 */
import { formatNs, hiccupLines, machineLine, tableCells, type BenchReport, type BenchResult } from './report.js';
import { placementLine } from './placement.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** Columns of words, left-aligned; the figures are right-aligned. */
const TEXT_COLUMNS = new Set(['variant', 'vs peers / limit', 'detail', 'target', 'figure', 'met']);

function mdTable(rows: string[][]): string {
  const [head, ...body] = rows;
  return [
    `| ${head!.map(cell).join(' | ')} |`,
    `| ${head!.map((h) => (TEXT_COLUMNS.has(h) ? '---' : '---:')).join(' | ')} |`,
    ...body.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

function find(reports: readonly BenchReport[], scenario: string, name: string): BenchResult | undefined {
  const r = reports.find((x) => x.scenario === scenario);
  return r?.results.find((x) => x.name === name);
}

/** One row per target: what, the figure, met or not ('not measured' when its scenario did not run). */
export function targetRows(reports: readonly BenchReport[]): string[][] {
  const rows = [['target', 'figure', 'met']];
  const ratioTarget = (what: string, scenario: string, name: string, against: string, min: number): void => {
    const v = find(reports, scenario, name)?.ratios?.[against];
    rows.push([
      what,
      v === undefined ? 'not measured' : `${v.toFixed(2)}×`,
      v === undefined ? '' : v >= min ? 'yes' : 'no',
    ]);
  };
  ratioTarget('one-to-one per-event ≥ 1.3× ringbuf.js', 'one-to-one', 'ring per-event', 'ringbuf.js per-event', 1.3);
  ratioTarget('one-to-one batch ≥ 1.0× ringbuf.js', 'one-to-one', 'ring batch', 'ringbuf.js batch', 1.0);
  // the same target against ringbuf.js moving the ring's whole 24-byte slot per event (same bytes, same shape)
  const sameBytes = Object.keys(find(reports, 'one-to-one', 'ring batch')?.ratios ?? {}).find((k) =>
    /^ringbuf\.js batch, \d+-byte events$/.test(k),
  );
  if (sameBytes)
    ratioTarget(
      `one-to-one batch ≥ 1.0× ${sameBytes} (same bytes per event)`,
      'one-to-one',
      'ring batch',
      sameBytes,
      1.0,
    );
  const pp = find(reports, 'ping-pong', 'ring busy-spin');
  const raw = reports.find((x) => x.scenario === 'ping-pong')?.limits?.[0];
  if (pp?.latencyNs && raw?.latencyNs) {
    const x = pp.latencyNs.p50 / raw.latencyNs.p50;
    rows.push([
      'ping-pong p50 within 1.5× of the raw Atomics round trip',
      `${formatNs(pp.latencyNs.p50)} vs ${formatNs(raw.latencyNs.p50)} (${x.toFixed(2)}×)`,
      x <= 1.5 ? 'yes' : 'no',
    ]);
  } else rows.push(['ping-pong p50 within 1.5× of the raw Atomics round trip', 'not measured', '']);
  const pipeline = reports.find((x) => x.scenario === 'pipeline');
  // one row per offered rate: the wait strategy (and placement) that comes closest, as the target asks
  type Paced = BenchResult & { offeredPerSec?: number; ratiosVsBaseline?: { p99: number } };
  const best = new Map<number, Paced>();
  for (const r of (pipeline?.results ?? []) as Paced[]) {
    const p99 = r.ratiosVsBaseline?.p99;
    if (p99 === undefined || r.offeredPerSec === undefined) continue;
    const seen = best.get(r.offeredPerSec);
    if (!seen || p99 > seen.ratiosVsBaseline!.p99) best.set(r.offeredPerSec, r);
  }
  for (const r of best.values()) {
    const p99 = r.ratiosVsBaseline!.p99;
    const hic = r.hiccups
      ? `; machine lost ${r.hiccups.lostPercent.toFixed(2)} %, largest gap ${formatNs(r.hiccups.maxGapNs)}`
      : '';
    rows.push([
      `pipeline ${r.name}: p99 ≥ 50× lower than postMessage`,
      `${p99.toFixed(1)}×${hic}`,
      p99 >= 50 ? 'yes' : 'no',
    ]);
  }
  if (!pipeline) rows.push(['pipeline p99 ≥ 50× lower than postMessage', 'not measured', '']);
  return rows;
}

/** The targets as a Markdown table (quoted in the README's performance section). */
export function renderTargets(reports: readonly BenchReport[]): string {
  return mdTable(targetRows(reports));
}

/** The whole of docs/benchmarks.md. */
export function renderMarkdown(reports: readonly BenchReport[], generatedAt: string, command: string): string {
  const machine = reports[0] ? machineLine(reports[0].machine) : 'no reports';
  const quick = reports.some((r) => r.quick);
  const out = [
    '# Benchmarks',
    '',
    `Generated ${generatedAt} by \`${command}\` (do not edit by hand: rerun it). Machine: ${machine}.`,
    '',
    quick ? '**Quick smoke run: the figures below are not meaningful.**\n' : '',
    "Each scenario runs its baseline, peers and the machine's limit in the same run (see bench/README.md for",
    'the method). Ratios above 1 are better for ringbus; against a limit, the share of the limit reached.',
    'Latency columns are HDR-histogram percentiles in the same run; hiccups are what a sleeping sampler',
    'thread saw during each latency result (time the machine held a runnable thread off a CPU).',
    'Latency rows name their wait strategy and placement (busy-spin beside yielding and phased, the picks when',
    'spinning threads outnumber free cores); each pipeline target row is the strategy that comes closest at',
    "that rate. `ring batch` is set against ringbuf.js moving 8 bytes per event and moving a ring slot's 24",
    'bytes per event (the same shape); the exchange `load @rate` rows step the example program through offered',
    'rates until it saturates.',
    '',
    '## Targets',
    '',
    renderTargets(reports),
  ];
  for (const r of reports) {
    out.push('', `## ${r.scenario}`, '', mdTable(tableCells(r)), '');
    out.push(`- machine: ${machineLine(r.machine)}`, `- placement: ${placementLine(r.placement)}`);
    for (const h of hiccupLines(r)) out.push(`- hiccups: ${h}`);
    for (const n of r.notes ?? []) out.push(`- ${n}`);
  }
  return `${out.filter((l, i) => !(l === '' && out[i - 1] === '')).join('\n')}\n`;
}
