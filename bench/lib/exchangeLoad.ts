/**
 * Order matching at stepped offered rates until saturation (latency versus load), on the
 * exchange program's own bus and pieces (examples/order-matching/cli, used read-only): the bus
 * of `npm run example` (journal ∥ exchange: risk → match → settle; ack after both; its probe
 * stages after exchange and ack), its seeded command flow and its paced producer, which charges
 * a late publish to the orders it delayed (coordinated omission corrected).
 *
 * One bus throughout: a flat-out warm-up (not recorded), then one paced stretch per rate,
 * drained before the next, each beside a hiccup sampler thread. A rate is saturated by the
 * program's own rule (examples/order-matching/cli/rates.ts): the producer ends the stretch more
 * than 5 % of it (at least 10 ms) behind schedule, or publishes under 95 % of the offered orders.
 * The steps stop at the first saturated rate, which the report names.
 */
import type { HiccupInfo, PlacementReport } from '../../src/index.js';
import { parseProgramArgs } from '../../examples/order-matching/cli/args.js';
import type { LatencyPercentiles } from '../../examples/order-matching/cli/latencyProbe.js';
import { publishOrders } from '../../examples/order-matching/cli/pacing.js';
import { closeSession, DRAIN_TIMEOUT_MS, openSession } from '../../examples/order-matching/cli/run.js';
import { startHiccupSampler } from './hiccupThread.js';

export interface LoadStep {
  /** Offered orders/s. */
  readonly rate: number;
  /** Orders published in the stretch. */
  readonly published: number;
  /** Published orders / stretch length. */
  readonly achieved: number;
  /** How far behind schedule the producer ended the stretch (ms). */
  readonly behindMs: number;
  readonly saturated: boolean;
  /** Due time → ack stage done (after the journal's durable sequence and the exchange). */
  readonly durableAck: LatencyPercentiles;
  /** Due time → exchange stage done (the command's execution reports are out). */
  readonly reportOut: LatencyPercentiles;
  readonly hiccups: HiccupInfo;
}

export interface LoadSteps {
  readonly steps: readonly LoadStep[];
  /** The first rate the exchange could not sustain; null when it kept up with every rate. */
  readonly saturatedAt: number | null;
  readonly placement: PlacementReport;
  readonly durationSec: number;
  readonly warmUpOrders: number;
}

/** Runs `rates` in order, `durationSec` each, stopping at the first saturated one. */
export async function exchangeLoadSteps(
  rates: readonly number[],
  durationSec: number,
  warmUpOrders: number,
): Promise<LoadSteps> {
  // the program's defaults (fsync 'batch', capacity 64 Ki, 8 accounts, 4 symbols, seed 42) in a temporary directory
  const args = parseProgramArgs([]);
  const s = await openSession(args);
  const stop = { requested: false };
  const none = (): void => {};
  try {
    await publishOrders(s.bus, s.flow, s.probes, { orders: warmUpOrders, rate: null, durationSec: null }, stop, none);
    await s.bus.drain({ timeoutMs: DRAIN_TIMEOUT_MS });
    s.probes.reportOut.harvest();
    s.probes.durableAck.harvest();
    const steps: LoadStep[] = [];
    let saturatedAt: number | null = null;
    for (const rate of rates) {
      s.probes.reportOut.reset();
      s.probes.durableAck.reset();
      const sampler = await startHiccupSampler();
      const plan = { orders: Infinity, rate, durationSec };
      const pub = await publishOrders(s.bus, s.flow, s.probes, plan, stop, none);
      await s.bus.drain({ timeoutMs: DRAIN_TIMEOUT_MS });
      const hiccups = await sampler.stop();
      s.probes.reportOut.harvest();
      s.probes.durableAck.harvest();
      const offered = rate * pub.seconds;
      const saturated = pub.behindNs > Math.max(10e6, durationSec * 0.05 * 1e9) || pub.published < 0.95 * offered;
      steps.push({
        rate,
        published: pub.published,
        achieved: pub.seconds > 0 ? pub.published / pub.seconds : 0,
        behindMs: pub.behindNs / 1e6,
        saturated,
        durableAck: s.probes.durableAck.percentiles(),
        reportOut: s.probes.reportOut.percentiles(),
        hiccups,
      });
      if (saturated) {
        saturatedAt = rate;
        break;
      }
    }
    return { steps, saturatedAt, placement: s.bus.placement(), durationSec, warmUpOrders };
  } finally {
    await closeSession(s);
  }
}
