import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MatchingEngine } from '../../examples/order-matching/MatchingEngine.js';
import { RiskEngine } from '../../examples/order-matching/RiskEngine.js';
import { NO_PRICE } from '../../examples/order-matching/OrderBook.js';
import { demoOptions } from '../../examples/order-matching/config.js';
import {
  COMMAND,
  FILL_PRICE_FIELDS,
  FILL_QTY_FIELDS,
  MAKER_ACCOUNT_FIELDS,
  MAX_FILLS,
  RISK,
  SIDE,
  STATUS,
  STATUS_COUNT,
} from '../../examples/order-matching/events.js';
import type { OrderCommandSlot } from '../../examples/order-matching/MatchingEngine.js';
import { cmd, flowFor, SEED } from './harness.js';

function slot(): OrderCommandSlot {
  const s: Record<string, number> = {
    command: 0,
    orderId: 0,
    accountId: 0,
    symbolId: 0,
    side: 0,
    price: 0,
    qty: 0,
    riskResult: 0,
    status: 0,
    fillCount: 0,
    filledQty: 0,
    fillNotional: 0,
    cancelledQty: 0,
  };
  for (let i = 0; i < MAX_FILLS; i++)
    s[MAKER_ACCOUNT_FIELDS[i]!] = s[`makerOrder${i}`] = s[FILL_QTY_FIELDS[i]!] = s[FILL_PRICE_FIELDS[i]!] = 0;
  return s as unknown as OrderCommandSlot;
}

describe('MatchingEngine', () => {
  it('should reject what risk did not accept and overwrite every result field, stale ones included', () => {
    const options = demoOptions();
    const engine = new MatchingEngine(options);
    const e = slot();
    Object.assign(e, cmd(COMMAND.NEW_LIMIT, 1, 1, 1, SIDE.SELL, 10_000, 5), { riskResult: RISK.ACCEPTED });
    engine.processSlot(e);
    Object.assign(e, cmd(COMMAND.NEW_LIMIT, 2, 2, 1, SIDE.BUY, 10_000, 3), { riskResult: RISK.ACCEPTED });
    engine.processSlot(e);
    assert.equal(e.status, STATUS.FILLED);
    assert.equal(e.fillCount, 1);
    // the same slot reused: a rejected command must clear the fill left there
    Object.assign(e, cmd(COMMAND.NEW_LIMIT, 3, 2, 1, SIDE.BUY, 10_000, 3), { riskResult: RISK.QTY_LIMIT });
    engine.processSlot(e);
    assert.equal(e.status, STATUS.REJECTED);
    assert.deepEqual(
      [
        e.fillCount,
        e.filledQty,
        e.fillNotional,
        e.cancelledQty,
        e.makerAccount0,
        e.fillQty0,
        e.fillPrice0,
        e.makerOrder0,
      ],
      [0, 0, 0, 0, 0, 0, 0, 0],
    );
    Object.assign(e, cmd(COMMAND.NEW_LIMIT, 4, 2, 1, SIDE.BUY, 10_000, 3), { riskResult: RISK.PENDING });
    engine.processSlot(e);
    assert.equal(e.status, STATUS.REJECTED, 'a command risk has not seen is not matched');
    assert.equal(engine.book(1)!.openQty(1), 2);
  });

  it('should never leave a crossed book and conserve quantity over 100k seeded commands', () => {
    const options = demoOptions();
    const risk = new RiskEngine(options);
    const engine = new MatchingEngine(options);
    const flow = flowFor(SEED, options);
    const e = slot();
    const statuses = new Array<number>(STATUS_COUNT).fill(0);
    let placed = 0;
    let traded = 0;
    let cancelled = 0;
    const where = (i: number) => `seed ${SEED}, command ${i}: ${JSON.stringify(e)}`;
    for (let i = 0; i < 100_000; i++) {
      flow.next(e);
      e.riskResult = risk.check(e.command, e.orderId, e.accountId, e.symbolId, e.side, e.price, e.qty);
      engine.processSlot(e);
      statuses[e.status]!++;
      const isNew = e.command !== COMMAND.CANCEL;
      if (e.riskResult === RISK.ACCEPTED && isNew && e.status !== STATUS.DUPLICATE_ORDER) placed += e.qty;
      traded += e.filledQty;
      cancelled += e.cancelledQty;
      // per-event consistency of the result fields
      let q = 0;
      let notional = 0;
      for (let k = 0; k < e.fillCount; k++) {
        const fq = e[FILL_QTY_FIELDS[k]!] as number;
        const fp = e[FILL_PRICE_FIELDS[k]!] as number;
        assert.ok(fq > 0, where(i));
        assert.notEqual(e[MAKER_ACCOUNT_FIELDS[k]!], e.accountId, `self trade, ${where(i)}`);
        if (e.command === COMMAND.NEW_LIMIT)
          assert.ok(e.side === SIDE.BUY ? fp <= e.price : fp >= e.price, `fill through the limit, ${where(i)}`);
        if (k > 0) {
          const prev = e[FILL_PRICE_FIELDS[k - 1]!] as number;
          assert.ok(e.side === SIDE.BUY ? fp >= prev : fp <= prev, `fills out of price priority, ${where(i)}`);
        }
        q += fq;
        notional += fq * fp;
      }
      assert.equal(e.filledQty, q, where(i));
      assert.equal(e.fillNotional, notional, where(i));
      if (e.status === STATUS.FILLED) assert.equal(e.filledQty, e.qty, where(i));
      if (
        isNew &&
        e.riskResult === RISK.ACCEPTED &&
        e.status !== STATUS.DUPLICATE_ORDER &&
        e.status !== STATUS.RESTING &&
        e.status !== STATUS.PARTIAL_RESTING
      ) {
        assert.equal(
          e.filledQty + e.cancelledQty,
          e.qty,
          `a taker that does not rest is filled or cancelled in full, ${where(i)}`,
        );
      }
      const book = engine.book(e.symbolId);
      if (book) {
        const bid = book.bestBid();
        const ask = book.bestAsk();
        assert.ok(bid === NO_PRICE || ask === NO_PRICE || bid < ask, `crossed book ${bid} ≥ ${ask}, ${where(i)}`);
      }
    }
    let resting = 0;
    for (const s of options.symbols) {
      for (const side of [SIDE.BUY, SIDE.SELL]) for (const l of engine.book(s.symbolId)!.depth(side)) resting += l.qty;
    }
    assert.equal(placed, resting + 2 * traded + cancelled, `quantity not conserved, seed ${SEED}`);
    // the flow exercised every outcome (EXPIRED is rare here: deep books stop big takers at MAX_FILLS first)
    for (const s of [
      STATUS.RESTING,
      STATUS.FILLED,
      STATUS.PARTIAL_RESTING,
      STATUS.CANCELLED,
      STATUS.REJECTED,
      STATUS.MAX_FILLS_CANCELLED,
      STATUS.SELF_TRADE_CANCELLED,
      STATUS.UNKNOWN_ORDER,
    ]) {
      assert.ok(statuses[s]! > 0, `status ${s} never happened (seed ${SEED}): ${statuses.join(',')}`);
    }
  });
});
