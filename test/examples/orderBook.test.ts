import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OrderBook, NO_PRICE } from '../../examples/order-matching/OrderBook.js';
import { MatchResult } from '../../examples/order-matching/MatchResult.js';
import { COMMAND, MAX_FILLS, SIDE, STATUS } from '../../examples/order-matching/events.js';
import { demoOptions } from '../../examples/order-matching/config.js';
import { flowFor, ReferenceBook, SEED, type RefOutcome } from './harness.js';

const { BUY, SELL } = SIDE;

function fills(r: MatchResult): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < r.fillCount; i++)
    out.push([r.makerAccount[i]!, r.makerOrder[i]!, r.fillQty[i]!, r.fillPrice[i]!]);
  return out;
}

/** A book and a result object, with terse helpers. */
function setup(capacity?: number) {
  const book = new OrderBook(7, capacity);
  const r = new MatchResult();
  const limit = (id: number, account: number, side: number, price: number, qty: number) => (
    book.place(id, account, side, price, qty, false, r),
    r
  );
  const market = (id: number, account: number, side: number, qty: number) => (
    book.place(id, account, side, 0, qty, true, r),
    r
  );
  return { book, r, limit, market };
}

describe('OrderBook', () => {
  it('should rest orders that do not cross and report the best bid and ask', () => {
    const { book, limit } = setup();
    assert.equal(book.bestBid(), NO_PRICE);
    assert.equal(book.bestAsk(), NO_PRICE);
    assert.equal(limit(1, 1, BUY, 99, 10).status, STATUS.RESTING);
    limit(2, 1, BUY, 100, 5);
    limit(3, 2, SELL, 102, 7);
    limit(4, 2, SELL, 101, 3);
    assert.equal(book.bestBid(), 100);
    assert.equal(book.bestAsk(), 101);
    assert.deepEqual(book.depth(BUY), [
      { price: 100, qty: 5, orders: 1 },
      { price: 99, qty: 10, orders: 1 },
    ]);
    assert.deepEqual(book.depth(SELL, 1), [{ price: 101, qty: 3, orders: 1 }]);
    assert.equal(book.orderCount, 4);
    assert.equal(book.restingQty, 25);
  });

  it('should fill the better price first, at the maker price', () => {
    const { limit } = setup();
    limit(1, 1, SELL, 103, 5);
    limit(2, 1, SELL, 101, 5);
    limit(3, 1, SELL, 102, 5);
    const r = limit(4, 2, BUY, 105, 12);
    assert.equal(r.status, STATUS.FILLED);
    assert.deepEqual(fills(r), [
      [1, 2, 5, 101],
      [1, 3, 5, 102],
      [1, 1, 2, 103],
    ]);
    assert.equal(r.filledQty, 12);
    assert.equal(r.fillNotional, 5 * 101 + 5 * 102 + 2 * 103);
  });

  it('should fill the earlier order first at the same price', () => {
    const { limit } = setup();
    limit(10, 1, BUY, 50, 3);
    limit(11, 2, BUY, 50, 3);
    limit(12, 3, BUY, 50, 3);
    const r = limit(13, 4, SELL, 50, 7);
    assert.deepEqual(fills(r), [
      [1, 10, 3, 50],
      [2, 11, 3, 50],
      [3, 12, 1, 50],
    ]);
  });

  it('should keep a partially filled maker at the front of its level', () => {
    const { book, limit } = setup();
    limit(1, 1, SELL, 10, 10);
    limit(2, 2, SELL, 10, 10);
    assert.deepEqual(fills(limit(3, 3, BUY, 10, 4)), [[1, 1, 4, 10]]);
    assert.equal(book.openQty(1), 6);
    assert.deepEqual(fills(limit(4, 3, BUY, 10, 8)), [
      [1, 1, 6, 10],
      [2, 2, 2, 10],
    ]);
    assert.equal(book.openQty(1), 0);
    assert.equal(book.openQty(2), 8);
  });

  it('should rest the remainder of a partially filled limit order on its own side', () => {
    const { book, limit } = setup();
    limit(1, 1, SELL, 100, 4);
    const r = limit(2, 2, BUY, 101, 10);
    assert.equal(r.status, STATUS.PARTIAL_RESTING);
    assert.equal(r.filledQty, 4);
    assert.equal(r.cancelledQty, 0);
    assert.equal(book.bestBid(), 101);
    assert.equal(book.bestAsk(), NO_PRICE);
    assert.equal(book.openQty(2), 6);
  });

  it('should cancel only a live order of the same account', () => {
    const { book, r, limit } = setup();
    limit(1, 1, BUY, 100, 10);
    limit(2, 1, BUY, 100, 5);
    book.cancel(1, 2, r);
    assert.equal(r.status, STATUS.UNKNOWN_ORDER);
    book.cancel(1, 1, r);
    assert.equal(r.status, STATUS.CANCELLED);
    assert.equal(r.cancelledQty, 10);
    book.cancel(1, 1, r);
    assert.equal(r.status, STATUS.UNKNOWN_ORDER);
    book.cancel(99, 1, r);
    assert.equal(r.status, STATUS.UNKNOWN_ORDER);
    assert.deepEqual(book.depth(BUY), [{ price: 100, qty: 5, orders: 1 }]);
    book.cancel(2, 1, r);
    assert.equal(book.bestBid(), NO_PRICE);
    assert.equal(book.orderCount, 0);
  });

  it('should cancel the unfilled remainder of a market order and never rest it', () => {
    const { book, limit, market } = setup();
    assert.equal(market(1, 1, BUY, 5).status, STATUS.EXPIRED);
    limit(2, 2, SELL, 100, 3);
    limit(3, 2, SELL, 200, 2);
    const r = market(4, 1, BUY, 9);
    assert.equal(r.status, STATUS.EXPIRED);
    assert.deepEqual(fills(r), [
      [2, 2, 3, 100],
      [2, 3, 2, 200],
    ]);
    assert.equal(r.cancelledQty, 4);
    assert.equal(book.bestBid(), NO_PRICE);
    assert.equal(book.orderCount, 0);
    limit(5, 2, BUY, 90, 3);
    assert.equal(market(6, 1, SELL, 3).status, STATUS.FILLED);
  });

  it('should stop after MAX_FILLS makers and cancel the remainder while the book still crosses', () => {
    const { book, limit } = setup();
    for (let i = 0; i < MAX_FILLS + 2; i++) limit(100 + i, 1 + (i % 3), SELL, 50 + i, 1);
    const r = limit(1, 9, BUY, 1000, MAX_FILLS + 2);
    assert.equal(r.status, STATUS.MAX_FILLS_CANCELLED);
    assert.equal(r.fillCount, MAX_FILLS);
    assert.equal(r.filledQty, MAX_FILLS);
    assert.equal(r.cancelledQty, 2);
    assert.equal(book.orderCount, 2);
    assert.equal(book.bestAsk(), 50 + MAX_FILLS);
    assert.equal(book.bestBid(), NO_PRICE);
  });

  it('should rest a limit remainder after MAX_FILLS fills when nothing crosses any more', () => {
    const { book, limit } = setup();
    for (let i = 0; i < MAX_FILLS; i++) limit(100 + i, 1, SELL, 50, 1);
    limit(200, 1, SELL, 60, 1);
    const r = limit(1, 2, BUY, 55, MAX_FILLS + 3);
    assert.equal(r.status, STATUS.PARTIAL_RESTING);
    assert.equal(r.fillCount, MAX_FILLS);
    assert.equal(book.openQty(1), 3);
    assert.equal(book.bestBid(), 55);
  });

  it('should prevent a self trade by cancelling the taker remainder and keep the resting order', () => {
    const { book, limit } = setup();
    limit(1, 2, SELL, 100, 2);
    limit(2, 1, SELL, 101, 5);
    limit(3, 2, SELL, 102, 5);
    const r = limit(4, 1, BUY, 102, 10);
    assert.equal(r.status, STATUS.SELF_TRADE_CANCELLED);
    assert.deepEqual(fills(r), [[2, 1, 2, 100]]);
    assert.equal(r.cancelledQty, 8);
    assert.equal(book.openQty(2), 5);
    assert.equal(book.openQty(4), 0);
  });

  it('should reject a new order whose id is live and leave the book unchanged', () => {
    const { book, limit } = setup();
    limit(1, 1, BUY, 100, 10);
    const before = JSON.stringify(book.snapshot());
    assert.equal(limit(1, 2, SELL, 90, 5).status, STATUS.DUPLICATE_ORDER);
    assert.equal(JSON.stringify(book.snapshot()), before);
  });

  it('should keep priority through snapshot and restore', () => {
    const a = setup();
    a.limit(1, 1, BUY, 100, 3);
    a.limit(2, 2, BUY, 100, 4);
    a.limit(3, 3, BUY, 101, 1);
    a.limit(4, 1, SELL, 105, 2);
    const b = setup(2);
    b.book.restore(JSON.parse(JSON.stringify(a.book.snapshot())));
    assert.equal(b.book.stateHash(), a.book.stateHash());
    assert.deepEqual(fills(b.limit(9, 5, SELL, 100, 6)), [
      [3, 3, 1, 101],
      [1, 1, 3, 100],
      [2, 2, 2, 100],
    ]);
    assert.deepEqual(fills(a.limit(9, 5, SELL, 100, 6)), fills(b.r));
    assert.equal(b.book.stateHash(), a.book.stateHash());
  });

  it('should match exactly like a naive reference book over a seeded flow, growing its pools', () => {
    // one symbol, three accounts, prices spread over hundreds of levels; tiny initial pool
    const options = demoOptions({ accounts: 3, symbols: 1 });
    const flow = flowFor(SEED, options, { rejectRate: 0 });
    const { book, r } = setup(4);
    const ref = new ReferenceBook();
    const c = { command: 0, orderId: 0, accountId: 0, symbolId: 0, side: 0, price: 0, qty: 0 };
    let maxLevels = 0;
    for (let i = 0; i < 6000; i++) {
      flow.next(c);
      const expected: RefOutcome = ref.apply(c);
      if (c.command === COMMAND.CANCEL) book.cancel(c.orderId, c.accountId, r);
      else book.place(c.orderId, c.accountId, c.side, c.price, c.qty, c.command === COMMAND.NEW_MARKET, r);
      assert.deepEqual(
        [r.status, r.cancelledQty, fills(r)],
        expected,
        `seed ${SEED}, command ${i}: ${JSON.stringify(c)}`,
      );
      maxLevels = Math.max(maxLevels, book.depth(BUY).length + book.depth(SELL).length);
    }
    assert.equal(book.orderCount, ref.orders.length);
    assert.ok(maxLevels > 128, `the flow should spread over many levels (saw ${maxLevels}), seed ${SEED}`);
  });
});
