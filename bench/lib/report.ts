/**
 * The report every scenario returns, and its two renderings: a text table (figures and ratios
 * against the baseline, machine and placement underneath) and one JSON object.
 */
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
}

export interface BenchReport {
  readonly scenario: string;
  readonly results: readonly BenchResult[];
  /** What the ratios compare against, measured in the same run. */
  readonly baseline: BenchResult;
  readonly machine: MachineInfo;
  readonly placement: Placement;
  /** Anything a reader needs to interpret the figures. */
  readonly notes?: readonly string[];
  /** True for a --quick smoke run (figures not meaningful). */
  readonly quick?: boolean;
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

/** The report as a readable text table. */
export function renderText(report: BenchReport): string {
  const all = [...report.results, { ...report.baseline, ratioVsBaseline: 1 }];
  const hasRate = all.some((r) => r.eventsPerSec !== undefined);
  const hasLatency = all.some((r) => r.latencyNs !== undefined);
  const header = ['variant'];
  if (hasRate) header.push('events/s');
  if (hasLatency) header.push('p50', 'p99', 'p99.9', 'max');
  header.push('vs baseline', 'detail');
  const rows = [header];
  for (const r of all) {
    const row = [r === all[all.length - 1] ? `${r.name} (baseline)` : r.name];
    if (hasRate) row.push(r.eventsPerSec === undefined ? '' : formatRate(r.eventsPerSec));
    if (hasLatency) {
      const l = r.latencyNs;
      row.push(l ? formatNs(l.p50) : '', l ? formatNs(l.p99) : '', l ? formatNs(l.p999) : '', l ? formatNs(l.max) : '');
    }
    row.push(r.ratioVsBaseline === undefined ? '' : `${r.ratioVsBaseline.toFixed(1)}×`, r.detail ?? '');
    rows.push(row);
  }
  const m = report.machine;
  const lines = [
    `scenario: ${report.scenario}${report.quick ? ' (quick smoke run: figures not meaningful)' : ''}`,
    '',
    table(rows),
    '',
    `machine:   ${m.cpuModel} × ${m.cpus} (available ${m.availableParallelism}), ${(m.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, ${m.os}, node ${m.node} (V8 ${m.v8}), load ${m.loadAverage1m}`,
    `placement: ${report.placement.threads.map((t) => `${t.role}: ${t.thread} ${t.cpu === null ? 'unpinned' : `pinned @cpu${t.cpu}`}, ${t.wait}`).join(' | ')}`,
  ];
  if (report.placement.note) lines.push(`           ${report.placement.note}`);
  for (const n of report.notes ?? []) lines.push(`note:      ${n}`);
  return lines.join('\n');
}

/** The report as exactly one JSON object (one line). */
export function renderJson(report: BenchReport): string {
  return JSON.stringify(report);
}
