/**
 * one-to-one: one producer thread → one consumer thread (the Disruptor's OneToOneSequencedThroughputTest).
 *
 *     main thread (producer)                         worker 1 (consumer)
 *     ┌──────────────────────┐   ring (SAB, 16K slots)   ┌──────────────────────┐
 *     │ next/write/publish   │ ───────────────────────▶ │ waitFor → sum values │
 *     └──────────────────────┘                          └──────────────────────┘
 *     baseline, same pair of threads:  main ── postMessage(value), one per event ──▶ worker 1
 *
 * Variants, each with the same number of events per timed run:
 *   ring per-event         next() · flyweight write · publish(s), per event
 *   ring publishWith       publishWith(translator, value) per event (also stamps the timestamp)
 *   ring batch             next(256) · 256 flyweight writes · one publish(lo, hi)
 *   postMessage (baseline) port.postMessage(value) per event, no flow control (the fastest way
 *                          to use it); the consumer replies after the last one
 *   ringbuf.js (peer)      the npm SPSC SharedArrayBuffer ring: push of 1 value per event, and of
 *                          256 values per push (batch), same event count (lib/peerRuns.ts); and
 *                          batch with 24-byte events (3 float64 each, the value first): the same
 *                          bytes per event as the ring's slot (16-byte header + the value), since
 *                          in a batch the bytes crossing between the cores set the pace
 *   piscina (peer)         the worker pool a Node user would pick instead: pool.run(value) per
 *                          event on a one-thread pool, ≤ 1024 in flight, results summed
 *                          (lib/piscinaRuns.ts); fewer events per run unless --full (it is slow)
 *   raw SPSC (limit)       no library: a Float64Array ring and two Atomics indices, per event and
 *                          per 256: what the machine can move between these two threads at all
 * Peers and limits run on a second worker pinned to the consumer's CPU while worker 1 idles in
 * its event loop, so that two threads spin at any time.
 * A run is timed from the first claim (or post) until the consumer has taken the last event:
 * for the ring, until its gating sequence reaches the last sequence; for postMessage, until its
 * reply arrives. Hand-timed (warm-up runs, then timed runs, median), not tinybench: the run spans
 * two threads (see lib/timing.ts). The ring variants run interleaved (one run of each per round)
 * so that outside load on a shared machine hits them alike.
 *
 * Placement: producer on the main thread, consumer on one worker, each pinned to its own CPU
 * when the native addon is there; both wait by busy-spinning (2 spinning threads on 2 cores is
 * the one case where busy-spin is allowed). Every consumed value is summed and checked against
 * the expected sum, so a run that loses or repeats events fails instead of printing a figure.
 */
import { Worker } from 'node:worker_threads';
import { defineEvent, RingBuffer, type Flyweight } from '../../src/index.js';
import { machineInfo } from '../lib/machine.js';
import type { BenchOptions } from '../lib/options.js';
import { describePlacement, tryPin } from '../lib/placement.js';
import type { BenchReport, BenchResult } from '../lib/report.js';
import { nowNs, perSecond, timeInterleaved, timeRepeated, type RepeatedTiming } from '../lib/timing.js';
import { startPeerWorker, timeRawSpsc, timeRingbufJs } from '../lib/peerRuns.js';
import { startPiscina, timePiscina, WINDOW } from '../lib/piscinaRuns.js';

interface ValueFlyweight extends Flyweight {
  value: number;
}

const ValueEvent = defineEvent<ValueFlyweight>('ValueEvent', { value: 'i53' });
const CAPACITY = 16 * 1024;
const BATCH = 256;
const PRODUCER_CPU = 0;
const CONSUMER_CPU = 1;
const PISCINA = 'piscina run() per event';
/** float64 values per event in the same-bytes ringbuf.js run: a whole ValueEvent slot (24 bytes). */
const SLOT_WIDTH = ValueEvent.slotSize / 8;
const RINGBUF_SAME_BYTES = `ringbuf.js batch, ${ValueEvent.slotSize}-byte events`;

/** Sum of 0 … n-1. */
const sumTo = (n: number): number => (n * (n - 1)) / 2;

function await1<T>(worker: Worker, type: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: { type?: string }): void => {
      if (m && m.type === type) {
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve(m as T);
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const events = options.events ?? (options.quick ? 50_000 : 2_000_000);
  const ringReps = options.reps ?? (options.quick ? 3 : 7);
  const ringWarmup = options.quick ? 1 : 2;
  const postReps = options.reps ?? (options.quick ? 1 : 3);
  const postWarmup = 1;
  // piscina moves ~10⁴–10⁵ events/s: a full-size run would take most of the quick suite's minutes
  const piscinaEvents = options.full ? events : Math.min(events, options.quick ? 10_000 : 100_000);
  const machine = machineInfo(); // before pinning: availableParallelism follows this thread's affinity

  const ring = new RingBuffer<ValueFlyweight>({ capacity: CAPACITY, event: ValueEvent, waitStrategy: 'busy-spin' });
  const consumerSeq = ring.newSequence();
  ring.addGatingSequences(consumerSeq);
  const worker = new Worker(new URL('../workers/oneToOneConsumer.js', import.meta.url), {
    workerData: { descriptor: ring.descriptor(), line: consumerSeq.line, cpu: CONSUMER_CPU },
  });
  try {
    // Await the worker before this thread spins on the ring: a worker that failed to start would
    // otherwise leave it spinning forever, deaf to the error. Pin this thread only after starting
    // the worker (threads inherit their creator's affinity).
    const { cpu: consumerCpu } = await await1<{ cpu: number | null }>(worker, 'ready');
    const peer = await startPeerWorker(CONSUMER_CPU);
    const producerCpu = tryPin(PRODUCER_CPU);

    // --- baseline: postMessage, one message per event, same pair of threads ---------------
    const postTiming = await timeRepeated(postWarmup, postReps, async () => {
      const counted = await1<{ sum: number }>(worker, 'counted');
      worker.postMessage({ cmd: 'count', n: events });
      const t0 = nowNs();
      for (let i = 0; i < events; i++) worker.postMessage(i);
      const { sum } = await counted;
      const ns = nowNs() - t0;
      if (sum !== sumTo(events))
        throw new Error(`postMessage baseline: consumer summed ${sum}, expected ${sumTo(events)}`);
      return ns;
    });

    // --- peers and the machine's limit, on the peer worker (worker 1 idles meanwhile) -----------
    const outside: Array<[string, 'peer' | 'limit', RepeatedTiming, string]> = [];
    try {
      for (const [batch, label] of [
        [1, 'per-event'],
        [BATCH, 'batch'],
      ] as const) {
        const rb = await timeRingbufJs(peer, events, batch, ringWarmup, ringReps);
        outside.push([
          `ringbuf.js ${label}`,
          'peer',
          rb,
          `push(${batch} value${batch > 1 ? 's' : ''}), 8 bytes per event`,
        ]);
        if (batch > 1) {
          // the same bytes per event as the ring's slot (16-byte header + the value)
          const rb24 = await timeRingbufJs(peer, events, batch, ringWarmup, ringReps, SLOT_WIDTH);
          outside.push([
            RINGBUF_SAME_BYTES,
            'peer',
            rb24,
            `push(${batch} events × ${SLOT_WIDTH} values), ${ValueEvent.slotSize} bytes per event`,
          ]);
        }
        const raw = await timeRawSpsc(peer, events, batch, ringWarmup, ringReps);
        outside.push([`raw SPSC ${label}`, 'limit', raw, `Float64Array ring, Atomics index store per ${batch}`]);
      }
    } finally {
      await peer.worker.terminate();
    }
    // piscina's thread on the consumer's CPU while worker 1 idles in its event loop
    const pool = startPiscina(CONSUMER_CPU);
    let piscinaTiming: RepeatedTiming;
    try {
      piscinaTiming = await timePiscina(pool, piscinaEvents, postWarmup, postReps);
    } finally {
      await pool.destroy();
    }

    // --- the ring ------------------------------------------------------------------------------
    const ringDone = await1<{ sum: number; count: number }>(worker, 'ring-done');
    worker.postMessage({ cmd: 'ring' });
    const w = ring.flyweight();
    let expectedSum = 0;
    let expectedCount = 0;
    /** Waits (spinning) until the consumer has taken everything published so far. */
    const drained = (): void => {
      const last = ring.getCursor();
      while (consumerSeq.read(last) < last) {
        if (ring.isAlerted()) throw new Error('ring halted during a run');
      }
    };
    const timed = (produce: () => void) => (): number => {
      const t0 = nowNs();
      produce();
      drained();
      const ns = nowNs() - t0;
      expectedSum += sumTo(events);
      expectedCount += events;
      return ns;
    };
    const perEvent = (): void => {
      for (let i = 0; i < events; i++) {
        const s = ring.next();
        w.$wrap(ring.slotOffset(s));
        w.value = i;
        ring.publish(s);
      }
    };
    const translate = (e: ValueFlyweight, _s: number, v: number): void => {
      e.value = v;
    };
    const withTranslator = (): void => {
      for (let i = 0; i < events; i++) ring.publishWith(translate, i);
    };
    const batched = (): void => {
      for (let i = 0; i < events;) {
        const n = events - i < BATCH ? events - i : BATCH;
        const hi = ring.next(n);
        const lo = hi - n + 1;
        for (let s = lo; s <= hi; s++) {
          w.$wrap(ring.slotOffset(s));
          w.value = i++;
        }
        ring.publish(lo, hi);
      }
    };
    const variants: Array<[string, () => void, string]> = [
      ['ring per-event', perEvent, 'next() · write · publish(s)'],
      ['ring publishWith', withTranslator, 'publishWith(translator, v), stamps time'],
      ['ring batch', batched, `next(${BATCH}) · ${BATCH} writes · publish(lo, hi)`],
    ];
    const ringTimings = await timeInterleaved(
      ringWarmup,
      ringReps,
      variants.map(([, produce]) => timed(produce)),
    );
    const timings = variants.map(([name, , detail], i) => ({ name, detail, t: ringTimings[i]! }));
    ring.halt();
    const consumed = await ringDone;
    if (consumed.count !== expectedCount || consumed.sum !== expectedSum) {
      throw new Error(
        `ring runs: consumer took ${consumed.count} events summing ${consumed.sum}, expected ${expectedCount} summing ${expectedSum}`,
      );
    }

    const baselineRate = perSecond(events, postTiming.medianNs);
    const baseline: BenchResult = {
      name: 'postMessage',
      eventsPerSec: baselineRate,
      eventsPerSecMin: perSecond(events, postTiming.maxNs),
      eventsPerSecMax: perSecond(events, postTiming.minNs),
      events,
      reps: postReps,
      detail: 'postMessage(value) per event',
    };
    const rated = (name: string, t: RepeatedTiming, reps: number, detail: string, n = events): BenchResult => {
      const eventsPerSec = perSecond(n, t.medianNs);
      return {
        name,
        eventsPerSec,
        eventsPerSecMin: perSecond(n, t.maxNs),
        eventsPerSecMax: perSecond(n, t.minNs),
        ratioVsBaseline: eventsPerSec / baselineRate,
        events: n,
        reps,
        detail,
      };
    };
    const results: BenchResult[] = timings.map(({ name, detail, t }) => ({
      ...rated(name, t, ringReps, detail),
      against: /batch/.test(name)
        ? ['ringbuf.js batch', RINGBUF_SAME_BYTES, 'raw SPSC batch', PISCINA]
        : ['ringbuf.js per-event', 'raw SPSC per-event', PISCINA],
    }));
    const peers = [
      ...outside.filter(([, role]) => role === 'peer').map(([n, , t, d]) => rated(n, t, ringReps, d)),
      rated(PISCINA, piscinaTiming, postReps, `pool.run(v), 1 thread, ≤ ${WINDOW} in flight`, piscinaEvents),
    ];
    const limits = outside.filter(([, role]) => role === 'limit').map(([n, , t, d]) => rated(n, t, ringReps, d));
    return {
      scenario: 'one-to-one',
      results,
      baseline,
      peers,
      limits,
      machine,
      placement: describePlacement([
        { role: 'producer', thread: 'main', cpu: producerCpu, wait: 'busy-spin' },
        { role: 'consumer', thread: 'worker 1', cpu: consumerCpu, wait: 'busy-spin (ring) / event loop (postMessage)' },
        { role: 'consumer (peers, limit)', thread: 'worker 2', cpu: peer.cpu, wait: 'busy-spin' },
        { role: 'consumer (piscina)', thread: 'piscina worker', cpu: peer.cpu, wait: "piscina's (Atomics.wait)" },
      ]),
      notes: [
        `${events} events per timed run (piscina ${piscinaEvents}: its rate does not depend on the count, and a full-size run takes tens of seconds; --full runs it at full size); median of ${ringReps} interleaved rounds of the ring variants after ${ringWarmup} warm-up, ${postReps} postMessage runs after ${postWarmup}`,
        `ring capacity ${CAPACITY} slots of ${ValueEvent.slotSize} bytes; consumer sums every value and the total is checked`,
        `shape: a ring slot carries a ${ValueEvent.slotSize - 8}-byte header (timestamp, kind, aux) besides the 8-byte value, so each ring event moves ${ValueEvent.slotSize} bytes between the cores where 'ringbuf.js batch' moves 8; '${RINGBUF_SAME_BYTES}' moves the same ${ValueEvent.slotSize} bytes per event (the value and ${SLOT_WIDTH - 1} untouched float64s) and is the same-shape comparison for 'ring batch'`,
      ],
      quick: options.quick,
    };
  } finally {
    ring.halt();
    await worker.terminate();
  }
}
