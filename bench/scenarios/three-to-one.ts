/**
 * three-to-one: throughput of three producer threads into one consumer (the Disruptor's
 * ThreeToOneSequencedThroughputTest), multi-producer ring, per-event and batch publish.
 *
 *     main (producer 1, cpu 0)   ──┐
 *     worker 1 (producer 2)      ──┼──▶ ring (multi-producer) ──▶ bus worker 'handlers' (cpu 1): a sums
 *     worker 2 (producer 3)      ──┘
 *     baseline: the same three threads ── postMessage, one MessagePort each ──▶ one worker: a
 *     peer:     EventEmitter on one thread, a as the listener
 *
 * Four busy threads on two cores: the handlers' worker and full-ring waits yield instead of
 * spinning. The measuring code is shared by the topology scenarios: see lib/topologyRuns.ts.
 */
import type { BenchOptions } from '../lib/options.js';
import type { BenchReport } from '../lib/report.js';
import { runTopology } from '../lib/topologyRuns.js';

export function run(options: BenchOptions): Promise<BenchReport> {
  return runTopology('three-to-one', options);
}
