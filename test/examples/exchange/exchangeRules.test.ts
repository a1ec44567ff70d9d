/**
 * The exchange's rules one by one, on the engine alone: order types and time in force, post-only,
 * modify priority, each STP mode, each reject reason, admin commands, and adversarial input (NaN,
 * fractions, negatives, out-of-range ids, colliding ids) rejected with the state unchanged.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CANCEL_REASON,
  CMD,
  FLAG,
  LIQUIDITY,
  REASON,
  REPORT,
  SIDE,
  STP,
  TIF,
} from '../../../examples/order-matching/exchange/codes.js';
import {
  DEMO_LIMITS,
  validateExchangeOptions,
  type AccountLimits,
} from '../../../examples/order-matching/exchange/config.js';
import { Exchange, type ExchangeCommand } from '../../../examples/order-matching/exchange/Exchange.js';
import { copyReport, type ReportRecord } from '../../../examples/order-matching/exchange/ExecutionReport.js';
import { orderIdHash } from '../../../examples/order-matching/OrderIndex.js';
import { LiveOrderIndex } from '../../../examples/order-matching/exchange/LiveOrderIndex.js';

const { BUY, SELL } = SIDE;

function exchange(limits: Partial<AccountLimits> = {}, cash = 10_000_000, extra: Record<string, unknown> = {}) {
  const options = validateExchangeOptions({
    accounts: [1, 2, 3].map((accountId) => ({ accountId, cash, ...DEMO_LIMITS, ...limits })),
    symbols: [{ symbolId: 1, tickSize: 5, lotSize: 10, minQty: 10, maxQty: 1000, refPrice: 1000, bandWidth: 100 }],
    accountDefaults: DEMO_LIMITS,
    ...extra,
  });
  const engine = new Exchange(options);
  let reports: ReportRecord[] = [];
  engine.sink = { onReport: (r) => reports.push(copyReport(r)) };
  let time = 0;
  /** Sends one command; returns its reason and the reports it produced. */
  const send = (c: Partial<ExchangeCommand>, ts = (time += 1000)) => {
    reports = [];
    engine.process({
      command: 0,
      orderId: 0,
      accountId: 1,
      symbolId: 1,
      side: BUY,
      price: 0,
      qty: 0,
      tif: 0,
      flags: 0,
      time: ts,
      ...c,
    });
    return { reason: engine.outReason, reports, types: reports.map((r) => r.type) };
  };
  let id = 100;
  const limit = (accountId: number, side: number, price: number, qty: number, more: Partial<ExchangeCommand> = {}) =>
    send({ command: CMD.NEW_LIMIT, orderId: ++id, accountId, side, price, qty, ...more });
  const market = (accountId: number, side: number, qty: number, tif = 0) =>
    send({ command: CMD.NEW_MARKET, orderId: ++id, accountId, side, qty, tif });
  return { engine, send, limit, market, lastId: () => id };
}

const trades = (reports: ReportRecord[]) => reports.filter((r) => r.type === REPORT.TRADE);

describe('exchange rules', () => {
  it('should rest a GTC limit, fill at the maker price, and report both sides of each fill with one trade id', () => {
    const x = exchange();
    x.limit(2, SELL, 1000, 30);
    x.limit(3, SELL, 1005, 30);
    const r = x.limit(1, BUY, 1010, 50);
    const t = trades(r.reports);
    assert.deepEqual(
      t.map((f) => [f.liquidity, f.accountId, f.price, f.qty, f.tradeId]),
      [
        [LIQUIDITY.TAKER, 1, 1000, 30, 1],
        [LIQUIDITY.MAKER, 2, 1000, 30, 1],
        [LIQUIDITY.TAKER, 1, 1005, 20, 2],
        [LIQUIDITY.MAKER, 3, 1005, 20, 2],
      ],
    );
    assert.equal(x.engine.outLeaves, 0);
    const s = x.engine.snapshot();
    // buyer paid 30×1000 + 20×1005; the rest of its hold at 1010 was released
    assert.equal(s.accounts.state[0]![1], 10_000_000 - 30 * 1000 - 20 * 1005);
    assert.equal(s.accounts.state[0]![2], 0);
    assert.deepEqual(s.books[0]!.asks, [[3, x.lastId() - 1, 1005, 10, 30, 20, 0]]);
  });

  it('should make a taker that sweeps many makers produce one trade per maker, without a cap', () => {
    const x = exchange();
    for (let i = 0; i < 100; i++) x.limit(2 + (i % 2), SELL, 1000, 10);
    const r = x.limit(1, BUY, 1000, 1000);
    assert.equal(trades(r.reports).length, 2 * 100, '100 makers: 100 taker and 100 maker reports');
    assert.equal(new Set(trades(r.reports).map((t) => t.tradeId)).size, 100);
    assert.equal(x.engine.outTrades, 100);
    assert.equal(x.engine.snapshot().books[0]!.asks.length, 0);
  });

  it('should expire the rest of IOC and market orders, and fill FOK all or nothing', () => {
    const x = exchange();
    x.limit(2, SELL, 1000, 30);
    const ioc = x.limit(1, BUY, 1000, 50, { tif: TIF.IOC });
    assert.deepEqual(ioc.types, [REPORT.ACCEPTED, REPORT.TRADE, REPORT.TRADE, REPORT.EXPIRED, REPORT.TOP_OF_BOOK]);
    assert.equal(ioc.reports[3]!.qty, 20);
    assert.equal(ioc.reports[3]!.reason, CANCEL_REASON.IOC);
    x.limit(2, SELL, 1000, 30);
    const fok = x.limit(1, BUY, 1000, 40, { tif: TIF.FOK });
    assert.deepEqual(fok.types, [REPORT.ACCEPTED, REPORT.EXPIRED]);
    assert.equal(fok.reports[1]!.reason, CANCEL_REASON.FOK);
    const fokOk = x.market(1, BUY, 30, TIF.FOK);
    assert.equal(trades(fokOk.reports).length, 2);
    const m = x.market(1, BUY, 10);
    assert.deepEqual(m.types, [REPORT.ACCEPTED, REPORT.EXPIRED]);
    assert.equal(x.engine.snapshot().accounts.state[0]![2], 0, 'no cash left held');
  });

  it('should reject a post-only order that would trade and rest one that would not', () => {
    const x = exchange();
    x.limit(2, SELL, 1000, 30);
    assert.equal(x.limit(1, BUY, 1000, 10, { flags: FLAG.POST_ONLY }).reason, REASON.POST_ONLY_WOULD_TRADE);
    assert.equal(x.limit(1, BUY, 995, 10, { flags: FLAG.POST_ONLY }).reason, 0);
    assert.equal(x.limit(1, BUY, 990, 10, { flags: FLAG.POST_ONLY, tif: TIF.IOC }).reason, REASON.INVALID_FLAGS);
  });

  it('should keep priority on a size decrease, lose it on a price change or increase, and cancel at or below the filled quantity', () => {
    const x = exchange();
    x.limit(1, BUY, 1000, 50);
    const a = x.lastId();
    x.limit(2, BUY, 1000, 50);
    const modify = (orderId: number, accountId: number, price: number, qty: number) =>
      x.send({ command: CMD.MODIFY, orderId, accountId, price, qty });
    assert.equal(modify(a, 1, 0, 30).types[0], REPORT.REPLACED);
    assert.deepEqual(
      x.engine.snapshot().books[0]!.bids.map((o) => o[0]),
      [1, 2],
      'decrease keeps priority',
    );
    modify(a, 1, 0, 40);
    assert.deepEqual(
      x.engine.snapshot().books[0]!.bids.map((o) => o[0]),
      [2, 1],
      'increase loses priority',
    );
    modify(x.lastId(), 2, 995, 50);
    modify(x.lastId(), 2, 1000, 50);
    assert.deepEqual(
      x.engine.snapshot().books[0]!.bids.map((o) => o[0]),
      [1, 2],
      'price change loses priority',
    );
    x.market(3, SELL, 20);
    const c = modify(a, 1, 0, 20);
    assert.deepEqual(
      [c.types[0], c.reports[0]!.reason, c.reports[0]!.qty],
      [REPORT.CANCELLED, CANCEL_REASON.MODIFY, 20],
    );
    assert.equal(modify(a, 1, 0, 50).reason, REASON.UNKNOWN_ORDER, 'a cancelled order cannot be modified');
    assert.equal(modify(x.lastId() - 1, 1, 0, 50).reason, REASON.UNKNOWN_ORDER, 'a foreign order cannot be modified');
  });

  it('should apply each self-trade prevention mode', () => {
    const outcome = (mode: number) => {
      const x = exchange({ stpMode: mode });
      x.limit(1, SELL, 1000, 20);
      x.limit(2, SELL, 1000, 20);
      const r = x.limit(1, BUY, 1000, 30);
      return { r, book: x.engine.snapshot().books[0]! };
    };
    const taker = outcome(STP.CANCEL_TAKER);
    assert.deepEqual(taker.r.types, [REPORT.ACCEPTED, REPORT.CANCELLED]);
    assert.equal(taker.book.asks.length, 2);
    const maker = outcome(STP.CANCEL_MAKER);
    assert.deepEqual(maker.r.types.slice(0, 4), [REPORT.ACCEPTED, REPORT.CANCELLED, REPORT.TRADE, REPORT.TRADE]);
    assert.deepEqual(
      maker.book.bids.map((o) => o[3]),
      [10],
      'taker rests the 10 it could not fill',
    );
    const both = outcome(STP.CANCEL_BOTH);
    assert.deepEqual(both.r.types.slice(0, 3), [REPORT.ACCEPTED, REPORT.CANCELLED, REPORT.CANCELLED]);
    assert.deepEqual(
      both.book.asks.map((o) => o[0]),
      [2],
    );
    const dc = outcome(STP.DECREMENT_AND_CANCEL);
    // both lose 20 (the maker's open qty): the maker is cancelled, the taker trades its last 10 with account 2
    assert.deepEqual(dc.r.types.slice(0, 5), [
      REPORT.ACCEPTED,
      REPORT.CANCELLED,
      REPORT.CANCELLED,
      REPORT.TRADE,
      REPORT.TRADE,
    ]);
    assert.deepEqual(
      dc.book.asks.map((o) => [o[0], o[3]]),
      [[2, 10]],
    );
  });

  it('should treat accounts of one STP group as one party', () => {
    const options = validateExchangeOptions({
      accounts: [1, 2].map((accountId) => ({ accountId, cash: 1e9, ...DEMO_LIMITS, stpGroup: 9 })),
      symbols: [{ symbolId: 1, tickSize: 1, lotSize: 1, minQty: 1, maxQty: 100, refPrice: 100, bandWidth: 50 }],
      accountDefaults: DEMO_LIMITS,
    });
    const e = new Exchange(options);
    const cmd = {
      command: CMD.NEW_LIMIT,
      orderId: 1,
      accountId: 2,
      symbolId: 1,
      side: SELL,
      price: 100,
      qty: 5,
      tif: 0,
      flags: 0,
      time: 1,
    };
    e.process(cmd);
    e.process({ ...cmd, accountId: 1, side: BUY });
    assert.equal(e.outTrades, 0);
  });

  it('should reject each instrument and risk violation with its reason and change nothing', () => {
    const x = exchange(
      { maxOrderQty: 500, maxNotional: 400_000, maxOpenOrders: 2, maxPosition: 600, shortLimit: 100 },
      500_000,
    );
    const before = x.engine.snapshot();
    const cases: [Partial<ExchangeCommand>, number][] = [
      [{ price: 1003 }, REASON.TICK_SIZE],
      [{ qty: 15 }, REASON.LOT_SIZE],
      [{ qty: 2000 }, REASON.QTY_OUT_OF_RANGE],
      [{ price: 1105 }, REASON.PRICE_BAND],
      [{ qty: 510 }, REASON.MAX_ORDER_QTY],
      [{ qty: 450 }, REASON.MAX_NOTIONAL],
      [{ side: SELL, qty: 110 }, REASON.INSUFFICIENT_POSITION],
      [{ accountId: 77 }, REASON.UNKNOWN_ACCOUNT],
      [{ symbolId: 5 }, REASON.UNKNOWN_SYMBOL],
      [{ side: 3 }, REASON.INVALID_SIDE],
      [{ tif: 9 }, REASON.INVALID_TIF],
      [{ flags: 4 }, REASON.INVALID_FLAGS],
    ];
    for (const [c, reason] of cases) {
      const r = x.send({ command: CMD.NEW_LIMIT, orderId: 5000, price: 1000, qty: 10, ...c });
      assert.equal(r.reason, reason, JSON.stringify(c));
      assert.deepEqual(r.types, [REPORT.REJECTED]);
      assert.equal(r.reports[0]!.reason, reason);
    }
    assert.deepEqual({ ...x.engine.snapshot(), commands: 0, reports: [] }, { ...before, commands: 0, reports: [] });
    x.limit(1, BUY, 1000, 300);
    assert.equal(x.limit(1, BUY, 1000, 300).reason, REASON.INSUFFICIENT_CASH);
    x.limit(1, BUY, 900, 200);
    assert.equal(x.limit(1, BUY, 900, 10).reason, REASON.MAX_OPEN_ORDERS);
    const y = exchange({ maxPosition: 100 });
    assert.equal(y.limit(1, BUY, 1000, 110).reason, REASON.MAX_POSITION);
    assert.equal(y.limit(1, SELL, 1000, 110).reason, REASON.MAX_POSITION);
  });

  it('should throttle new orders by event time, not by the clock or the command count', () => {
    const x = exchange({ burst: 2, refillNs: 1_000_000 });
    const at = (ts: number) =>
      x.send({ command: CMD.NEW_LIMIT, orderId: x.lastId() + 1 + ts, price: 900, qty: 10 }, ts).reason;
    assert.deepEqual([at(10), at(20), at(30)], [0, 0, REASON.THROTTLED]);
    assert.equal(at(1_000_015), 0, 'one token back after refillNs of event time');
    assert.equal(at(1_000_016), REASON.THROTTLED);
  });

  it('should require order ids to increase per account for the engine lifetime', () => {
    const x = exchange();
    x.send({ command: CMD.NEW_LIMIT, orderId: 50, price: 900, qty: 10 });
    x.send({ command: CMD.CANCEL, orderId: 50 });
    assert.equal(
      x.send({ command: CMD.NEW_LIMIT, orderId: 50, price: 900, qty: 10 }).reason,
      REASON.DUPLICATE_ORDER_ID,
    );
    assert.equal(
      x.send({ command: CMD.NEW_LIMIT, orderId: 49, price: 900, qty: 10 }).reason,
      REASON.DUPLICATE_ORDER_ID,
    );
    assert.equal(
      x.send({ command: CMD.NEW_LIMIT, orderId: 50, accountId: 2, price: 900, qty: 10 }).reason,
      0,
      'ids are per account',
    );
  });

  it('should reject NaN, fractional, negative and out-of-range values with a reason and leave the state unchanged', () => {
    const x = exchange();
    x.limit(2, SELL, 1000, 30);
    const before = x.engine.snapshot();
    const bad: [Partial<ExchangeCommand>, number][] = [
      [{ price: Number.NaN }, REASON.INVALID_PRICE],
      [{ price: 1000.5 }, REASON.INVALID_PRICE],
      [{ price: -5 }, REASON.INVALID_PRICE],
      [{ qty: Number.NaN }, REASON.INVALID_QTY],
      [{ qty: 10.5 }, REASON.INVALID_QTY],
      [{ qty: -10 }, REASON.INVALID_QTY],
      [{ orderId: 2 ** 53 }, REASON.INVALID_ORDER_ID],
      [{ orderId: -1 }, REASON.INVALID_ORDER_ID],
      [{ orderId: 1.5 }, REASON.INVALID_ORDER_ID],
      [{ accountId: Number.NaN }, REASON.UNKNOWN_ACCOUNT],
      [{ side: Number.NaN }, REASON.INVALID_SIDE],
      [{ tif: Number.NaN }, REASON.INVALID_TIF],
      [{ flags: 0.5 }, REASON.INVALID_FLAGS],
      [{ command: Number.NaN }, REASON.UNKNOWN_COMMAND],
      [{ command: CMD.NEW_MARKET, price: 5 }, REASON.INVALID_PRICE],
      [{ command: CMD.DEPOSIT, price: Number.NaN }, REASON.INVALID_AMOUNT],
      [{ command: CMD.WITHDRAW, price: 0.5 }, REASON.INVALID_AMOUNT],
      [{ command: CMD.DEPTH, qty: -1 }, REASON.INVALID_QTY],
    ];
    for (const [c, reason] of bad) {
      const r = x.send({ command: CMD.NEW_LIMIT, orderId: 9000, price: 1000, qty: 10, ...c });
      assert.equal(r.reason, reason, JSON.stringify(c));
      assert.ok(
        r.reports.every((rep) => Number.isFinite(rep.price) && Number.isFinite(rep.qty)),
        'NaN never reaches a report',
      );
    }
    const after = x.engine.snapshot();
    assert.deepEqual({ ...after, commands: 0, reports: [] }, { ...before, commands: 0, reports: [] });
  });

  it('should apply admin commands: add account, deposit, withdraw within free cash, suspend and resume', () => {
    const x = exchange({}, 1000);
    assert.equal(x.send({ command: CMD.ADD_ACCOUNT, accountId: 9, price: 500 }).reason, 0);
    assert.equal(x.send({ command: CMD.ADD_ACCOUNT, accountId: 9, price: 500 }).reason, REASON.ACCOUNT_EXISTS);
    assert.equal(x.send({ command: CMD.DEPOSIT, accountId: 9, price: 10_000 }).reason, 0);
    assert.equal(x.limit(9, BUY, 1000, 10).reason, 0);
    assert.equal(x.send({ command: CMD.WITHDRAW, accountId: 9, price: 1000 }).reason, REASON.INSUFFICIENT_CASH);
    assert.equal(x.send({ command: CMD.WITHDRAW, accountId: 9, price: 500 }).reason, 0);
    x.send({ command: CMD.SUSPEND, accountId: 9 });
    assert.equal(x.limit(9, BUY, 900, 10).reason, REASON.ACCOUNT_SUSPENDED);
    assert.equal(
      x.send({ command: CMD.CANCEL, accountId: 9, orderId: x.lastId() - 1 }).reason,
      0,
      'cancel works while suspended',
    );
    x.send({ command: CMD.RESUME, accountId: 9 });
    assert.equal(x.limit(9, BUY, 900, 10).reason, 0);
    const row = x.engine.snapshot().accounts.state.find((s) => s[0] === 9)!;
    assert.equal(row[1], 500 + 10_000 - 500);
  });

  it('should mass cancel per account and per account and symbol, and answer depth requests', () => {
    const x = exchange();
    x.limit(1, BUY, 990, 10);
    x.limit(1, SELL, 1010, 10);
    x.limit(2, BUY, 990, 20);
    const d = x.send({ command: CMD.DEPTH, qty: 0 });
    assert.deepEqual(
      d.reports.filter((r) => r.type === REPORT.DEPTH_LEVEL).map((r) => [r.side, r.price, r.qty, r.orders]),
      [
        [BUY, 990, 30, 2],
        [SELL, 1010, 10, 1],
      ],
    );
    const m = x.send({ command: CMD.MASS_CANCEL, accountId: 1, symbolId: 0 });
    assert.deepEqual(m.types, [REPORT.CANCELLED, REPORT.CANCELLED, REPORT.DONE, REPORT.TOP_OF_BOOK]);
    assert.equal(m.reports[2]!.qty, 2);
    assert.equal(x.engine.snapshot().books[0]!.bids.length, 1);
  });

  it('should mass cancel the orders of an account in priority order: best price first, then arrival (modify keeps or loses it)', () => {
    const x = exchange();
    const ids: Record<string, number> = {};
    const rest = (name: string, account: number, side: number, price: number) => {
      x.limit(account, side, price, 20);
      ids[name] = x.lastId();
    };
    rest('b990a', 1, BUY, 990);
    rest('other', 2, BUY, 995);
    rest('b995', 1, BUY, 995);
    rest('b990b', 1, BUY, 990);
    rest('b985', 1, BUY, 985);
    rest('b990c', 1, BUY, 990);
    rest('a1010', 1, SELL, 1010);
    rest('a1005', 1, SELL, 1005);
    // b990a keeps its place (smaller), b990b goes to the back of 990 (larger)
    const modify = (name: string, qty: number) =>
      assert.equal(x.send({ command: CMD.MODIFY, orderId: ids[name]!, qty }).reason, 0, `modify ${name}`);
    modify('b990a', 10);
    modify('b990b', 30);
    const m = x.send({ command: CMD.MASS_CANCEL, accountId: 1, symbolId: 1 });
    const byId = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
    assert.deepEqual(
      m.reports.filter((r) => r.type === REPORT.CANCELLED).map((r) => byId.get(r.orderId)),
      ['b995', 'b990a', 'b990c', 'b990b', 'b985', 'a1005', 'a1010'],
    );
    const snap = x.engine.snapshot().books[0]!;
    assert.equal(snap.bids.length + snap.asks.length, 1, 'only the order of the other account is left');
  });

  it('should validate options, bookCapacity included', () => {
    for (const bookCapacity of [0, Number.NaN, 1.5, -1])
      assert.throws(
        () =>
          validateExchangeOptions({
            accounts: [],
            symbols: [{ symbolId: 1, tickSize: 1, lotSize: 1, minQty: 1, maxQty: 1, refPrice: 1, bandWidth: 1 }],
            accountDefaults: DEMO_LIMITS,
            bookCapacity,
          }),
        (e: Error & { code?: string }) => e.code === 'RINGBUS_ERR_INVALID_OPTION' && e.message.includes('bookCapacity'),
      );
    assert.throws(
      () => validateExchangeOptions({ accounts: [], symbols: [], accountDefaults: DEMO_LIMITS }),
      /symbols/,
    );
    assert.throws(
      () =>
        validateExchangeOptions({
          accounts: [],
          symbols: [{ symbolId: 1, tickSize: 2, lotSize: 1, minQty: 1, maxQty: 1, refPrice: 3, bandWidth: 1 }],
          accountDefaults: DEMO_LIMITS,
        }),
      /refPrice/,
    );
  });

  it('should keep the id table linear for ids chosen to share one hash', () => {
    // ids sharing the top bits of the first version's fixed hash (its home slot at 2^15 slots)
    const chosen: number[] = [];
    for (let id = 1; chosen.length < 20_000; id++) if (orderIdHash(id) >>> 17 === 0) chosen.push(id);
    const table = new LiveOrderIndex(16);
    chosen.forEach((id, i) => table.set(1, id, i));
    chosen.forEach((id, i) => assert.equal(table.get(1, id), i));
    const sequential = new LiveOrderIndex(16);
    for (let i = 0; i < chosen.length; i++) sequential.set(1, i + 1, i);
    for (let i = 0; i < chosen.length; i++) sequential.get(1, i + 1);
    assert.ok(table.probes < 8 * chosen.length, `probes ${table.probes} for ${chosen.length} chosen ids`);
    assert.ok(table.probes < 4 * sequential.probes, `chosen ${table.probes} vs sequential ${sequential.probes} probes`);
  });
});
