/**
 * Reports ring: the report sink. Counts reports by type, keeps the highest commands-ring sequence
 * it has released and a digest of every report it received (so a test can compare the stream that
 * reached the ring with the engine's own digest). Allocation-free per report.
 * Durability: this sink does not yet wait for the command's journal record to be durable (see the
 * example README, "Not yet"); it releases reports in ring order as they arrive.
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
}

export default defineHandler<ExecutionReportFlyweight, unknown, ReportSinkSnapshot>(() => {
  const digest = new ReportDigest();
  const byType = new Float64Array(16);
  let lastSequence = -1;
  const snapshot = (): ReportSinkSnapshot => ({
    lastSequence,
    byType: Array.from(byType),
    digest: digest.digest(),
    digestState: digest.state(),
  });
  return {
    onEvent(event) {
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
    },
    stateHash: () => hashState(snapshot()),
  };
});
