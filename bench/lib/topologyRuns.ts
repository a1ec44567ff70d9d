/**
 * The Disruptor's throughput topologies over a RingBus (one-to-three pipeline, diamond and
 * multicast; three-to-one), each measured per event (publishWith) and batched (next(256) ·
 * writes · publish(lo, hi) on the bus's ring), against, in the same run and with the same event
 * count:
 *   postMessage (baseline)  one message per event to one worker that runs the same stages in
 *                           order (three-to-one: three producer threads, one MessagePort each)
 *   EventEmitter (peer)     one thread, emit per event to the same stages as listeners
 * Every stage sums the values it sees; the sums and counts are checked after the runs, so a lost
 * or repeated event fails the scenario instead of printing a figure.
 *
 * Placement: every handler on the bus's one worker pinned to CPU 1, the producer (main) on CPU 0.
 * One-to-three: both busy-spin (two spinning threads on two cores). Three-to-one: two more
 * producer threads (unpinned) publish at the same time, so the handlers' worker yields instead
 * of spinning and the ring is multi-producer.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, Worker } from 'node:worker_threads';
import { DEFAULT_WORKER, RingBus, type WaitStrategyType } from '../../src/index.js';
import { CountEvent, type CountFlyweight } from '../workers/countEvent.js';
import type { CountSnapshot } from '../workers/countHandler.js';
import { publishRange } from '../workers/topologyPublish.js';
import { awaitMessage, setAffinity } from './latencyTools.js';
import { machineInfo } from './machine.js';
import { sized, type BenchOptions } from './options.js';
import { describePlacement, tryPin, type ThreadPlacement } from './placement.js';
import type { BenchReport, BenchResult } from './report.js';
import { nowNs, perSecond, timeInterleaved, timeRepeated, type RepeatedTiming } from './timing.js';

export type Topology = 'one-to-three-pipeline' | 'one-to-three-diamond' | 'one-to-three-multicast' | 'three-to-one';

const PRODUCER_CPU = 0;
const WORKER_CPU = 1;
const BATCH = 256;
const CAPACITY = 16 * 1024;
const sumTo = (from: number, n: number): number => n * from + (n * (n - 1)) / 2;

/** The stages (handler names) and how the bus wires them. */
const SHAPES: Record<Topology, { stages: string[]; wiring: string }> = {
  'one-to-three-pipeline': { stages: ['a', 'b', 'c'], wiring: 'a → b → c' },
  'one-to-three-diamond': { stages: ['a', 'b', 'c'], wiring: '(a ∥ b) → c' },
  'one-to-three-multicast': { stages: ['a', 'b', 'c'], wiring: 'a ∥ b ∥ c' },
  'three-to-one': { stages: ['a'], wiring: '3 producers → a' },
};

/** Producer threads besides main (three-to-one only). */
async function startProducers(count: number): Promise<Worker[]> {
  const ws = Array.from(
    { length: count },
    () => new Worker(new URL('../workers/topologyProducer.js', import.meta.url)),
  );
  await Promise.all(ws.map((w) => awaitMessage(w, 'ready')));
  return ws;
}

/** Splits n events over `parts` producers: [from, count] each. */
function shares(n: number, parts: number): Array<[number, number]> {
  const each = Math.floor(n / parts);
  return Array.from({ length: parts }, (_, i) => [i * each, i === parts - 1 ? n - i * each : each]);
}

async function postMessageBaseline(
  topology: Topology,
  producers: Worker[],
  n: number,
  warmup: number,
  reps: number,
): Promise<{ timing: RepeatedTiming; cpu: number | null }> {
  const stages = SHAPES[topology].stages.length;
  const consumer = new Worker(new URL('../workers/topologyConsumer.js', import.meta.url), {
    workerData: { cpu: WORKER_CPU, stages },
  });
  try {
    const { cpu } = await awaitMessage<{ cpu: number | null }>(consumer, 'ready');
    const parts = shares(n, producers.length + 1);
    const timing = await timeRepeated(warmup, reps, async () => {
      const counted = awaitMessage<{ sums: number[] }>(consumer, 'counted');
      const channels = producers.map(() => new MessageChannel());
      consumer.postMessage(
        { cmd: 'count', n, ports: channels.map((c) => c.port2) },
        channels.map((c) => c.port2),
      );
      const t0 = nowNs();
      const produced = producers.map((w, i) => {
        const done = awaitMessage(w, 'produced');
        const [from, count] = parts[i + 1]!;
        w.postMessage({ cmd: 'post', port: channels[i]!.port1, from, n: count }, [channels[i]!.port1]);
        return done;
      });
      const [from, count] = parts[0]!;
      for (let i = from; i < from + count; i++) consumer.postMessage(i);
      await Promise.all(produced);
      const { sums } = await counted;
      const ns = nowNs() - t0;
      for (const s of sums)
        if (s !== sumTo(0, n)) throw new Error(`${topology} postMessage: a stage summed ${s}, expected ${sumTo(0, n)}`);
      return ns;
    });
    return { timing, cpu };
  } finally {
    await consumer.terminate();
  }
}

/** One thread: emit per event to the stages as listeners (each sums). */
function eventEmitterPeer(topology: Topology, n: number, warmup: number, reps: number): Promise<RepeatedTiming> {
  const ee = new EventEmitter();
  const sums = new Float64Array(SHAPES[topology].stages.length);
  for (let s = 0; s < sums.length; s++)
    ee.on('e', (v: number) => {
      sums[s]! += v;
    });
  return timeRepeated(warmup, reps, () => {
    sums.fill(0);
    const t0 = nowNs();
    for (let i = 0; i < n; i++) ee.emit('e', i);
    const ns = nowNs() - t0;
    for (const s of sums) if (s !== sumTo(0, n)) throw new Error(`EventEmitter: a listener summed ${s}`);
    return ns;
  });
}

/** Builds the bus for `topology`, runs per-event and batch publishing interleaved, checks the stages. */
async function busRuns(
  topology: Topology,
  producers: Worker[],
  n: number,
  warmup: number,
  reps: number,
): Promise<{ perEvent: RepeatedTiming; batch: RepeatedTiming; workerCpu: number | null; wait: WaitStrategyType }> {
  const multi = producers.length > 0;
  const wait: WaitStrategyType = multi ? 'yielding' : 'busy-spin';
  setAffinity([PRODUCER_CPU, WORKER_CPU]); // the bus checks worker CPUs against this thread's affinity
  const bus = new RingBus<CountFlyweight>({
    event: CountEvent,
    capacity: CAPACITY,
    producerType: multi ? 'multi' : 'single',
    waitStrategy: wait,
    metrics: false,
    workers: { [DEFAULT_WORKER]: { cpu: WORKER_CPU, waitStrategy: wait } },
  });
  const url = new URL('../workers/countHandler.js', import.meta.url);
  const [a, b, c] = SHAPES[topology].stages.map((s) => bus.handler(s, url));
  if (topology === 'one-to-three-pipeline') bus.handleEventsWith(a!).then(b!).then(c!);
  else if (topology === 'one-to-three-diamond') bus.handleEventsWith(a!, b!).then(c!);
  else if (topology === 'one-to-three-multicast') bus.handleEventsWith(a!, b!, c!);
  else bus.handleEventsWith(a!);
  await bus.start();
  try {
    tryPin(PRODUCER_CPU);
    const parts = shares(n, producers.length + 1);
    let runs = 0;
    const timed = (batch: number) => async (): Promise<number> => {
      runs++;
      const t0 = nowNs();
      const produced = producers.map((w, i) => {
        const done = awaitMessage(w, 'produced');
        const [from, count] = parts[i + 1]!;
        w.postMessage({ cmd: 'ring', publisher: bus.publisherDescriptor(), from, n: count, batch });
        return done;
      });
      publishRange(bus.publisher, parts[0]![0], parts[0]![1], batch);
      await Promise.all(produced);
      await bus.drain({ timeoutMs: 120_000 });
      return nowNs() - t0;
    };
    const [perEvent, batch] = await timeInterleaved(warmup, reps, [timed(1), timed(BATCH)]);
    const cut = await bus.captureState({ timeoutMs: 30_000 });
    for (const s of SHAPES[topology].stages) {
      const x = cut.states[s] as CountSnapshot;
      if (x.count !== runs * n || x.sum !== runs * sumTo(0, n))
        throw new Error(
          `${topology}: stage ${s} took ${x.count} events summing ${x.sum}, expected ${runs * n} summing ${runs * sumTo(0, n)}`,
        );
    }
    const w = bus.placement().workers[0]!;
    return { perEvent: perEvent!, batch: batch!, workerCpu: w.pinned ? WORKER_CPU : null, wait };
  } finally {
    await bus.shutdown({ timeoutMs: 30_000 }).catch(() => bus.halt());
  }
}

function rated(
  name: string,
  n: number,
  t: RepeatedTiming,
  reps: number,
  detail: string,
  against?: string[],
): BenchResult {
  return {
    name,
    eventsPerSec: perSecond(n, t.medianNs),
    eventsPerSecMin: perSecond(n, t.maxNs),
    eventsPerSecMax: perSecond(n, t.minNs),
    events: n,
    reps,
    detail,
    ...(against ? { against } : {}),
  };
}

/** Runs one topology scenario: the bus per event and batched, the postMessage baseline and the EventEmitter peer. */
export async function runTopology(topology: Topology, options: BenchOptions): Promise<BenchReport> {
  const n = options.events ?? sized(options, 30_000, 1_000_000, 5_000_000);
  const reps = options.reps ?? sized(options, 2, 5, 9);
  const warmup = 1;
  const machine = machineInfo(); // before pinning
  const producers = topology === 'three-to-one' ? await startProducers(2) : [];
  try {
    const post = await postMessageBaseline(topology, producers, n, warmup, Math.min(reps, 3));
    const ee = await eventEmitterPeer(topology, n, warmup, reps);
    const bus = await busRuns(topology, producers, n, warmup, reps);
    const { wiring } = SHAPES[topology];
    const threads: ThreadPlacement[] = [
      { role: 'producer', thread: 'main', cpu: tryPin(PRODUCER_CPU), wait: `${bus.wait} on a full ring` },
      ...producers.map((_, i) => ({ role: `producer ${i + 2}`, thread: `worker ${i + 1}`, cpu: null, wait: bus.wait })),
      { role: `handlers ${wiring}`, thread: `bus worker '${DEFAULT_WORKER}'`, cpu: bus.workerCpu, wait: bus.wait },
      { role: 'postMessage consumer', thread: 'worker', cpu: post.cpu, wait: 'event loop' },
    ];
    return {
      scenario: topology,
      results: [
        rated('RingBus per-event', n, bus.perEvent, reps, `publishWith per event; ${wiring}`),
        rated('RingBus batch', n, bus.batch, reps, `next(${BATCH}) · writes · publish(lo, hi); ${wiring}`),
      ],
      baseline: rated(
        'postMessage',
        n,
        post.timing,
        Math.min(reps, 3),
        'one message per event, stages in order on one worker',
      ),
      peers: [rated('EventEmitter', n, ee, reps, 'one thread, emit per event, stages as listeners')],
      machine,
      placement: describePlacement(
        threads,
        producers.length > 0 && bus.workerCpu !== null
          ? 'producers 2 and 3 unpinned on purpose: the scheduler places them'
          : undefined,
      ),
      notes: [
        `${n} events per timed run${producers.length ? ` (split over ${producers.length + 1} producers)` : ''}; median of ${reps} interleaved rounds (postMessage ${Math.min(reps, 3)}) after ${warmup} warm-up, timed from the first publish until bus.drain() resolves (the drain's polling is inside the figure)`,
        `every stage sums every value; counts and sums are checked after the runs`,
        `no limit figure here: the machine's limit for moving events between two threads is in one-to-one (raw SPSC copy loop)`,
      ],
      quick: options.quick,
    };
  } finally {
    await Promise.all(producers.map((w) => w.terminate()));
  }
}
