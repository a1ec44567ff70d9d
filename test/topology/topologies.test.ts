/**
 * Topologies over real worker threads: pipeline (a → b → c), diamond (a, b → c) and multicast
 * (three independent handlers), each over millions of events, first with every handler on one
 * worker, then spread over several; `after(a).handleEventsWith(d)` wiring; and a gateway worker
 * that publishes through BusPublisher.attach while the main thread publishes nothing.
 *
 * Outcome table (per handler, per event):
 *
 *   | observed                                                           | verdict    |
 *   | ------------------------------------------------------------------ | ---------- |
 *   | handlers at different positions at the same time                  | acceptable |
 *   | a handler misses, repeats or reorders a sequence                   | FORBIDDEN  |
 *   | a stage reads an upstream result that is not there yet (stageA/B)  | FORBIDDEN  |
 *   | value / check word not the ones the producer wrote for the sequence | FORBIDDEN  |
 *   | co-located and spread placements end with different counts/hashes  | FORBIDDEN  |
 *
 * The event count scales with RINGBUS_STRESS_SCALE (default 1: 2 million per topology run).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RingBus, type HandlerRef } from '../../src/index.js';
import { startWorker } from '../helpers/workers.js';
import { fillEvent, newResults, readCells, TestEvent, type HandlerCells } from './fixtures/events.js';
import type { CheckerOptions } from './fixtures/checker.js';

const CHECKER = new URL('./fixtures/checker.js', import.meta.url);
const SCALE = Number(process.env.RINGBUS_STRESS_SCALE ?? 1) || 1;
const EVENTS = Math.round(2_000_000 * SCALE);

type Role = CheckerOptions['role'];
interface Spec {
  name: string;
  role: Role;
  worker: string;
}

/** Publishes `events` events into a started bus (default: from the main thread). */
type Producer = (bus: RingBus, events: number) => Promise<void>;

const mainThreadProducer: Producer = async (bus, events) => {
  for (let i = 0; i < events; i++) bus.publishWith(fillEvent, null);
};

/** Runs `events` through a bus wired by `wire`; returns every handler's cells after shutdown. */
async function run(
  specs: readonly Spec[],
  wire: (bus: RingBus, refs: Record<string, HandlerRef>) => void,
  events: number,
  {
    produce = mainThreadProducer,
    initialSequence = 0,
    producerType = 'single',
  }: { produce?: Producer; initialSequence?: number; producerType?: 'single' | 'multi' } = {},
): Promise<Record<string, HandlerCells>> {
  const results = newResults(specs.length);
  const bus = new RingBus({ event: TestEvent, initialSequence, producerType });
  const refs: Record<string, HandlerRef> = {};
  specs.forEach((s, slot) => {
    refs[s.name] = bus.handler(s.name, CHECKER, {
      worker: s.worker,
      options: { results, slot, role: s.role, mixed: true } satisfies CheckerOptions,
    });
  });
  wire(bus, refs);
  await bus.start();
  try {
    await produce(bus, events);
    await bus.drain({ timeoutMs: 120_000 });
  } finally {
    await bus.shutdown();
  }
  const out: Record<string, HandlerCells> = {};
  specs.forEach((s, slot) => (out[s.name] = readCells(results, slot)));
  return out;
}

function assertAllSawAll(cells: Record<string, HandlerCells>, events: number, initialSequence = 0): void {
  for (const [name, c] of Object.entries(cells)) {
    assert.equal(c.errors, 0, `handler '${name}': ${c.errors} bad events, first at sequence ${c.firstBad}`);
    assert.equal(c.count, events, `handler '${name}' saw ${c.count} of ${events} events`);
    assert.equal(
      c.last,
      (initialSequence + events - 1) | 0,
      `handler '${name}' ended at sequence ${c.last} (low 32 bits)`,
    );
    assert.equal(c.starts, 1, `handler '${name}' onStart calls`);
    assert.equal(c.shutdowns, 1, `handler '${name}' onShutdown calls`);
    assert.equal(c.batchEvents, events | 0, `handler '${name}': batch sizes add up to the events`);
    assert.ok(
      c.endOfBatch >= 1 && c.endOfBatch === c.batchStarts,
      `handler '${name}': ${c.endOfBatch} endOfBatch flags, ${c.batchStarts} batches`,
    );
  }
}

/** The placement-independent part of the cells (batching differs between placements). */
function outcome(
  cells: Record<string, HandlerCells>,
): Record<string, Omit<HandlerCells, 'endOfBatch' | 'batchStarts'>> {
  return Object.fromEntries(
    Object.entries(cells).map(([name, { endOfBatch: _e, batchStarts: _b, ...rest }]) => [name, rest]),
  );
}

const TOPOLOGIES: ReadonlyArray<{
  name: string;
  roles: Array<[string, Role]>;
  spread: string[];
  wire: (bus: RingBus, r: Record<string, HandlerRef>) => void;
}> = [
  {
    name: 'pipeline a → b → c',
    roles: [
      ['a', 'a'],
      ['b', 'b-after-a'],
      ['c', 'check-ab'],
    ],
    spread: ['w1', 'w2', 'w1'],
    wire: (bus, r) => void bus.handleEventsWith(r.a!).then(r.b!).then(r.c!),
  },
  {
    name: 'diamond (a, b) → c',
    roles: [
      ['a', 'a'],
      ['b', 'b'],
      ['c', 'check-ab'],
    ],
    spread: ['w1', 'w2', 'w1'],
    wire: (bus, r) => void bus.handleEventsWith(r.a!, r.b!).then(r.c!),
  },
  {
    name: 'multicast a, b, c',
    roles: [
      ['a', 'plain'],
      ['b', 'plain'],
      ['c', 'plain'],
    ],
    spread: ['w1', 'w2', 'w3'],
    wire: (bus, r) => void bus.handleEventsWith(r.a!, r.b!, r.c!),
  },
];

describe('RingBus topologies over worker threads', () => {
  for (const topo of TOPOLOGIES) {
    it(`should deliver ${EVENTS} events in order to every handler of a ${topo.name}, co-located and spread, with the same results`, async () => {
      const together = await run(
        topo.roles.map(([name, role]) => ({ name, role, worker: 'solo' })),
        topo.wire,
        EVENTS,
      );
      assertAllSawAll(together, EVENTS);
      const spread = await run(
        topo.roles.map(([name, role], i) => ({ name, role, worker: topo.spread[i]! })),
        topo.wire,
        EVENTS,
      );
      assertAllSawAll(spread, EVENTS);
      assert.deepEqual(outcome(spread), outcome(together));
    });
  }

  it('should run a handler wired with after(a).handleEventsWith(d) after a only, beside the rest of the graph', async () => {
    const roles: Array<[string, Role]> = [
      ['a', 'a'],
      ['b', 'b-after-a'],
      ['c', 'check-ab'],
      ['d', 'check-a'],
    ];
    const wire = (bus: RingBus, r: Record<string, HandlerRef>): void => {
      bus.handleEventsWith(r.a!).then(r.b!).then(r.c!);
      const group = bus.after(r.a!).handleEventsWith(r.d!);
      assert.deepEqual(
        group.handlers.map((h) => h.name),
        ['d'],
      );
      assert.deepEqual(
        r.d!.dependsOn?.map((h) => h.name),
        ['a'],
      );
    };
    const events = Math.round(EVENTS / 2);
    const together = await run(
      roles.map(([name, role]) => ({ name, role, worker: 'solo' })),
      wire,
      events,
    );
    assertAllSawAll(together, events);
    const spread = await run(
      roles.map(([name, role], i) => ({ name, role, worker: ['w1', 'w2', 'w2', 'w3'][i]! })),
      wire,
      events,
    );
    assertAllSawAll(spread, events);
    assert.deepEqual(outcome(spread), outcome(together));
  });

  it('should take events from a gateway worker that attached with BusPublisher.attach while the main thread publishes nothing', async () => {
    const events = Math.round(EVENTS / 2);
    const gateway: Producer = async (bus, n) => {
      const cursorBefore = bus.ring.getCursor();
      const { result } = startWorker<{ first: number; last: number }>(
        new URL('./fixtures/gateway.js', import.meta.url),
        { descriptor: bus.publisherDescriptor(), events: n },
      );
      const r = await result;
      assert.equal(cursorBefore, -1, 'nothing was published before the gateway started');
      assert.deepEqual({ first: r.first, last: r.last }, { first: 0, last: n - 1 });
    };
    const roles: Array<[string, Role]> = [
      ['a', 'a'],
      ['b', 'b'],
      ['c', 'check-ab'],
    ];
    const cells = await run(
      roles.map(([name, role], i) => ({ name, role, worker: ['w1', 'w2', 'w1'][i]! })),
      (bus, r) => void bus.handleEventsWith(r.a!, r.b!).then(r.c!),
      events,
      { produce: gateway },
    );
    assertAllSawAll(cells, events);
  });

  for (const wrap of [2 ** 31, 2 ** 32]) {
    it(`should keep every handler in order across the 32-bit word wrap at ${wrap} (diamond, spread)`, async () => {
      const events = Math.round(EVENTS / 2);
      const initialSequence = wrap - Math.round(events / 2);
      const roles: Array<[string, Role]> = [
        ['a', 'a'],
        ['b', 'b'],
        ['c', 'check-ab'],
      ];
      const cells = await run(
        roles.map(([name, role], i) => ({ name, role, worker: ['w1', 'w2', 'w1'][i]! })),
        (bus, r) => void bus.handleEventsWith(r.a!, r.b!).then(r.c!),
        events,
        { initialSequence },
      );
      assertAllSawAll(cells, events, initialSequence);
    });
  }

  it('should take events from two gateway workers and the main thread at once on a multi-producer ring', async () => {
    const perProducer = Math.round(EVENTS / 6);
    const events = 3 * perProducer;
    const produce: Producer = async (bus, n) => {
      const url = new URL('./fixtures/gateway.js', import.meta.url);
      const gateways = [0, 1].map(() =>
        startWorker<{ first: number; last: number }>(url, { descriptor: bus.publisherDescriptor(), events: n / 3 }),
      );
      for (let i = 0; i < n / 3; i++) bus.publishWith(fillEvent, null);
      await Promise.all(gateways.map((g) => g.result));
    };
    const roles: Array<[string, Role]> = [
      ['a', 'a'],
      ['b', 'b-after-a'],
      ['c', 'check-ab'],
    ];
    const cells = await run(
      roles.map(([name, role], i) => ({ name, role, worker: ['w1', 'w1', 'w2'][i]! })),
      (bus, r) => void bus.handleEventsWith(r.a!).then(r.b!).then(r.c!),
      events,
      {
        produce,
        producerType: 'multi',
      },
    );
    assertAllSawAll(cells, events);
  });
});
