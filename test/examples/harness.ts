/**
 * Helpers for the order-matching tests: a handler context, a single-thread pipeline that runs the
 * real handler modules over real RingBuffer slots (stage by stage over each batch, as a worker that
 * hosts several handlers does), and a naive reference order book to compare the real one with.
 */
import { RingBuffer, type Flyweight } from '../../src/index.js';
import type { EventHandler, HandlerContext, HandlerModule } from '../../src/processing/Handler.js';
import {
  COMMAND,
  MAX_FILLS,
  OrderCommand,
  SIDE,
  STATUS,
  type OrderCommandFlyweight,
  type OrderCommandInput,
} from '../../examples/order-matching/events.js';
import type { OrderMatchingOptions } from '../../examples/order-matching/config.js';
import { createOrderFlow, orderFlowTranslator, type OrderFlow } from '../../examples/order-matching/generator.js';
import riskModule from '../../examples/order-matching/handlers/risk.js';
import matchingModule from '../../examples/order-matching/handlers/matching.js';
import portfolioModule from '../../examples/order-matching/handlers/portfolio.js';
import ackModule from '../../examples/order-matching/handlers/ack.js';

/** Seed of randomized tests: RINGBUS_SEED to replay a failure, else a fixed one. */
export const SEED = Number(process.env.RINGBUS_SEED ?? 20240601) >>> 0;

export function context<O>(name: string, options: O, ring: RingBuffer<Flyweight>): HandlerContext<O> {
  return {
    name,
    workerName: 'test-worker',
    options,
    ring,
    isReplay: () => false,
    outbound: () => {
      throw new Error(`handler ${name}: no outbound rings in this test`);
    },
  };
}

function instantiate<O>(
  module: HandlerModule<OrderCommandFlyweight, O, unknown>,
  name: string,
  options: O,
  ring: RingBuffer<Flyweight>,
): EventHandler<OrderCommandFlyweight, unknown> {
  if (module.kind !== 'ringbus-handler') throw new Error(`${name} is not a handler module`);
  return module.factory(context(name, options, ring));
}

export const STAGE_NAMES = ['risk', 'matching', 'portfolio', 'ack'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/**
 * risk → matching → portfolio → ack, each the real handler module, over one real ring. Events are
 * published, then `drain()` runs each stage over the published batch in dependency order and moves
 * the gating sequence, so the producer can reuse the slots (and their stale result bytes).
 */
export class Pipeline {
  readonly ring: RingBuffer<OrderCommandFlyweight>;
  readonly stages: Record<StageName, EventHandler<OrderCommandFlyweight, unknown>>;
  readonly #gate;
  #done: number;

  constructor(options: OrderMatchingOptions, capacity = 256) {
    this.ring = new RingBuffer<OrderCommandFlyweight>({
      capacity,
      event: OrderCommand,
      producerType: 'single',
      waitStrategy: 'yielding',
    });
    this.#gate = this.ring.newSequence();
    this.ring.addGatingSequences(this.#gate);
    this.#done = this.ring.getCursor();
    const ring = this.ring as unknown as RingBuffer<Flyweight>;
    this.stages = {
      risk: instantiate(riskModule, 'risk', options, ring),
      matching: instantiate(matchingModule, 'matching', options, ring),
      portfolio: instantiate(portfolioModule, 'portfolio', options, ring),
      ack: instantiate(ackModule, 'ack', options, ring),
    };
  }

  /** Runs every stage over the published events not yet processed; calls `after(event, seq)` per event. */
  drain(after?: (event: OrderCommandFlyweight, sequence: number) => void): void {
    const hi = this.ring.getCursor();
    for (const name of STAGE_NAMES) {
      const h = this.stages[name];
      for (let s = this.#done + 1; s <= hi; s++) h.onEvent(this.ring.get(s), s, s === hi);
    }
    if (after) for (let s = this.#done + 1; s <= hi; s++) after(this.ring.get(s), s);
    this.#done = hi;
    this.#gate.set(hi);
  }

  /** Publishes `count` commands of `flow` with the zero-allocation translator, in batches of ≤ capacity/2. */
  run(flow: OrderFlow, count: number, after?: (event: OrderCommandFlyweight, sequence: number) => void): void {
    const batch = this.ring.capacity / 2;
    for (let i = 0; i < count; i++) {
      this.ring.publishWith(orderFlowTranslator, flow);
      if ((i + 1) % batch === 0) this.drain(after);
    }
    this.drain(after);
  }

  hashes(): Record<StageName, string> {
    const out = {} as Record<StageName, string>;
    for (const n of STAGE_NAMES) out[n] = this.stages[n].stateHash!();
    return out;
  }

  /** Every stage's snapshot, through JSON as the bus stores them. */
  snapshots(): Record<StageName, unknown> {
    const out = {} as Record<StageName, unknown>;
    for (const n of STAGE_NAMES) out[n] = JSON.parse(JSON.stringify(this.stages[n].snapshot!()));
    return out;
  }

  restore(snapshots: Record<StageName, unknown>): void {
    for (const n of STAGE_NAMES) this.stages[n].restore!(snapshots[n]);
  }
}

/** A plain command object (all inputs set). */
export function cmd(
  command: number,
  orderId: number,
  accountId: number,
  symbolId: number,
  side: number,
  price: number,
  qty: number,
): OrderCommandInput {
  return { command, orderId, accountId, symbolId, side, price, qty };
}

export function flowFor(
  seed: number,
  options: OrderMatchingOptions,
  extra: Partial<Parameters<typeof createOrderFlow>[0]> = {},
): OrderFlow {
  return createOrderFlow({ seed, accounts: options.accounts, symbols: options.symbols, ...extra });
}

/** Result fields of a slot as a plain object (fill entries 0..fillCount-1 only). */
export function results(e: Flyweight & OrderCommandFlyweight): Record<string, unknown> {
  const fills: number[][] = [];
  for (let i = 0; i < e.fillCount; i++)
    fills.push([
      e[`makerAccount${i}`] as number,
      e[`makerOrder${i}`] as number,
      e[`fillQty${i}`] as number,
      e[`fillPrice${i}`] as number,
    ]);
  return {
    riskResult: e.riskResult,
    status: e.status,
    filledQty: e.filledQty,
    fillNotional: e.fillNotional,
    cancelledQty: e.cancelledQty,
    fills,
  };
}

interface RefOrder {
  id: number;
  account: number;
  buy: boolean;
  price: number;
  qty: number;
  time: number;
}

/** What a reference command did: [status, cancelledQty, fills as [makerAccount, makerOrder, qty, price]]. */
export type RefOutcome = [number, number, number[][]];

/**
 * A deliberately naive order book (linear scans over one array) implementing the same rules as
 * OrderBook, to compare against: price-time priority, IOC market orders, MAX_FILLS, cancel-taker
 * self-trade prevention, duplicate live ids rejected, cancels owner-only.
 */
export class ReferenceBook {
  orders: RefOrder[] = [];
  #time = 0;

  #best(buyTaker: boolean): RefOrder | undefined {
    let best: RefOrder | undefined;
    for (const o of this.orders) {
      if (o.buy === buyTaker) continue;
      if (
        !best ||
        (buyTaker ? o.price < best.price : o.price > best.price) ||
        (o.price === best.price && o.time < best.time)
      )
        best = o;
    }
    return best;
  }

  apply(c: OrderCommandInput): RefOutcome {
    if (c.command === COMMAND.CANCEL) {
      const i = this.orders.findIndex((o) => o.id === c.orderId && o.account === c.accountId);
      if (i < 0) return [STATUS.UNKNOWN_ORDER, 0, []];
      const [o] = this.orders.splice(i, 1);
      return [STATUS.CANCELLED, o!.qty, []];
    }
    if (this.orders.some((o) => o.id === c.orderId)) return [STATUS.DUPLICATE_ORDER, 0, []];
    const buy = c.side === SIDE.BUY;
    const market = c.command === COMMAND.NEW_MARKET;
    const fills: number[][] = [];
    let left = c.qty;
    let stop = 0;
    while (left > 0) {
      const m = this.#best(buy);
      if (!m || (!market && (buy ? m.price > c.price : m.price < c.price))) break;
      if (m.account === c.accountId) {
        stop = STATUS.SELF_TRADE_CANCELLED;
        break;
      }
      if (fills.length === MAX_FILLS) {
        stop = STATUS.MAX_FILLS_CANCELLED;
        break;
      }
      const q = Math.min(left, m.qty);
      fills.push([m.account, m.id, q, m.price]);
      m.qty -= q;
      left -= q;
      if (m.qty === 0) this.orders.splice(this.orders.indexOf(m), 1);
    }
    if (left === 0) return [STATUS.FILLED, 0, fills];
    if (stop) return [stop, left, fills];
    if (market) return [STATUS.EXPIRED, left, fills];
    this.orders.push({ id: c.orderId, account: c.accountId, buy, price: c.price, qty: left, time: this.#time++ });
    return [fills.length ? STATUS.PARTIAL_RESTING : STATUS.RESTING, 0, fills];
  }
}
