/**
 * Reports ring: the report sink. Counts reports by type, keeps the highest commands-ring sequence
 * it has released and a digest of every report it received (so a test can compare the stream that
 * reached the ring with the engine's own digest). Allocation-free per report.
 * Durability: in the pipeline with a journal the sink runs behind a cross-ring gate on
 * `commands.journal` (pipeline.ts): a report reaches onEvent only once the journal's durable
 * sequence has passed the report's command. The sink checks this itself for every report it
 * releases (the durable sequence read at that moment through `ctx.gate`) and counts violations
 * in `gateViolations` (0 is the contract; tests assert it).
 */
import { defineHandler } from '../../../src/processing/Handler.js';
import { ExecutionReport, ReportDigest } from '../exchange/ExecutionReport.js';
import type { ExecutionReportFlyweight } from '../exchange/reportEvent.js';
import { hashState } from '../stateHash.js';

export interface ReportSinkSnapshot {
  lastSequence: number;
  byType: number[];
  digest: string;
  digestState: number[];
  /** Reports released while their command was not yet durable (always 0 behind the gate). */
  gateViolations: number;
}

export default defineHandler<ExecutionReportFlyweight, unknown, ReportSinkSnapshot>((ctx) => {
  const gate = ctx.gate ?? null;
  let gateViolations = 0;
  const digest = new ReportDigest();
  const byType = new Float64Array(16);
  let lastSequence = -1;
  const snapshot = (): ReportSinkSnapshot => ({
    lastSequence,
    byType: Array.from(byType),
    digest: digest.digest(),
    digestState: digest.state(),
    gateViolations,
  });
  return {
    onEvent(event) {
      if (gate !== null && event.sequence > gate.upstreamSequence()) gateViolations++;
      lastSequence = event.sequence;
      byType[event.type < 15 ? event.type : 15]++;
      // the flyweight has every ExecutionReport field under the same name
      digest.onReport(event as unknown as ExecutionReport);
    },
    snapshot,
    restore(s) {
      lastSequence = s.lastSequence;
      byType.set(s.byType);
      digest.setState(s.digestState);
      gateViolations = s.gateViolations ?? 0;
    },
    stateHash: () => hashState(snapshot()),
  };
});
