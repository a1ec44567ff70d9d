/**
 * `--rates 50k,100k,...`: a latency-versus-load table. One bus; a flat-out warm-up (not
 * recorded), then for each rate a paced stretch of --duration seconds, drained before the next.
 * A rate is saturated when the producer ends the stretch more than 5% of the duration (at least
 * 10 ms) behind schedule, or publishes less than 95% of the offered orders: the engine (or the
 * machine) could not keep up, and the table stops there.
 */
import type { ProgramArgs } from './args.js';
import type { LatencyPercentiles } from './latencyProbe.js';
import { publishOrders, type StopSignal } from './pacing.js';
import { closeSession, DRAIN_TIMEOUT_MS, machineInfo, openSession, type MachineInfo, type Session } from './run.js';
import type { HiccupInfo, PlacementReport } from '../../../src/index.js';

export interface RateRow {
  readonly rate: number;
  readonly achieved: number;
  readonly behindMs: number;
  readonly saturated: boolean;
  readonly reportOut: LatencyPercentiles;
  readonly durableAck: LatencyPercentiles;
  /** The machine's gaps seen by the paced producer during this rate's stretch (producerHiccups.ts). */
  readonly hiccups: HiccupInfo | null;
}

export interface RatesReport {
  readonly rows: readonly RateRow[];
  /** The first rate the engine could not sustain (null: it kept up with every rate asked). */
  readonly saturatedAt: number | null;
  readonly durationSec: number;
  readonly placement: PlacementReport;
  readonly machine: MachineInfo;
}

const WARM_UP_ORDERS = 100_000;

async function warmUp(s: Session, stop: StopSignal): Promise<void> {
  await publishOrders(s.bus, s.flow, s.probes, { orders: WARM_UP_ORDERS, rate: null, durationSec: 2 }, stop, () => {});
  await s.bus.drain({ timeoutMs: DRAIN_TIMEOUT_MS });
  s.probes.reportOut.harvest();
  s.probes.durableAck.harvest();
}

export async function runRates(
  args: ProgramArgs,
  stop: StopSignal,
  onRow: (row: RateRow) => void,
): Promise<RatesReport> {
  const s = await openSession(args);
  const durationSec = args.durationSec ?? 2;
  try {
    await warmUp(s, stop);
    const rows: RateRow[] = [];
    let saturatedAt: number | null = null;
    for (const rate of args.rates ?? []) {
      if (stop.requested) break;
      s.probes.reportOut.reset();
      s.probes.durableAck.reset();
      const pub = await publishOrders(s.bus, s.flow, s.probes, { orders: Infinity, rate, durationSec }, stop, () => {});
      await s.bus.drain({ timeoutMs: DRAIN_TIMEOUT_MS });
      s.probes.reportOut.harvest();
      s.probes.durableAck.harvest();
      const offered = rate * pub.seconds;
      const saturated = pub.behindNs > Math.max(10e6, durationSec * 0.05 * 1e9) || pub.published < 0.95 * offered;
      const row: RateRow = {
        rate,
        achieved: pub.seconds > 0 ? pub.published / pub.seconds : 0,
        behindMs: pub.behindNs / 1e6,
        saturated,
        reportOut: s.probes.reportOut.percentiles(),
        durableAck: s.probes.durableAck.percentiles(),
        hiccups: pub.hiccups,
      };
      rows.push(row);
      onRow(row);
      if (saturated) {
        saturatedAt = rate;
        break;
      }
    }
    return { rows, saturatedAt, durationSec, placement: s.bus.placement(), machine: await machineInfo() };
  } finally {
    await closeSession(s);
  }
}
