/**
 * The `order-matching` benchmark's baseline worker: the same four handlers (risk → matching →
 * portfolio → ack) fed by postMessage instead of a ring. It says `ready`, then receives
 * `{ cmd: 'begin', n }` followed by the commands, either one plain object per message
 * (`OrderCommandInput`) or arrays of them (batched messages). Each command's input fields are
 * copied into a private OrderCommand flyweight (so the handlers run the same code as on the bus:
 * monomorphic getters and setters over a slot) and the stages run in order on it. After the n-th
 * command it replies `{ type: 'done', count, outcome }` (hashes and ack counters) and waits for
 * the next `begin` (with fresh handlers).
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  OrderCommand,
  type OrderCommandFlyweight,
  type OrderCommandInput,
} from '../../examples/order-matching/events.js';
import type { OrderMatchingOptions } from '../../examples/order-matching/config.js';
import { createStages, type Stages } from './orderMatchingStages.js';

const port = parentPort!;
const domain = (workerData as { domain: OrderMatchingOptions }).domain;
const slot: OrderCommandFlyweight = new OrderCommand.Flyweight(new ArrayBuffer(OrderCommand.slotSize)).$wrap(0);
let stages: Stages = createStages(domain);
let handlers = stages.handlers;
let expected = 0;
let count = 0;

/** Runs one command through the stages (allocation-free). */
function process1(c: OrderCommandInput, endOfBatch: boolean): void {
  slot.command = c.command;
  slot.orderId = c.orderId;
  slot.accountId = c.accountId;
  slot.symbolId = c.symbolId;
  slot.side = c.side;
  slot.price = c.price;
  slot.qty = c.qty;
  const sequence = count++;
  for (let h = 0; h < handlers.length; h++) handlers[h]!.onEvent(slot, sequence, endOfBatch);
}

port.on('message', (m: OrderCommandInput | OrderCommandInput[] | { cmd: 'begin'; n: number }) => {
  if (Array.isArray(m)) {
    for (let i = 0; i < m.length; i++) process1(m[i]!, i === m.length - 1);
  } else if ('cmd' in m) {
    stages = createStages(domain);
    handlers = stages.handlers;
    expected = m.n;
    count = 0;
    return;
  } else {
    process1(m, true);
  }
  if (count === expected) port.postMessage({ type: 'done', count, outcome: stages.outcome() });
});
port.postMessage({ type: 'ready' });
