import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import {
  BlockingWaitStrategy,
  BusySpinWaitStrategy,
  createWaitStrategy,
  defineEvent,
  PhasedBackoffWaitStrategy,
  RingBuffer,
  setYieldFunction,
  SleepingWaitStrategy,
  YieldingWaitStrategy,
  type WaitChannel,
  type WaitCondition,
  type WaitStrategy,
  type WaitStrategyOptions,
} from '../../src/index.js';
import { CONTROL_BLOCK_BYTES, PROGRESS_SIGNAL, PUBLISH_SIGNAL } from '../../src/layout/RingBufferDescriptor.js';

const fixture = new URL('./fixtures/unitRingWorker.js', import.meta.url);

function channel(): WaitChannel {
  return { ctl: new Int32Array(new SharedArrayBuffer(8)), waitersIndex: 0, signalIndex: 1 };
}

/** A condition that counts how often it is asked and what the waiter count was at the time. */
function probe(ch: WaitChannel, answer: boolean): WaitCondition & { calls: number; waitersSeen: number[] } {
  return {
    calls: 0,
    waitersSeen: [],
    isSatisfied() {
      this.calls++;
      this.waitersSeen.push(Atomics.load(ch.ctl, ch.waitersIndex));
      return answer;
    },
  };
}

let yields = 0;
function countYields(): void {
  yields = 0;
  setYieldFunction(() => {
    yields++;
  });
}
afterEach(() => setYieldFunction(null));

describe('createWaitStrategy', () => {
  const cases: Array<[WaitStrategyOptions['type'], new (...a: never[]) => WaitStrategy]> = [
    ['busy-spin', BusySpinWaitStrategy],
    ['yielding', YieldingWaitStrategy],
    ['sleeping', SleepingWaitStrategy],
    ['blocking', BlockingWaitStrategy],
    ['phased', PhasedBackoffWaitStrategy],
  ];
  for (const [type, cls] of cases) {
    it(`should build ${type} from its options object and from its name`, () => {
      const a = createWaitStrategy({ type } as WaitStrategyOptions);
      const b = createWaitStrategy(type);
      assert.ok(a instanceof cls);
      assert.ok(b instanceof cls);
      assert.equal(a.options.type, type);
      assert.deepEqual(a.options, b.options);
      // options are plain data: a structured clone rebuilds the same strategy (how workers get it)
      assert.deepEqual(createWaitStrategy(structuredClone(a.options) as WaitStrategyOptions).options, a.options);
    });
  }

  it('should default to the phased strategy', () => {
    assert.ok(createWaitStrategy() instanceof PhasedBackoffWaitStrategy);
    assert.ok(new RingBuffer({ capacity: 2, slotSize: 24 }).waitStrategy instanceof PhasedBackoffWaitStrategy);
  });

  it('should keep the numbers it was given in its options', () => {
    assert.deepEqual(createWaitStrategy({ type: 'phased', spinTries: 3, yieldTries: 4, maxBlockMs: 0.5 }).options, {
      type: 'phased',
      spinTries: 3,
      yieldTries: 4,
      maxBlockMs: 0.5,
    });
    assert.deepEqual(createWaitStrategy({ type: 'sleeping', spinTries: 1, yieldTries: 2, sleepMicros: 3 }).options, {
      type: 'sleeping',
      spinTries: 1,
      yieldTries: 2,
      sleepMicros: 3,
    });
    assert.deepEqual(createWaitStrategy({ type: 'yielding', spinTries: 9 }).options, {
      type: 'yielding',
      spinTries: 9,
    });
    assert.deepEqual(createWaitStrategy({ type: 'blocking', maxBlockMs: 2 }).options, {
      type: 'blocking',
      maxBlockMs: 2,
    });
  });

  it('should pass a ready-made strategy through unchanged', () => {
    const s = new BlockingWaitStrategy(3);
    assert.equal(createWaitStrategy(s as unknown as WaitStrategyOptions), s);
  });

  const bad: Array<[string, unknown, ErrorConstructor, string]> = [
    ['an unknown type name', 'spinning', TypeError, '"spinning"'],
    ['an unknown type in an object', { type: 'nap' }, TypeError, '"nap"'],
    ['null', null, TypeError, 'null'],
    ['a number', 5, TypeError, '5'],
    ['a negative spinTries', { type: 'yielding', spinTries: -1 }, RangeError, 'spinTries'],
    ['a fractional yieldTries', { type: 'phased', yieldTries: 1.5 }, RangeError, 'yieldTries'],
    ['an infinite maxBlockMs', { type: 'blocking', maxBlockMs: Infinity }, RangeError, 'maxBlockMs'],
    ['a string sleepMicros', { type: 'sleeping', sleepMicros: '10' }, RangeError, 'sleepMicros'],
  ];
  for (const [what, options, cls, mention] of bad) {
    it(`should reject ${what} with RINGBUS_ERR_INVALID_OPTION`, () => {
      assert.throws(
        () => createWaitStrategy(options as WaitStrategyOptions),
        (e: unknown) =>
          e instanceof cls &&
          (e as { code?: string }).code === 'RINGBUS_ERR_INVALID_OPTION' &&
          (e as Error).message.includes(mention),
      );
    });
  }

  it('should reject bad wait strategy options given to a RingBuffer', () => {
    assert.throws(
      () => new RingBuffer({ capacity: 2, slotSize: 24, waitStrategy: { type: 'phased', spinTries: -5 } }),
      { code: 'RINGBUS_ERR_INVALID_OPTION' },
    );
  });
});

describe('wait strategy idle steps', () => {
  it('should return from busy-spin at once without yielding or registering', () => {
    countYields();
    const ch = channel();
    const cond = probe(ch, false);
    for (const i of [0, 1, 1_000_000]) new BusySpinWaitStrategy().idle(i, ch, cond, Infinity);
    assert.equal(yields, 0);
    assert.equal(cond.calls, 0);
    assert.equal(Atomics.load(ch.ctl, 0), 0);
  });

  it('should spin, then yield on every step in the yielding strategy', () => {
    countYields();
    const s = new YieldingWaitStrategy(3);
    const ch = channel();
    const cond = probe(ch, false);
    for (let i = 0; i < 3; i++) s.idle(i, ch, cond, Infinity);
    assert.equal(yields, 0, 'no yield while spinning');
    for (let i = 3; i < 8; i++) s.idle(i, ch, cond, Infinity);
    assert.equal(yields, 5);
  });

  it('should spin, yield, then sleep (never register) in the sleeping strategy', () => {
    countYields();
    const s = new SleepingWaitStrategy(2, 3, 1);
    const ch = channel();
    const cond = probe(ch, false);
    for (let i = 0; i < 2; i++) s.idle(i, ch, cond, Infinity);
    assert.equal(yields, 0);
    for (let i = 2; i < 5; i++) s.idle(i, ch, cond, Infinity);
    assert.equal(yields, 3);
    s.idle(5, ch, cond, Infinity); // a nap of 1 µs
    s.idle(6, ch, cond, 0); // remaining time bounds the nap
    assert.equal(yields, 3, 'no yield in the sleep phase');
    assert.equal(cond.calls, 0, 'nobody has to wake a sleeper, so it never registers');
    assert.equal(Atomics.load(ch.ctl, 0), 0);
  });

  it('should register as a waiter, re-check the condition and unregister in the blocking strategy', () => {
    const s = new BlockingWaitStrategy(0.5);
    const ch = channel();
    const ready = probe(ch, true);
    s.idle(0, ch, ready, Infinity);
    assert.deepEqual(ready.waitersSeen, [1], 'the re-check happens while registered');
    assert.equal(Atomics.load(ch.ctl, 0), 0);
    const never = probe(ch, false);
    s.idle(0, ch, never, Infinity); // parks for at most maxBlockMs
    s.idle(1, ch, never, 0); // and never longer than the remaining time
    assert.deepEqual(never.waitersSeen, [1, 1]);
    assert.equal(Atomics.load(ch.ctl, 0), 0);
  });

  it('should spin, yield, then block in the phased strategy', () => {
    countYields();
    const s = new PhasedBackoffWaitStrategy(2, 2, 0.5);
    const ch = channel();
    const cond = probe(ch, true);
    s.idle(0, ch, cond, Infinity);
    s.idle(1, ch, cond, Infinity);
    assert.equal(yields, 0);
    assert.equal(cond.calls, 0);
    s.idle(2, ch, cond, Infinity);
    s.idle(3, ch, cond, Infinity);
    assert.equal(yields, 2);
    assert.equal(cond.calls, 0);
    s.idle(4, ch, cond, Infinity);
    s.idle(5, ch, probe(ch, false), 0);
    assert.equal(yields, 2);
    assert.deepEqual(cond.waitersSeen, [1], 'the block phase registers');
    assert.equal(Atomics.load(ch.ctl, 0), 0);
  });
});

const Ping = defineEvent('Ping', { id: 'i53', tag: { type: 'ascii', length: 8 } });

describe('blocking across threads', () => {
  it('should wake a consumer blocked in waitFor when a worker thread publishes', async () => {
    const ring = new RingBuffer({ capacity: 8, event: Ping, waitStrategy: { type: 'blocking', maxBlockMs: 30_000 } });
    const ctl = new Int32Array(ring.buffer, 0, CONTROL_BLOCK_BYTES / 4);
    const barrier = ring.newBarrier();
    const worker = new Worker(fixture, { workerData: { mode: 'wake-consumer', descriptor: ring.descriptor() } });
    try {
      const exited = once(worker, 'exit');
      const [ready] = (await once(worker, 'message')) as [{ ready: boolean }];
      assert.equal(ready.ready, true);
      const signalBefore = Atomics.load(ctl, PUBLISH_SIGNAL);
      const avail = barrier.waitFor(0); // blocks this thread until the worker publishes
      assert.equal(avail, 0);
      const [report] = (await once(worker, 'message')) as [{ seen: number; seq: number }];
      assert.ok(report.seen >= 1, `the worker saw ${report.seen} blocked consumers while the main thread waited`);
      assert.equal(report.seq, 0);
      assert.ok(Atomics.load(ctl, PUBLISH_SIGNAL) > signalBefore, 'the publisher saw the waiter and signalled');
      assert.deepEqual(ring.get(0).$toObject(), { id: 4242, tag: 'worker' });
      assert.equal(ring.blockedWaiters().consumers, 0);
      const [code] = (await exited) as [number];
      assert.equal(code, 0);
    } finally {
      await worker.terminate();
    }
  });

  it('should wake a producer blocked on a full ring when a worker consumer advances', async () => {
    const ring = new RingBuffer({ capacity: 4, event: Ping, waitStrategy: { type: 'blocking', maxBlockMs: 30_000 } });
    const ctl = new Int32Array(ring.buffer, 0, CONTROL_BLOCK_BYTES / 4);
    const consumer = ring.newSequence();
    ring.addGatingSequences(consumer);
    for (let i = 0; i < 4; i++) ring.publishEvent({ id: i, tag: 'fill' });
    const worker = new Worker(fixture, {
      workerData: { mode: 'wake-producer', descriptor: ring.descriptor(), line: consumer.line },
    });
    try {
      const exited = once(worker, 'exit');
      await once(worker, 'message');
      const signalBefore = Atomics.load(ctl, PROGRESS_SIGNAL);
      const seq = ring.publishEvent({ id: 99, tag: 'blocked' }); // blocks until the worker consumes
      assert.equal(seq, 4);
      const [report] = (await once(worker, 'message')) as [{ seen: number; consumedTo: number }];
      assert.ok(report.seen >= 1, `the worker saw ${report.seen} blocked producers`);
      assert.equal(report.consumedTo, 3);
      assert.ok(Atomics.load(ctl, PROGRESS_SIGNAL) > signalBefore);
      assert.equal(ring.blockedWaiters().producers, 0);
      assert.equal(ring.get(4).id, 99);
      const [code] = (await exited) as [number];
      assert.equal(code, 0);
    } finally {
      await worker.terminate();
    }
  });
});
