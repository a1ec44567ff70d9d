/**
 * What the program prints: the text summary (a terminal or a log), the one JSON object of --json,
 * and the rows of the --rates table. Latencies are printed in µs, kept in ns in the JSON.
 */
import { hiccupNote, type PlacementReport } from '../../../src/index.js';
import type { LatencyPercentiles } from './latencyProbe.js';
import type { RateRow, RatesReport } from './rates.js';
import type { MachineInfo, RunReport } from './run.js';

/** Paced runs further behind schedule than this say so. */
const BEHIND_NOTE_NS = 10_000_000;
const n = (x: number): string => Math.round(x).toLocaleString('en');
const us = (ns: number): string => (ns / 1000).toFixed(ns < 10_000 ? 1 : 0);

function latencyLine(label: string, p: LatencyPercentiles): string {
  if (p.count === 0) return `  ${label.padEnd(12)} (no orders measured)`;
  return `  ${label.padEnd(12)} ${[p.p50, p.p90, p.p99, p.p999, p.p9999, p.max].map((v) => us(v).padStart(9)).join('')}   (${n(p.count)} orders)`;
}

export function placementLines(p: PlacementReport): string[] {
  const lines = [
    `placement: ${p.cores} CPUs; producer on the ${p.producer} (paced: sleeps, then spins on the clock for the last 200 µs)`,
  ];
  for (const w of p.workers)
    lines.push(
      `  worker ${w.name}: [${w.handlers.join(', ')}] wait ${w.waitStrategy}, ${w.pinned ? `pinned to CPU ${w.cpus!.join(',')}` : `not pinned${w.pinReason ? ` (${w.pinReason})` : ''}`}`,
    );
  for (const w of p.warnings) lines.push(`  warning: ${w}`);
  return lines;
}

export function machineLines(m: MachineInfo): string[] {
  const lines = [`machine: ${m.cpus} × ${m.model}, node ${m.node}, load average ${m.loadAverage1m}`];
  const h = m.hiccupsDuringRun;
  if (h)
    lines.push(
      `  during the run: the paced producer, spinning on the clock between orders, lost ${h.lostPercent}% of ${n(h.sampledMs)} ms ` +
        `in gaps > 10 µs (${n(h.gapsOver10us)} gaps, ${n(h.gapsOver100us)} > 100 µs, ${n(h.gapsOver1ms)} > 1 ms, longest ${us(h.maxGapNs)} µs): ` +
        `time the machine or the runtime took from a spinning thread while the engine ran`,
    );
  lines.push(
    `  ${hiccupNote(m.hiccups, `the producer thread, ${m.hiccups.sampledMs} ms right after the run, workers idle`)}`,
  );
  return lines;
}

export function formatSummary(r: RunReport): string {
  const s = r.stats;
  const lines: string[] = [];
  const how = r.mode === 'paced' ? `paced at ${n(r.rate!)} orders/s` : 'flat out (as fast as back-pressure allows)';
  const stopped =
    r.publish.stoppedBy === 'signal'
      ? ' — stopped by a signal'
      : r.publish.stoppedBy === 'duration'
        ? ' (duration reached)'
        : '';
  lines.push(`ringbus order-matching: ${n(r.publish.published)} orders ${how}${stopped}`);
  lines.push(`  ${n(r.ordersPerSec)} orders/s (first publish to drained)`);
  if (r.warmupCommands > 0)
    lines.push(
      `  warmed up first on ${n(r.warmupCommands)} commands of a scratch flow (--warmup; not journaled, not in the state)`,
    );
  if (r.mode === 'paced' && r.publish.behindNs > BEHIND_NOTE_NS)
    lines.push(
      `  the producer ended ${(r.publish.behindNs / 1e6).toFixed(0)} ms behind schedule: the engine or the machine did not sustain ${n(r.rate!)} orders/s`,
    );
  if (r.recovered.fromSnapshot !== null || r.recovered.replayed > 0)
    lines.push(
      `  resumed: recovered from snapshot ${r.recovered.fromSnapshot ?? '(none)'} + ${n(r.recovered.replayed)} journaled events; counts below are this run's`,
    );
  lines.push('');
  lines.push(`latency µs          p50      p90      p99    p99.9   p99.99      max`);
  lines.push(latencyLine('report out', r.latencyNs.reportOut));
  lines.push(latencyLine('durable ack', r.latencyNs.durableAck));
  lines.push(
    r.mode === 'paced'
      ? "  from each order's scheduled send time (coordinated omission corrected) to the end of the exchange stage (first report out) / to the ack after the journal (durable)"
      : '  flat out: from the publish to the end of the exchange stage / to the durable ack; mostly queueing behind the producer (use --rate R for latency)',
  );
  lines.push('');
  const rejected = Object.entries(s.rejected)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${n(v)}`)
    .join(', ');
  const rejectedTotal = Object.values(s.rejected).reduce((a, b) => a + b, 0);
  lines.push(
    `commands ${n(s.orders)}: accepted ${n(s.accepted)}, rejected ${n(rejectedTotal)}${rejected ? ` (${rejected})` : ''}`,
  );
  lines.push(`trades ${n(s.trades)}, volume ${n(s.volume)} units`);
  lines.push('top of book   bid qty @ price        ask qty @ price');
  for (const b of s.topOfBook) {
    const side = (x: { price: number; qty: number } | null): string => (x ? `${n(x.qty)} @ ${n(x.price)}` : '—');
    lines.push(`  symbol ${String(b.symbolId).padEnd(5)} ${side(b.bid).padEnd(22)} ${side(b.ask)}`);
  }
  lines.push('');
  lines.push(...placementLines(r.placement));
  lines.push(...machineLines(r.machine));
  lines.push('');
  lines.push(`state hash ${r.stateHash} at sequence ${r.lastSequence}`);
  const rep = r.replication;
  if (rep)
    lines.push(
      `replication: leader of bus ${rep.bus} (owner ${rep.owner}, term ${rep.term}, ${rep.mode}); stream through ${rep.commands.replicatedSequence}, ` +
        `reports (bus ${rep.reportsBus}) through ${rep.reports.replicatedSequence}; state hash published at ${rep.stateHash?.sequence ?? '—'}`,
    );
  if (r.snapshot) lines.push(`snapshot written at sequence ${r.snapshot.sequence}`);
  lines.push(
    r.dataDir === ''
      ? 'data directory: temporary, removed (pass --data-dir D to keep it and resume from it next run)'
      : `data directory ${r.dataDir} (next run with --data-dir resumes; check with: npm run -s ringbus -- replay --data-dir ${r.dataDir} --json)`,
  );
  return lines.join('\n');
}

const pick = (p: LatencyPercentiles) => ({
  p50: p.p50,
  p90: p.p90,
  p99: p.p99,
  p999: p.p999,
  p9999: p.p9999,
  max: p.max,
});

/** The --json object. */
export function summaryJson(r: RunReport): Record<string, unknown> {
  return {
    orders: r.stats.orders,
    accepted: r.stats.accepted,
    rejected: r.stats.rejected,
    trades: r.stats.trades,
    volume: r.stats.volume,
    ordersPerSec: Math.round(r.ordersPerSec),
    latencyNs: { reportOut: pick(r.latencyNs.reportOut), durableAck: pick(r.latencyNs.durableAck) },
    stateHash: r.stateHash,
    lastSequence: r.lastSequence,
    placement: r.placement,
    machine: r.machine,
    mode: r.mode,
    rate: r.rate,
    warmupCommands: r.warmupCommands,
    stoppedBy: r.publish.stoppedBy,
    behindScheduleMs: Math.round(r.publish.behindNs / 1e3) / 1e3,
    recovered: r.recovered,
    topOfBook: r.stats.topOfBook,
    ...(r.replication ? { replication: r.replication, positions: r.positions } : {}),
  };
}

export const RATES_HEADER = [
  'offered/s   achieved/s   report out µs: p50      p99    p99.9      max   durable ack µs: p50      p99      max   producer gaps: lost %, longest µs',
];

export function formatRateRow(row: RateRow): string {
  const a = row.reportOut;
  const d = row.durableAck;
  const cols = (xs: number[], w: number): string => xs.map((v) => us(v).padStart(w)).join('');
  const gaps = row.hiccups
    ? `${row.hiccups.lostPercent.toFixed(2).padStart(8)} %${us(row.hiccups.maxGapNs).padStart(10)}`
    : '';
  return `${n(row.rate).padStart(9)} ${n(row.achieved).padStart(12)}   ${cols([a.p50, a.p99, a.p999, a.max], 9).padStart(38)}   ${cols([d.p50, d.p99, d.max], 9).padStart(34)}   ${gaps.padStart(34)}${row.saturated ? `   saturated (${row.behindMs.toFixed(0)} ms behind schedule)` : ''}`;
}

export function formatRatesFooter(r: RatesReport): string {
  const lines = [
    '',
    r.saturatedAt === null
      ? `kept up with every rate asked (${r.durationSec} s each)`
      : `saturates at ${n(r.saturatedAt)} orders/s: the producer fell behind schedule (${r.durationSec} s per rate)`,
    ...placementLines(r.placement),
    ...machineLines(r.machine),
  ];
  return lines.join('\n');
}

export function ratesJson(r: RatesReport): Record<string, unknown> {
  return {
    rates: r.rows.map((row) => ({ ...row, reportOut: pick(row.reportOut), durableAck: pick(row.durableAck) })),
    saturatedAt: r.saturatedAt,
    durationSec: r.durationSec,
    placement: r.placement,
    machine: r.machine,
  };
}
