/**
 * The topology DSL and its validation: every misuse is a coded error (RINGBUS_ERR_TOPOLOGY for
 * the graph, RINGBUS_ERR_BUS_STATE for the lifecycle, RINGBUS_ERR_INVALID_OPTION for options) and
 * a handler module that cannot be used makes start() reject with RINGBUS_ERR_HANDLER_MODULE,
 * with every thread it started gone (nothing hangs).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { RingBus, type HandlerRef, type RingbusError } from '../../src/index.js';
import { fillEvent, newResults, readCells, TestEvent } from './fixtures/events.js';
import type { CheckerOptions } from './fixtures/checker.js';
import { coded } from '../helpers/assertions.js';

const CHECKER = new URL('./fixtures/checker.js', import.meta.url);
const fixture = (name: string): URL => new URL(`./fixtures/${name}.js`, import.meta.url);

const newBus = (): RingBus => new RingBus({ event: TestEvent, capacity: 1024 });

describe('RingBus DSL validation', () => {
  it('should reject a handler placed twice, in one call or in two', () => {
    const bus = newBus();
    const a = bus.handler('a', CHECKER);
    const b = bus.handler('b', CHECKER);
    assert.throws(() => bus.handleEventsWith(a, a), coded('RINGBUS_ERR_TOPOLOGY', 'twice'));
    bus.handleEventsWith(a).then(b);
    assert.throws(() => bus.handleEventsWith(a), coded('RINGBUS_ERR_TOPOLOGY', "'a'", 'already placed'));
    assert.throws(() => bus.after(a).handleEventsWith(b), coded('RINGBUS_ERR_TOPOLOGY', "'b'", 'already placed'));
  });

  it('should wire dependencies as written: then() after the whole group, after() after the named handlers, and() joining groups, specs registering handlers', () => {
    const bus = newBus();
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((n) => bus.handler(n, CHECKER));
    const deps = (r: HandlerRef | undefined): string[] | undefined => r!.dependsOn?.map((h) => h.name);
    const ab = bus.handleEventsWith(a!, b!);
    assert.deepEqual(
      ab.handlers.map((h) => h.name),
      ['a', 'b'],
    );
    ab.then(c!);
    bus.after(a!).handleEventsWith(d!);
    const joined = bus.after(c!).and(bus.after(d!));
    assert.deepEqual(
      joined.handlers.map((h) => h.name),
      ['c', 'd'],
    );
    const tail = joined.then(e!, { name: 'f', module: CHECKER, worker: 'side' });
    assert.deepEqual([deps(a), deps(b), deps(c), deps(d), deps(e)], [[], [], ['a', 'b'], ['a'], ['c', 'd']]);
    const f = tail.handlers[1]!;
    assert.deepEqual([f.name, f.worker, deps(f)], ['f', 'side', ['c', 'd']]);
    assert.ok(a!.order < c!.order && c!.order < e!.order && d!.order < f.order, 'placement order is topological');
  });

  it('should reject two handlers registered under the same name', () => {
    const bus = newBus();
    bus.handler('a', CHECKER);
    assert.throws(() => bus.handler('a', CHECKER), coded('RINGBUS_ERR_TOPOLOGY', "'a'"));
    assert.throws(() => bus.handleEventsWith({ name: 'a', module: CHECKER }), coded('RINGBUS_ERR_TOPOLOGY', "'a'"));
  });

  it('should reject after() on a handler that is not placed yet, and an empty group', () => {
    const bus = newBus();
    const a = bus.handler('a', CHECKER);
    assert.throws(() => bus.after(a), coded('RINGBUS_ERR_TOPOLOGY', "'a'", 'not placed'));
    assert.throws(() => bus.handleEventsWith(), coded('RINGBUS_ERR_TOPOLOGY', 'at least one handler'));
    bus.handleEventsWith(a);
    assert.throws(() => bus.after(a).then(), coded('RINGBUS_ERR_TOPOLOGY', 'at least one handler'));
  });

  it('should reject a handler of another bus in handleEventsWith, then and after', () => {
    const one = newBus();
    const two = newBus();
    const foreign = one.handler('x', CHECKER);
    one.handleEventsWith(foreign);
    const mine = two.handler('y', CHECKER);
    assert.throws(() => two.handleEventsWith(foreign), coded('RINGBUS_ERR_TOPOLOGY', "'x'", 'another bus'));
    two.handleEventsWith(mine);
    assert.throws(() => two.after(mine).then(foreign), coded('RINGBUS_ERR_TOPOLOGY', "'x'", 'another bus'));
    assert.throws(() => two.after(foreign), coded('RINGBUS_ERR_TOPOLOGY', 'x'));
    assert.throws(() => two.after({ name: 'fake' } as unknown as HandlerRef), coded('RINGBUS_ERR_TOPOLOGY', 'fake'));
  });

  it('should refuse to start with no handler, or with a registered handler never wired', async () => {
    await assert.rejects(newBus().start(), coded('RINGBUS_ERR_TOPOLOGY', 'handleEventsWith'));
    const bus = newBus();
    bus.handleEventsWith(bus.handler('a', CHECKER));
    bus.handler('orphan', CHECKER);
    await assert.rejects(bus.start(), coded('RINGBUS_ERR_TOPOLOGY', 'orphan'));
    assert.equal(bus.state, 'new', 'a topology error starts no thread');
    await bus.shutdown();
    assert.equal(bus.state, 'stopped');
  });

  it('should reject bad handler names, workers, modules, policies and dead-letter paths with the option and value named', () => {
    const bus = newBus();
    assert.throws(
      () => bus.handler('9lives', CHECKER),
      coded('RINGBUS_ERR_INVALID_OPTION', 'handler name', '"9lives"'),
    );
    assert.throws(() => bus.handler('', CHECKER), coded('RINGBUS_ERR_INVALID_OPTION', 'handler name'));
    assert.throws(() => bus.handler('has space', CHECKER), coded('RINGBUS_ERR_INVALID_OPTION', '"has space"'));
    assert.throws(() => bus.handler(42 as unknown as string, CHECKER), coded('RINGBUS_ERR_INVALID_OPTION', '42'));
    assert.throws(
      () => bus.handler('a', CHECKER, { worker: 'no/slash' }),
      coded('RINGBUS_ERR_INVALID_OPTION', 'worker', '"no/slash"'),
    );
    assert.throws(
      () => bus.handler('a', './fixtures/checker.js'),
      coded('RINGBUS_ERR_INVALID_OPTION', 'module', '"./fixtures/checker.js"'),
    );
    assert.throws(() => bus.handler('a', 17 as unknown as string), coded('RINGBUS_ERR_INVALID_OPTION', 'module', '17'));
    assert.throws(
      () => bus.handler('a', CHECKER, { onError: 'retry' as 'skip' }),
      coded('RINGBUS_ERR_INVALID_OPTION', 'onError', '"retry"'),
    );
    assert.throws(
      () => bus.handler('a', CHECKER, { onError: { module: 'rel.js' } }),
      coded('RINGBUS_ERR_INVALID_OPTION', 'onError.module', '"rel.js"'),
    );
    assert.throws(
      () => bus.handler('a', CHECKER, { onError: { module: CHECKER, export: 5 as unknown as string } }),
      coded('RINGBUS_ERR_INVALID_OPTION', 'onError.export', '5'),
    );
    assert.throws(
      () => bus.handler('a', CHECKER, { deadLetterPath: 'dl/a.dlq' }),
      coded('RINGBUS_ERR_INVALID_OPTION', 'deadLetterPath', '"dl/a.dlq"'),
    );
    // the failures registered nothing: the name is still free, an absolute path is a valid module
    const ok = bus.handler('a', fileURLToPath(CHECKER));
    assert.equal(ok.moduleUrl, CHECKER.href);
  });

  it('should reject bad bus options with the option and value named', () => {
    assert.throws(() => new RingBus(null as never), coded('RINGBUS_ERR_INVALID_OPTION', 'null'));
    assert.throws(() => new RingBus({} as never), coded('RINGBUS_ERR_INVALID_OPTION', 'options.event'));
    assert.throws(
      () => new RingBus({ event: TestEvent, metrics: 'yes' as never }),
      coded('RINGBUS_ERR_INVALID_OPTION', 'options.metrics', '"yes"'),
    );
    assert.throws(
      () => new RingBus({ event: TestEvent, workers: { w: 3 as never } }),
      coded('RINGBUS_ERR_INVALID_OPTION', 'workers.w', '3'),
    );
    assert.throws(
      () => new RingBus({ event: TestEvent, workers: { w: { cpu: 4096 } } }),
      coded('RINGBUS_ERR_INVALID_OPTION', 'workers.w.cpu', '4096'),
    );
    assert.throws(
      () => new RingBus({ event: TestEvent, workers: { w: { cpu: [] } } }),
      coded('RINGBUS_ERR_INVALID_OPTION', 'workers.w.cpu'),
    );
  });

  it('should reject a bad capacity with RINGBUS_ERR_CAPACITY_NOT_POW2 and leave a bus that still shuts down', async () => {
    let bus: RingBus | null = null;
    try {
      bus = new RingBus({ event: TestEvent, capacity: 1000 });
    } catch (e) {
      coded('RINGBUS_ERR_CAPACITY_NOT_POW2', '1000')(e); // validated in the constructor
    }
    if (bus !== null) {
      // or validated by start(): then the bus must not be left half-started
      bus.handleEventsWith(bus.handler('a', CHECKER));
      await assert.rejects(bus.start(), coded('RINGBUS_ERR_CAPACITY_NOT_POW2', '1000'));
      await bus.shutdown();
      assert.equal(bus.state, 'stopped');
    }
  });

  it('should refuse more handlers than the ring has sequence lines, naming the count', async () => {
    const bus = newBus();
    const refs = Array.from({ length: 33 }, (_, i) => bus.handler(`h${i}`, CHECKER));
    bus.handleEventsWith(...refs);
    await assert.rejects(bus.start(), coded('RINGBUS_ERR_TOPOLOGY', '32', '33'));
    await bus.shutdown();
    assert.equal(bus.state, 'stopped');
  });

  it('should refuse calls made in the wrong state: publish before start, wiring after start, start twice, publish after shutdown', async () => {
    const results = newResults(1);
    const bus = newBus();
    const a = bus.handler('a', CHECKER, { options: { results, slot: 0, role: 'plain' } satisfies CheckerOptions });
    bus.handleEventsWith(a);
    assert.throws(() => bus.publishWith(fillEvent, null), coded('RINGBUS_ERR_BUS_STATE', 'start'));
    assert.throws(() => bus.publishEvent({ value: 0, check: 0 }), coded('RINGBUS_ERR_BUS_STATE'));
    assert.throws(() => bus.tryPublishEvent({ value: 0, check: 0 }), coded('RINGBUS_ERR_BUS_STATE'));
    assert.throws(() => bus.publisherDescriptor(), coded('RINGBUS_ERR_BUS_STATE', 'start()'));
    assert.throws(() => bus.ring, coded('RINGBUS_ERR_BUS_STATE'));
    await assert.rejects(bus.drain(), coded('RINGBUS_ERR_BUS_STATE', 'new'));
    await assert.rejects(bus.metrics(), coded('RINGBUS_ERR_BUS_STATE'));
    assert.equal(bus.state, 'new');
    await bus.start();
    try {
      assert.equal(bus.state, 'running');
      assert.throws(() => bus.handler('late', CHECKER), coded('RINGBUS_ERR_BUS_STATE', 'handler()', 'running'));
      assert.throws(
        () => bus.handleEventsWith({ name: 'late2', module: CHECKER }),
        coded('RINGBUS_ERR_BUS_STATE', 'running'),
      );
      assert.throws(
        () => bus.after(a).handleEventsWith({ name: 'late3', module: CHECKER }),
        coded('RINGBUS_ERR_BUS_STATE', 'running'),
      );
      await assert.rejects(bus.start(), coded('RINGBUS_ERR_BUS_STATE', 'start()', 'running'));
      await assert.rejects(bus.drain({ timeoutMs: -1 }), coded('RINGBUS_ERR_INVALID_OPTION', 'timeoutMs', '-1'));
      assert.equal(bus.publishWith(fillEvent, null), 0);
      assert.equal(bus.publishEvent({ value: 1, check: 0 }), 1);
    } finally {
      await bus.shutdown();
    }
    assert.equal(bus.state, 'stopped');
    assert.equal(readCells(results, 0).count, 2);
    assert.throws(() => bus.publishWith(fillEvent, null), coded('RINGBUS_ERR_BUS_STATE', 'stopped'));
    assert.throws(() => bus.publishEvent({ value: 2, check: 0 }), coded('RINGBUS_ERR_BUS_STATE', 'stopped'));
    await assert.rejects(bus.drain(), coded('RINGBUS_ERR_BUS_STATE', 'stopped'));
    await assert.rejects(bus.start(), coded('RINGBUS_ERR_BUS_STATE', 'start()'));
    await bus.shutdown(); // idempotent
  });

  for (const [label, module, inMessage] of [
    ['does not export defineHandler(...)', 'notAHandler', 'defineHandler'],
    ['throws while being imported', 'throwsOnImport', 'broken on purpose at import'],
    ['does not exist', 'doesNotExist', 'doesNotExist.js'],
    ['has a factory that returns no onEvent', 'noOnEvent', 'onEvent'],
  ] as const) {
    it(`should reject start() with RINGBUS_ERR_HANDLER_MODULE when a handler module ${label}, and leave no thread behind`, async () => {
      const results = newResults(2);
      const bus = newBus();
      const good = bus.handler('good', CHECKER, {
        worker: 'w1',
        options: { results, slot: 0, role: 'plain' } satisfies CheckerOptions,
      });
      const broken = bus.handler('broken', fixture(module), { worker: 'w2' });
      bus.handleEventsWith(good).then(broken);
      await assert.rejects(bus.start(), coded('RINGBUS_ERR_HANDLER_MODULE', 'broken', inMessage));
      assert.equal(bus.state, 'halted');
      const halt = bus.haltError;
      assert.ok(halt, 'a failed start halts the bus and keeps the reason');
      assert.throws(
        () => bus.publishWith(fillEvent, null),
        (e: unknown) =>
          (e as RingbusError).code === (halt as RingbusError).code && (e as Error).message === halt.message,
      );
      await bus.shutdown();
      assert.equal(bus.state, 'stopped');
    });
  }

  it('should reject start() when a handler onStart throws, and leave no thread behind', async () => {
    const bus = newBus();
    bus.handleEventsWith(bus.handler('starter', fixture('failingStart')));
    await assert.rejects(bus.start(), coded('RINGBUS_ERR_HANDLER_FAILED', "'starter'", 'onStart broken on purpose'));
    assert.equal(bus.state, 'halted');
    await bus.shutdown();
  });
});
