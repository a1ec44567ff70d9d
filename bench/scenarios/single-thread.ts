/**
 * single-thread: what publishing and consuming cost on ONE thread, against Node's EventEmitter,
 * the in-process bus a Node user reaches for first. Measured with tinybench (many calls of one
 * function on one thread is exactly its model); each task call moves BATCH events, so the timer's
 * own cost is spread over them.
 *
 *     main thread:  producer ──▶ ring (1024 slots) ──▶ consumer   (the same thread, in turn)
 *     baseline:     emitter.emit('event', value) ──▶ one listener
 *
 * Variants (BATCH events per call, every value summed and checked):
 *   ring publishWith + consume   publishWith(translator, value) per event, then one barrier poll and
 *                                the batch read through the flyweight
 *   ring batch + consume         next(BATCH) · flyweight writes · publish(lo, hi), then consume
 *   ring publishEvent + consume  validating publish of a reused plain object per event
 *   EventEmitter (baseline)      emit('event', value) per event to one listener that sums
 */
import { EventEmitter } from 'node:events';
import { Bench } from 'tinybench';
import { defineEvent, RingBuffer, type Flyweight } from '../../src/index.js';
import { machineInfo } from '../lib/machine.js';
import type { BenchOptions } from '../lib/options.js';
import { describePlacement } from '../lib/placement.js';
import type { BenchReport, BenchResult } from '../lib/report.js';

interface ValueFlyweight extends Flyweight {
  value: number;
}
const ValueEvent = defineEvent<ValueFlyweight>('SingleThreadValue', { value: 'i53' });
const BATCH = 512;

/** A ring with one consumer on the same thread. */
function ringPair(): { ring: RingBuffer<ValueFlyweight>; consume: () => number } {
  const ring = new RingBuffer<ValueFlyweight>({ capacity: 1024, event: ValueEvent, waitStrategy: 'busy-spin' });
  const seq = ring.newSequence();
  ring.addGatingSequences(seq);
  const barrier = ring.newBarrier();
  const consume = (): number => {
    const next = seq.get() + 1;
    const available = barrier.poll(next);
    let sum = 0;
    for (let s = next; s <= available; s++) sum += ring.get(s).value;
    seq.set(available);
    return sum;
  };
  return { ring, consume };
}

function expectSum(name: string, got: number): void {
  const want = (BATCH * (BATCH - 1)) / 2;
  if (got !== want) throw new Error(`single-thread: ${name} summed ${got}, expected ${want}`);
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const machine = machineInfo();
  const bench = new Bench({ time: options.quick ? 50 : 1000, warmupTime: options.quick ? 20 : 200 });

  const a = ringPair();
  const translator = (e: ValueFlyweight, _s: number, v: number): void => {
    e.value = v;
  };
  bench.add('ring publishWith + consume', () => {
    for (let i = 0; i < BATCH; i++) a.ring.publishWith(translator, i);
    expectSum('publishWith', a.consume());
  });

  const b = ringPair();
  bench.add('ring batch + consume', () => {
    const hi = b.ring.next(BATCH);
    const lo = hi - BATCH + 1;
    for (let s = lo; s <= hi; s++) b.ring.get(s).value = s - lo;
    b.ring.publish(lo, hi);
    expectSum('batch', b.consume());
  });

  const c = ringPair();
  const values = { value: 0 };
  bench.add('ring publishEvent + consume', () => {
    for (let i = 0; i < BATCH; i++) {
      values.value = i;
      c.ring.publishEvent(values);
    }
    expectSum('publishEvent', c.consume());
  });

  const emitter = new EventEmitter();
  let emitted = 0;
  emitter.on('event', (v: number) => {
    emitted += v;
  });
  bench.add('EventEmitter', () => {
    emitted = 0;
    for (let i = 0; i < BATCH; i++) emitter.emit('event', i);
    expectSum('EventEmitter', emitted);
  });

  await bench.run();
  const rows: BenchResult[] = bench.tasks.map((t) => {
    const r = t.result;
    if (r.state !== 'completed')
      throw new Error(`single-thread: task ${t.name} ended ${r.state}${'error' in r ? `: ${String(r.error)}` : ''}`);
    return { name: t.name, eventsPerSec: r.throughput.p50 * BATCH, events: BATCH, reps: r.latency.samplesCount };
  });
  const baseline = rows.find((r) => r.name === 'EventEmitter')!;
  const results = rows
    .filter((r) => r !== baseline)
    .map((r) => ({ ...r, ratioVsBaseline: r.eventsPerSec! / baseline.eventsPerSec! }));
  return {
    scenario: 'single-thread',
    results,
    baseline: { ...baseline, ratioVsBaseline: 1 },
    machine,
    placement: {
      ...describePlacement([{ role: 'producer and consumer', thread: 'main', cpu: null, wait: 'none (poll)' }]),
      note: 'one thread, not pinned (nothing to place)',
    },
    notes: [
      `tinybench ${options.quick ? '50' : '1000'} ms per task; figures are the median task throughput × ${BATCH} events per call`,
      'one thread does everything: this is the per-event cost of the API, not a cross-thread figure (see one-to-one).',
      'EventEmitter is a synchronous, inlined function call with nothing stamped, copied or made visible to another thread: on one thread it is faster than a ring, which exists to cross threads.',
      'publishWith and publishEvent stamp each event with the clock (~30 ns with the native addon); publishEvent also validates every field.',
    ],
    ...(options.quick ? { quick: true } : {}),
  };
}
