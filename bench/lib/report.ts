/**
 * The report every scenario returns, and its two renderings: a text table (figures and ratios
 * against the baseline, machine and placement underneath) and one JSON object.
 */
import type { HiccupInfo } from '../../src/index.js';
import type { LatencySummary } from './histogram.js';
import type { MachineInfo } from './machine.js';
import type { Placement } from './placement.js';

/** One measured variant of a scenario. */
export interface BenchResult {
  readonly name: string;
  /** Throughput (median of the timed runs), when the scenario measures throughput. */
  readonly eventsPerSec?: number;
  /** eventsPerSec / baseline.eventsPerSec (or, for latency, baseline p50 / this p50). */
  readonly ratioVsBaseline?: number;
  /** Latency percentiles in ns, when the scenario measures latency. */
  readonly latencyNs?: LatencySummary;
  /** Events per timed run and number of timed runs. */
  readonly events?: number;
  readonly reps?: number;
  /** Free-form detail (e.g. batch size), shown in the table. */
  readonly detail?: string;
  /** Fastest and slowest timed run (events/s), beside the median in eventsPerSec. */
  readonly eventsPerSecMin?: number;
  readonly eventsPerSecMax?: number;
  /**
   * The full latency histogram (ns) as compressed base64 (hdr-histogram-js encoding): `--out`
   * writes it as a .hgrm file and plots it in the HTML report.
   */
  readonly histogram?: string;
  /** The machine's jitter while this result was measured (a hiccup sampler thread, see lib/hiccupThread.ts). */
  readonly hiccups?: HiccupInfo;
  /**
   * How many times better this result is than each comparator in the same run, by the
   * comparator's name: events/s ÷ theirs for throughput, their p50 ÷ this p50 for latency.
   * Above 1 is better; against the machine's limit it is the share of the limit reached.
   * Filled by `withRatios`.
   */
  readonly ratios?: Readonly<Record<string, number>>;
  /** Names of the peers and limits this result is compared with (default: all of them). */
  readonly against?: readonly string[];
}

export interface BenchReport {
  readonly scenario: string;
  readonly results: readonly BenchResult[];
  /** What the ratios compare against, measured in the same run. */
  readonly baseline: BenchResult;
  /** Every baseline when there are several (e.g. one per offered rate); `baseline` is the first. */
  readonly baselines?: readonly BenchResult[];
  readonly machine: MachineInfo;
  readonly placement: Placement;
  /** Anything a reader needs to interpret the figures. */
  readonly notes?: readonly string[];
  /** True for a --quick smoke run (figures not meaningful). */
  readonly quick?: boolean;
  /** Other libraries doing the same job, same shape and event count (e.g. ringbuf.js). */
  readonly peers?: readonly BenchResult[];
  /** What the machine can do at all (no library: raw Atomics ping-pong, raw SPSC copy loop). */
  readonly limits?: readonly BenchResult[];
}

/** Which comparator a row of a report is. */
export type BenchRole = 'ringbus' | 'baseline' | 'peer' | 'limit';

/** Every row of a report with its role: results, then peers, the limits and the baseline. */
export function rowsOf(report: BenchReport): Array<{ role: BenchRole; result: BenchResult }> {
  return [
    ...report.results.map((result) => ({ role: 'ringbus' as const, result })),
    ...(report.peers ?? []).map((result) => ({ role: 'peer' as const, result })),
    ...(report.limits ?? []).map((result) => ({ role: 'limit' as const, result })),
    ...(report.baselines ?? [report.baseline]).map((result) => ({ role: 'baseline' as const, result })),
  ];
}

/** x compared with y: throughput x/y when both have a rate and neither is a latency, else p50 y/x. */
function ratio(x: BenchResult, y: BenchResult): number | undefined {
  if (x.latencyNs && y.latencyNs && x.latencyNs.p50 > 0) return y.latencyNs.p50 / x.latencyNs.p50;
  if (!x.latencyNs && !y.latencyNs && x.eventsPerSec !== undefined && y.eventsPerSec)
    return x.eventsPerSec / y.eventsPerSec;
  return undefined;
}

/**
 * Fills `ratios` of every ringbus result against the baseline, each peer and each limit, unless
 * the scenario set them itself (e.g. against the baseline at the same offered rate). Comparators
 * compare only like with like: a throughput figure with a throughput figure, a latency with a
 * latency.
 */
export function withRatios<R extends BenchReport>(report: R): R {
  const others = [...(report.peers ?? []), ...(report.limits ?? [])];
  const results = report.results.map((r) => {
    if (r.ratios) return r;
    const ratios: Record<string, number> = {};
    const against = [report.baseline, ...others.filter((c) => !r.against || r.against.includes(c.name))];
    for (const c of against) {
      const v = ratio(r, c);
      if (v !== undefined && Number.isFinite(v)) ratios[c.name] = v;
    }
    return { ...r, ratios };
  });
  return { ...report, results };
}

/** Formats a rate like "52.3 M/s". */
export function formatRate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)} M/s`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)} k/s`;
  return `${perSec.toFixed(0)} /s`;
}

/** Formats nanoseconds like "1.25 µs". */
export function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const ROLE_LABEL: Record<BenchRole, string> = {
  ringbus: '',
  baseline: ' (baseline)',
  peer: ' (peer)',
  limit: ' (limit)',
};

/** "12.3× postMessage, 1.4× ringbuf.js, 0.62× raw SPSC copy" */
function ratioCell(r: BenchResult): string {
  return Object.entries(r.ratios ?? {})
    .map(([name, v]) => `${v >= 10 ? v.toFixed(0) : v >= 0.01 ? v.toFixed(2) : v.toPrecision(2)}× ${name}`)
    .join(', ');
}

/**
 * The report's table as cells (header first): one row per variant, peer, limit and baseline,
 * with p50 p90 p99 p99.9 p99.99 max (latency scenarios), events/s and the ratios to each
 * comparator. Shared by the text and the Markdown renderings.
 */
export function tableCells(report: BenchReport): string[][] {
  const rows0 = rowsOf(report);
  const all = rows0.map((x) => x.result);
  const hasRate = all.some((r) => r.eventsPerSec !== undefined);
  const hasLatency = all.some((r) => r.latencyNs !== undefined);
  const header = ['variant'];
  if (hasLatency) header.push('p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max');
  if (hasRate) header.push('events/s');
  header.push('vs baseline', 'vs peers / limit', 'detail');
  const rows = [header];
  for (const { role, result: r } of rows0) {
    const row = [`${r.name}${ROLE_LABEL[role]}`];
    if (hasLatency) {
      const l = r.latencyNs;
      for (const k of ['p50', 'p90', 'p99', 'p999', 'p9999', 'max'] as const) row.push(l ? formatNs(l[k]) : '');
    }
    if (hasRate) row.push(r.eventsPerSec === undefined ? '' : formatRate(r.eventsPerSec));
    const vsBaseline = role === 'baseline' ? 1 : (r.ratioVsBaseline ?? r.ratios?.[report.baseline.name]);
    const others = { ...r.ratios };
    for (const b of report.baselines ?? [report.baseline]) delete others[b.name];
    row.push(
      vsBaseline === undefined ? '' : `${vsBaseline.toFixed(1)}×`,
      ratioCell({ ...r, ratios: others }),
      r.detail ?? '',
    );
    rows.push(row);
  }
  return rows;
}

/** "ring busy-spin: 0.12 % of 1000 ms lost in 3 gaps > 10 µs, largest 40 µs", one per result that has hiccups. */
export function hiccupLines(report: BenchReport): string[] {
  return rowsOf(report)
    .filter(({ result: r }) => r.hiccups)
    .map(({ result: r }) => {
      const h = r.hiccups!;
      return `${r.name}: ${h.lostPercent.toFixed(2)} % of ${h.sampledMs.toFixed(0)} ms lost in ${h.gapsOver10us} gaps > 10 µs, largest ${formatNs(h.maxGapNs)}`;
    });
}

/** The report as a readable text table, machine, placement, hiccups and notes underneath. */
export function renderText(report: BenchReport): string {
  const rows = tableCells(report);
  const m = report.machine;
  const lines = [
    `scenario: ${report.scenario}${report.quick ? ' (quick smoke run: figures not meaningful)' : ''}`,
    '',
    table(rows),
    '',
    `machine:   ${machineLine(m)}`,
    `placement: ${report.placement.threads.map((t) => `${t.role}: ${t.thread} ${t.cpu === null ? 'unpinned' : `pinned @cpu${t.cpu}`}, ${t.wait}`).join(' | ')}`,
  ];
  if (report.placement.note) lines.push(`           ${report.placement.note}`);
  for (const h of hiccupLines(report)) lines.push(`hiccups:   ${h}`);
  for (const n of report.notes ?? []) lines.push(`note:      ${n}`);
  return lines.join('\n');
}

/** "Intel Xeon … × 2 (available 2), 7.7 GiB, linux …, node v20 (V8 …), load 1.2" */
export function machineLine(m: MachineInfo): string {
  return `${m.cpuModel} × ${m.cpus} (available ${m.availableParallelism}), ${(m.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, ${m.os}, node ${m.node} (V8 ${m.v8}), load ${m.loadAverage1m}`;
}

/** The report as exactly one JSON object (one line); several reports as one JSON array. */
export function renderJson(report: BenchReport | readonly BenchReport[]): string {
  return JSON.stringify(report);
}
