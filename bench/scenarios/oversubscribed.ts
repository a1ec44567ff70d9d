/**
 * oversubscribed: more threads than cores. Four gateway threads publish into a 64-slot
 * multi-producer bus consumed by two workers, on whatever cores the machine has (2 here):
 *
 *   gateway 0..3 ─publishWith─▶ RING (64 slots, multi-producer) ─┬─▶ counter c1 (worker w1)
 *                                                                 └─▶ counter c2 (worker w2)
 *
 * Variants: the bus's default waits (chosen from the placement, see waitChoice.ts) and each
 * named strategy for every thread; the baseline is the best named strategy of the same run, so
 * "vs baseline" of the default row says how close the default gets to the best choice. Every run
 * must deliver every event to both counters (checked), or the benchmark fails.
 */
import { Worker } from 'node:worker_threads';
import { RingBus, defineEvent, type Flyweight, type WaitStrategyOptions } from '../../src/index.js';
import { machineInfo } from '../lib/machine.js';
import type { BenchOptions } from '../lib/options.js';
import type { ThreadPlacement } from '../lib/placement.js';
import type { BenchReport, BenchResult } from '../lib/report.js';
import { median, perSecond } from '../lib/timing.js';

const Event = defineEvent<Flyweight & { value: number }>('OversubscribedEvent', { value: 'u32' });
const PRODUCERS = 4;
const COUNTER = new URL('../workers/oversubscribedCounter.js', import.meta.url);
const GATEWAY = new URL('../workers/oversubscribedGateway.js', import.meta.url);

/** One timed run: start the bus, release the gateways together, time until drained. */
async function runOnce(
  perProducer: number,
  waitStrategy: WaitStrategyOptions['type'] | undefined,
): Promise<{ ns: number; waits: string }> {
  const bus = new RingBus({
    event: Event,
    capacity: 64,
    producerType: 'multi',
    metrics: false,
    ...(waitStrategy ? { waitStrategy } : {}),
  });
  const counts = [0, 1].map(() => new SharedArrayBuffer(4 * (PRODUCERS + 1)));
  const refs = [0, 1].map((i) =>
    bus.handler(`c${i + 1}`, COUNTER, { worker: `w${i + 1}`, options: { counts: counts[i] } }),
  );
  bus.handleEventsWith(...refs);
  await bus.start();
  const gateways = Array.from(
    { length: PRODUCERS },
    (_, index) =>
      new Worker(GATEWAY, { workerData: { descriptor: bus.publisherDescriptor(), events: perProducer, index } }),
  );
  try {
    await Promise.all(gateways.map((g) => new Promise((resolve) => g.once('message', resolve))));
    const t0 = process.hrtime.bigint();
    const done = gateways.map((g) => new Promise((resolve) => g.once('message', resolve)));
    for (const g of gateways) g.postMessage('go');
    await Promise.all(done);
    await bus.drain({ timeoutMs: 300_000 });
    const ns = Number(process.hrtime.bigint() - t0);
    const waits = bus.placement().waits;
    await bus.shutdown();
    for (const c of counts) {
      const n = new Int32Array(c);
      for (let p = 0; p < PRODUCERS; p++)
        if (n[p] !== perProducer) throw new Error(`a counter saw ${n[p]} of producer ${p}'s ${perProducer} events`);
    }
    return { ns, waits };
  } finally {
    await Promise.all(gateways.map((g) => g.terminate()));
    if (bus.state === 'running') await bus.shutdown();
  }
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const quick = options.quick;
  const events = options.events ?? (quick ? 20_000 : 400_000);
  const reps = options.reps ?? (quick ? 1 : 3);
  const perProducer = Math.ceil(events / PRODUCERS);
  const total = perProducer * PRODUCERS;
  const named: Array<WaitStrategyOptions['type']> = ['blocking', 'phased', 'sleeping', 'yielding'];
  const variants: Array<WaitStrategyOptions['type'] | undefined> = [undefined, ...named];
  const times = variants.map(() => [] as number[]);
  let defaultWaits = '';
  await runOnce(Math.min(perProducer, 5000), undefined); // warm-up
  for (let r = 0; r < reps; r++)
    for (let v = 0; v < variants.length; v++) {
      const { ns, waits } = await runOnce(perProducer, variants[v]);
      times[v]!.push(ns);
      if (variants[v] === undefined) defaultWaits = waits;
    }
  const rates = times.map((t) => perSecond(total, median(t)));
  let best = 1;
  for (let v = 2; v < variants.length; v++) if (rates[v]! > rates[best]!) best = v;
  const row = (v: number): BenchResult => ({
    name: variants[v] === undefined ? 'default waits (chosen from the placement)' : `'${variants[v]}' everywhere`,
    eventsPerSec: rates[v]!,
    ratioVsBaseline: rates[v]! / rates[best]!,
    events: total,
    reps,
    detail: v === best ? 'best named strategy (baseline)' : '',
  });
  const threads: ThreadPlacement[] = [
    ...Array.from({ length: PRODUCERS }, (_, i) => ({
      role: `producer ${i}`,
      thread: `gateway ${i}`,
      cpu: null,
      wait: 'per variant',
    })),
    { role: 'counter c1', thread: 'worker "w1"', cpu: null, wait: 'per variant' },
    { role: 'counter c2', thread: 'worker "w2"', cpu: null, wait: 'per variant' },
  ];
  return {
    scenario: 'oversubscribed',
    results: variants
      .map((_, v) => v)
      .filter((v) => v !== best)
      .map(row),
    baseline: row(best),
    machine: machineInfo(),
    placement: {
      threads,
      pinned: false,
      note: `${PRODUCERS} gateways + 2 workers, unpinned, on ${machineInfo().availableParallelism} cores`,
    },
    notes: [
      `${total} events per run (${PRODUCERS} × ${perProducer}), 64-slot multi-producer ring, 2 consumers; median of ${reps} runs; every run delivered every event to both counters`,
      `default waits: ${defaultWaits}`,
      'vs baseline = ÷ the best named strategy of this run',
    ],
    quick,
  };
}
