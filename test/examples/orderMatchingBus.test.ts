import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RingBus } from '../../src/index.js';
import { OrderCommand } from '../../examples/order-matching/events.js';
import { demoOptions } from '../../examples/order-matching/config.js';
import { flowFor, Pipeline, SEED } from './harness.js';

const options = demoOptions();
const handler = (name: string) => new URL(`../../examples/order-matching/handlers/${name}.js`, import.meta.url);

/** Runs `count` commands of the seeded flow through a real bus (worker threads) and returns the handlers' state hashes. */
async function viaBus(count: number, split: boolean): Promise<Record<string, string | null>> {
  const bus = new RingBus({
    event: OrderCommand,
    capacity: 1024,
    workers: split ? { front: {}, back: {} } : undefined,
  });
  const risk = bus.handler('risk', handler('risk'), { options, worker: split ? 'front' : undefined });
  const matching = bus.handler('matching', handler('matching'), { options, worker: split ? 'front' : undefined });
  const portfolio = bus.handler('portfolio', handler('portfolio'), { options, worker: split ? 'back' : undefined });
  const ack = bus.handler('ack', handler('ack'), { worker: split ? 'back' : undefined });
  bus.handleEventsWith(risk).then(matching).then(portfolio, ack);
  await bus.start();
  try {
    const flow = flowFor(SEED, options);
    const command = { command: 0, orderId: 0, accountId: 0, symbolId: 0, side: 0, price: 0, qty: 0 };
    for (let i = 0; i < count; i++) {
      flow.next(command);
      bus.publishEvent(command);
    }
    await bus.drain({ timeoutMs: 60_000 });
    return { ...(await bus.stateHash()).handlers };
  } finally {
    await bus.shutdown({ timeoutMs: 10_000 });
  }
}

describe('order-matching handlers on a real bus', () => {
  const count = 20_000;
  const single = new Pipeline(options, 1024);
  single.run(flowFor(SEED, options), count);
  const expected = single.hashes();

  it('should reach the same state on one worker thread as the single-thread pipeline', async () => {
    assert.deepEqual(await viaBus(count, false), expected, `seed ${SEED}`);
  });

  it('should reach the same state when portfolio and ack read the results on another thread', async () => {
    assert.deepEqual(await viaBus(count, true), expected, `seed ${SEED}`);
  });
});
