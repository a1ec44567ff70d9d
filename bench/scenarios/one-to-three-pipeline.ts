/**
 * one-to-three-pipeline: throughput of a three-stage pipeline (the Disruptor's
 * OneToThreePipelineSequencedThroughputTest), per-event and batch publish.
 *
 *     main (producer, cpu 0)         bus worker 'handlers' (cpu 1, busy-spin)
 *     ┌───────────────────┐  ring   ┌───────────────────────────────┐
 *     │ publish value     │ ──────▶ │ a ──▶ b ──▶ c  (each sums)    │
 *     └───────────────────┘         └───────────────────────────────┘
 *     baseline: main ── postMessage(value) ──▶ worker: a, b, c in order
 *     peer:     EventEmitter on one thread, a, b, c as listeners
 *
 * The measuring code is shared by the topology scenarios: see lib/topologyRuns.ts.
 */
import type { BenchOptions } from '../lib/options.js';
import type { BenchReport } from '../lib/report.js';
import { runTopology } from '../lib/topologyRuns.js';

export function run(options: BenchOptions): Promise<BenchReport> {
  return runTopology('one-to-three-pipeline', options);
}
