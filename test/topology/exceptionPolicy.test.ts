/**
 * Exception policies over real workers: 'halt' (default) stops the bus at the failing sequence
 * with a coded error naming handler, sequence and cause; 'skip' records the failed event in the
 * handler's dead-letter file and goes on (a poison event failing every time must not hang the
 * bus); a custom policy module decides per failure. Dead letters are read back with the
 * persistence reader, decoded to the same field values, and replayed through the fixed handler.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KIND_EVENT, RingBus, SLOT_HEADER_BYTES, type ExceptionPolicyOption } from '../../src/index.js';
import { readDeadLetters } from '../../src/persistence/DeadLetterWriter.js';
import { fillEvent, mix, newResults, readCells, TestEvent } from './fixtures/events.js';
import type { CheckerOptions } from './fixtures/checker.js';

const CHECKER = new URL('./fixtures/checker.js', import.meta.url);
const POLICIES = new URL('./fixtures/policies.js', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'ringbus-policy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Failing {
  failAt?: number[];
  failAlways?: boolean;
  onError?: ExceptionPolicyOption;
  deadLetterPath?: string;
  capacity?: number;
}

/**
 * a (may fail) on worker w1 → c (plain) on w2, and b (plain) beside a on w2. Slots: a 0, b 1, c 2.
 */
function failingBus(f: Failing): { bus: RingBus; results: SharedArrayBuffer } {
  const results = newResults(3);
  const bus = new RingBus({ event: TestEvent, capacity: f.capacity ?? 4096 });
  const a = bus.handler('a', CHECKER, {
    worker: 'w1',
    options: {
      results,
      slot: 0,
      role: 'plain',
      mixed: true,
      failAt: f.failAt,
      failAlways: f.failAlways,
    } satisfies CheckerOptions,
    ...(f.onError !== undefined ? { onError: f.onError } : {}),
    ...(f.deadLetterPath !== undefined ? { deadLetterPath: f.deadLetterPath } : {}),
  });
  const b = bus.handler('b', CHECKER, {
    worker: 'w2',
    options: { results, slot: 1, role: 'plain', mixed: true } satisfies CheckerOptions,
  });
  const c = bus.handler('c', CHECKER, {
    worker: 'w2',
    options: { results, slot: 2, role: 'plain', mixed: true } satisfies CheckerOptions,
  });
  bus.handleEventsWith(a, b);
  bus.after(a).handleEventsWith(c);
  return { bus, results };
}

/** Publishes up to `n` events; returns the first error a publish threw (null: all published). */
function publishUntilRefused(bus: RingBus, n: number): unknown {
  for (let i = 0; i < n; i++) {
    try {
      bus.publishWith(fillEvent, null);
    } catch (error) {
      return error;
    }
  }
  return null;
}

function assertHandlerFailed(e: unknown, handler: string, sequence: number, cause: string): void {
  assert.ok(e instanceof Error, `expected an Error, got ${String(e)}`);
  assert.equal((e as { code?: string }).code, 'RINGBUS_ERR_HANDLER_FAILED', e.message);
  assert.ok(e.message.includes(`'${handler}'`), `names the handler: ${e.message}`);
  assert.ok(e.message.includes(`sequence ${sequence}`), `names the sequence: ${e.message}`);
  assert.ok(e.message.includes(cause), `names the cause: ${e.message}`);
}

/** Decodes a dead letter's payload bytes with the event schema. */
function decode(payload: Uint8Array): Record<string, unknown> {
  const buffer = new ArrayBuffer(TestEvent.slotSize);
  new Uint8Array(buffer).set(payload, SLOT_HEADER_BYTES);
  return new TestEvent.Flyweight(buffer).$wrap(0).$toObject();
}

describe('exception policies', () => {
  it("should halt the bus at the failing sequence under 'halt' (the default), with a coded error naming handler, sequence and cause", async () => {
    const K = 400;
    const capacity = 256;
    // a never passes K-1, so at most K + capacity events fit: the loop below must be refused,
    // by the halt check or, when the producer is parked on the full ring, by the halt waking it
    const { bus, results } = failingBus({ failAt: [K], capacity });
    const halted = once(bus, 'halt') as Promise<[Error]>;
    await bus.start();
    try {
      const refused = publishUntilRefused(bus, K + capacity + 1);
      const [error] = await halted;
      assertHandlerFailed(error, 'a', K, `poison at ${K}`);
      assert.equal((error as Error & { sequence: number }).sequence, K);
      assert.equal(bus.haltError, error);
      assert.equal(bus.state, 'halted');
      assertHandlerFailed(refused, 'a', K, `poison at ${K}`);
      assert.throws(
        () => bus.publishWith(fillEvent, null),
        (e: unknown) => (assertHandlerFailed(e, 'a', K, `poison at ${K}`), true),
      );
      await assert.rejects(bus.drain(), (e: unknown) => (assertHandlerFailed(e, 'a', K, `poison at ${K}`), true));
      const m = await bus.metrics();
      assert.equal(m.handlers.a!.sequence, K - 1, 'the failing handler stops just before the failing sequence');
      assert.ok(m.handlers.c!.sequence <= K - 1, `c ran after a only: ${m.handlers.c!.sequence}`);
      const a = readCells(results, 0);
      assert.deepEqual({ count: a.count, last: a.last, errors: a.errors }, { count: K, last: K - 1, errors: 0 });
    } finally {
      await bus.shutdown();
    }
    assert.equal(bus.state, 'stopped');
    assert.throws(
      () => bus.publishWith(fillEvent, null),
      (e: unknown) => (assertHandlerFailed(e, 'a', K, `poison at ${K}`), true),
    );
    assert.equal(readCells(results, 0).shutdowns, 1);
  });

  it("should record failed events in the dead-letter file under 'skip' and go on; the records round-trip and replay through the fixed handler", async () => {
    const N = 10_000;
    const failAt = [100, 2500, 7777];
    const path = join(dir, 'skip', 'a.dlq');
    const { bus, results } = failingBus({ failAt, onError: 'skip', deadLetterPath: path });
    let halted: unknown = null;
    bus.on('halt', (e) => (halted = e));
    await bus.start();
    try {
      assert.equal(publishUntilRefused(bus, N), null);
      await bus.drain({ timeoutMs: 60_000 });
    } finally {
      await bus.shutdown();
    }
    assert.equal(halted, null);
    const [a, b, c] = [0, 1, 2].map((slot) => readCells(results, slot));
    assert.deepEqual(
      { count: a!.count, errors: a!.errors, last: a!.last },
      { count: N - failAt.length, errors: 0, last: N - 1 },
    );
    assert.deepEqual({ count: b!.count, errors: b!.errors }, { count: N, errors: 0 });
    assert.deepEqual(
      { count: c!.count, errors: c!.errors },
      { count: N, errors: 0 },
      'the handler after a still sees the skipped events',
    );

    const letters = readDeadLetters(path);
    assert.deepEqual(
      letters.map((l) => l.sequence),
      failAt,
    );
    for (const l of letters) {
      assert.equal(l.handlerName, 'a');
      assert.ok(l.message.includes(`poison at ${l.sequence}`), l.message);
      assert.ok(l.stack.includes('checker'), `the stack points into the handler: ${l.stack}`);
      assert.equal(l.kind, KIND_EVENT);
      assert.ok(l.timestampNs > 0, `publish timestamp recorded: ${l.timestampNs}`);
      assert.equal(l.payload.length, TestEvent.payloadSize);
      assert.deepEqual(decode(l.payload), { value: l.sequence, check: mix(l.sequence), stageA: 0, stageB: 0 });
    }

    // replay each dead letter, byte for byte, at its own sequence through the fixed handler (no failAt)
    for (const l of letters) {
      const cells = newResults(1);
      const replay = new RingBus({ event: TestEvent, capacity: 64, initialSequence: l.sequence });
      replay.handleEventsWith(
        replay.handler('a', CHECKER, {
          options: { results: cells, slot: 0, role: 'a', mixed: true } satisfies CheckerOptions,
        }),
      );
      await replay.start();
      try {
        assert.equal(
          replay.publishWith((e, _s, bytes: Uint8Array) => e.$bytes().set(bytes), l.payload),
          l.sequence,
        );
        await replay.drain();
      } finally {
        await replay.shutdown();
      }
      const r = readCells(cells, 0);
      assert.deepEqual({ count: r.count, errors: r.errors, last: r.last }, { count: 1, errors: 0, last: l.sequence });
    }
  });

  it("should not hang under 'skip' when a poison handler fails on every event of a small, wrapping ring", async () => {
    const N = 300;
    const path = join(dir, 'poison', 'a.dlq');
    const { bus, results } = failingBus({ failAlways: true, onError: 'skip', deadLetterPath: path, capacity: 64 });
    await bus.start();
    try {
      assert.equal(publishUntilRefused(bus, N), null);
      await bus.drain({ timeoutMs: 60_000 });
      const m = await bus.metrics();
      assert.equal(m.handlers.a!.sequence, N - 1);
      assert.equal(m.handlers.a!.lag, 0);
    } finally {
      await bus.shutdown();
    }
    assert.equal(readCells(results, 0).count, 0);
    assert.equal(readCells(results, 2).count, N);
    const letters = readDeadLetters(path);
    assert.equal(letters.length, N);
    assert.deepEqual(
      letters.map((l) => l.sequence),
      Array.from({ length: N }, (_, i) => i),
    );
  });

  it('should let a custom policy module decide per failure: skip (dead-lettered) at even sequences, halt at the first odd one', async () => {
    const path = join(dir, 'custom', 'a.dlq');
    const { bus, results } = failingBus({
      failAt: [10, 20, 31, 40],
      onError: { module: POLICIES, export: 'skipEven' },
      deadLetterPath: path,
    });
    const halted = once(bus, 'halt') as Promise<[Error]>;
    await bus.start();
    try {
      publishUntilRefused(bus, 100);
      const [error] = await halted;
      assertHandlerFailed(error, 'a', 31, 'poison at 31');
      const m = await bus.metrics();
      assert.equal(m.handlers.a!.sequence, 30);
    } finally {
      await bus.shutdown();
    }
    assert.deepEqual(
      readDeadLetters(path).map((l) => l.sequence),
      [10, 20],
    );
    assert.equal(readCells(results, 0).count, 29, 'a handled 0..30 except 10, 20');
  });

  it("should use a policy module's default export when no export is named", async () => {
    const path = join(dir, 'default-export', 'a.dlq');
    const { bus, results } = failingBus({ failAt: [5, 6], onError: { module: POLICIES.href }, deadLetterPath: path });
    await bus.start();
    try {
      publishUntilRefused(bus, 50);
      await bus.drain();
    } finally {
      await bus.shutdown();
    }
    assert.deepEqual(
      readDeadLetters(path).map((l) => l.sequence),
      [5, 6],
    );
    assert.equal(readCells(results, 0).count, 48);
  });

  it('should halt, naming the policy failure and the handler, when the policy itself throws', async () => {
    const { bus } = failingBus({
      failAt: [7],
      onError: { module: POLICIES, export: 'throwing' },
      deadLetterPath: join(dir, 'throwing.dlq'),
    });
    const halted = once(bus, 'halt') as Promise<[Error]>;
    await bus.start();
    try {
      publishUntilRefused(bus, 50);
      const [error] = await halted;
      assertHandlerFailed(error, 'a', 7, 'policy broken on purpose');
    } finally {
      await bus.shutdown();
    }
  });

  it('should reject start() with RINGBUS_ERR_HANDLER_MODULE when the policy export is not a function', async () => {
    const { bus } = failingBus({
      onError: { module: POLICIES, export: 'notAFunction' },
      deadLetterPath: join(dir, 'not-a-function.dlq'),
    });
    await assert.rejects(bus.start(), (e: unknown) => {
      assert.equal((e as { code?: string }).code, 'RINGBUS_ERR_HANDLER_MODULE', String(e));
      assert.match((e as Error).message, /notAFunction/);
      return true;
    });
    await bus.shutdown();
  });

  it("should refuse a 'skip' handler that has no dead-letter file and no data directory (failed events would be lost)", async () => {
    const { bus } = failingBus({ onError: 'skip' });
    await assert.rejects(bus.start(), (e: unknown) => {
      assert.equal((e as { code?: string }).code, 'RINGBUS_ERR_INVALID_OPTION', String(e));
      assert.match((e as Error).message, /'a'.*no deadLetterPath/);
      return true;
    });
    await bus.shutdown();
  });

  it("should default a 'skip' handler's dead-letter file to <dataDir>/dead-letters/<name>.dlq on a bus with persistence", async () => {
    const dataDir = join(dir, 'data');
    const results = newResults(1);
    const bus = new RingBus({ event: TestEvent, capacity: 1024, persistence: { dataDir, fsync: 'none' } });
    bus.handleEventsWith(
      bus.handler('a', CHECKER, {
        onError: 'skip',
        options: { results, slot: 0, role: 'plain', failAt: [3] } satisfies CheckerOptions,
      }),
    );
    await bus.start();
    try {
      publishUntilRefused(bus, 10);
      await bus.drain();
    } finally {
      await bus.shutdown();
    }
    assert.equal(readCells(results, 0).count, 9);
    assert.deepEqual(
      readDeadLetters(join(dataDir, 'dead-letters', 'a.dlq')).map((l) => l.sequence),
      [3],
    );
  });

  it('should reject start() naming the handler and the path when its dead-letter file cannot be opened', async () => {
    const blocker = join(dir, 'not-a-directory');
    writeFileSync(blocker, 'a file where a directory should be');
    const path = join(blocker, 'a.dlq');
    const { bus } = failingBus({ onError: 'skip', deadLetterPath: path });
    await assert.rejects(bus.start(), (e: unknown) => {
      assert.equal((e as { code?: string }).code, 'RINGBUS_ERR_HANDLER_FAILED', String(e));
      assert.ok((e as Error).message.includes("'a'") && (e as Error).message.includes(path), (e as Error).message);
      return true;
    });
    await bus.shutdown();
    assert.equal(bus.state, 'stopped');
  });
});
