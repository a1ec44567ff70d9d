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
  rows.push(...durabilityTargetRows(reports), ...exchangeTargetRows(reports));
  return rows;
}

type StageRow = BenchResult & {
  extra?: { stages?: Record<string, { latencyNs: { p50: number } } | undefined>; fsyncProbeNs?: { p50: number } };
};

/** A row: figure and whether `ok`; 'not measured' when the figure is NaN. */
function targetRow(what: string, value: number, figure: string, ok: boolean): string[] {
  return Number.isFinite(value) ? [what, figure, ok ? 'yes' : 'no'] : [what, 'not measured', ''];
}

/** Issue-8 targets: the journal off the engine's path, group commit, waits that fit the cores. */
function durabilityTargetRows(reports: readonly BenchReport[]): string[][] {
  const rows: string[][] = [];
  const om = (name: string): StageRow | undefined => find(reports, 'order-matching', name) as StageRow | undefined;
  const paced = (fsync: string): StageRow | undefined => om(`bus paced 50k/s, fsync '${fsync}', split`);
  const engineP50 = (r: StageRow | undefined): number => r?.extra?.stages?.portfolio?.latencyNs.p50 ?? NaN;
  const on = engineP50(paced('batch'));
  const off = engineP50(om('engine only, paced 50k/s, no journal'));
  rows.push(
    targetRow(
      'paced 50k/s: engine latency p50 with the journal (fsync per batch) within 10% of no journal',
      on / off,
      `${formatNs(on)} vs ${formatNs(off)} (${(on / off).toFixed(2)}×)`,
      on <= off * 1.1,
    ),
  );
  const ack = paced('batch')?.extra?.stages?.ack?.latencyNs.p50 ?? NaN;
  const sync = paced('batch')?.extra?.fsyncProbeNs?.p50 ?? NaN;
  rows.push(
    targetRow(
      'paced 50k/s: publish → durable ack p50 within 20 µs of one fdatasync',
      ack - sync,
      `${formatNs(ack)} vs fdatasync ${formatNs(sync)}`,
      ack - sync <= 20_000,
    ),
  );
  const batch = om("bus, fsync 'batch', split")?.eventsPerSec ?? NaN;
  const none = om("bus, fsync 'none', split")?.eventsPerSec ?? NaN;
  rows.push(
    targetRow(
      'flat out: fsync per group ≥ 80% of no fsync (same placement)',
      batch / none,
      `${(100 * (batch / none)).toFixed(0)}%`,
      batch / none >= 0.8,
    ),
  );
  const dflt = find(reports, 'oversubscribed', 'default waits (chosen from the placement)')?.ratioVsBaseline ?? NaN;
  rows.push(
    targetRow(
      'oversubscribed: default waits ≥ 80% of the best strategy',
      dflt,
      `${(100 * dflt).toFixed(0)}%`,
      dflt >= 0.8,
    ),
  );
  return rows;
}

/** Issue-10 targets: the engine against nodejs-order-book, the whole pipeline flat out. */
function exchangeTargetRows(reports: readonly BenchReport[]): string[][] {
  const engine = find(reports, 'exchange', 'engine alone')?.ratioVsBaseline ?? NaN;
  const pipeline = find(reports, 'exchange', 'pipeline')?.eventsPerSec ?? NaN;
  return [
    targetRow('exchange engine alone ≥ 20× nodejs-order-book', engine, `${engine.toFixed(1)}×`, engine >= 20),
    targetRow(
      'exchange pipeline (journal fsync per batch + reports ring) ≥ 2 M orders/s',
      pipeline,
      `${(pipeline / 1e6).toFixed(2)} M/s`,
      pipeline >= 2e6,
    ),
  ];
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
