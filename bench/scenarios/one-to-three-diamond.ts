/**
 * one-to-three-diamond: throughput of a diamond (the Disruptor's
 * OneToThreeDiamondSequencedThroughputTest), per-event and batch publish.
 *
 *                                    bus worker 'handlers' (cpu 1, busy-spin)
 *     main (producer, cpu 0)        ┌──────────────────────────────┐
 *     ┌───────────────────┐  ring   │   ┌──▶ a ──┐                 │
 *     │ publish value     │ ──────▶ │ ──┤        ├──▶ c (after both)│
 *     └───────────────────┘         │   └──▶ b ──┘                 │
 *                                   └──────────────────────────────┘
 *     baseline: main ── postMessage(value) ──▶ worker: a, b, c in order
 *     peer:     EventEmitter on one thread, a, b, c as listeners
 *
 * The measuring code is shared by the topology scenarios: see lib/topologyRuns.ts.
 */
import type { BenchOptions } from '../lib/options.js';
import type { BenchReport } from '../lib/report.js';
import { runTopology } from '../lib/topologyRuns.js';

export function run(options: BenchOptions): Promise<BenchReport> {
  return runTopology('one-to-three-diamond', options);
}
