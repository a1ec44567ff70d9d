/**
 * The engine's hot-path shortcuts give exactly what the plain versions give:
 * - the per-shape report folds (ReportDigest.onOrderReport / onTradeReport / onTopReport, which
 *   fold the fields a shape leaves at 0 without reading them) against the generic onReport, over a
 *   long seeded flow and over seeded reports with values beyond 32 bits;
 * - IdIndex (dense table below 4096, Map above) against a Map, for ids in and out of the table
 *   and for values that are not ids at all;
 * - BookSide's sorted level view (short moves by a loop, long ones by copyWithin) against a sorted
 *   array, with levels added and emptied anywhere in books of up to a few hundred levels.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { REPORT } from '../../../examples/order-matching/exchange/codes.js';
import { demoExchangeOptions } from '../../../examples/order-matching/exchange/config.js';
import { Exchange } from '../../../examples/order-matching/exchange/Exchange.js';
import { ExchangeFlow } from '../../../examples/order-matching/exchange/exchangeFlow.js';
import { ExecutionReport } from '../../../examples/order-matching/exchange/ExecutionReport.js';
import { IdIndex } from '../../../examples/order-matching/exchange/IdIndex.js';
import { ReportDigest } from '../../../examples/order-matching/exchange/ReportDigest.js';
import { BookSide } from '../../../examples/order-matching/BookSide.js';
import { NIL, OrderPool } from '../../../examples/order-matching/OrderPool.js';
import { Prng } from '../../../examples/order-matching/Prng.js';
import { blankCommand } from '../../../examples/order-matching/exchange/ExchangeCommand.js';

// a fresh seed per run unless RINGBUS_SEED replays one (printed, and in every failure message)
const SEED = Number(process.env.RINGBUS_SEED ?? Date.now() % 2 ** 32) >>> 0;
console.log(`exchangeHotPath: RINGBUS_SEED=${SEED}`);

/** A value for a report field: small, 32-bit, above 2^32, up to 2^53, or negative. */
function value(rng: Prng): number {
  const k = rng.int(5);
  if (k === 0) return rng.int(100);
  if (k === 1) return rng.int(2 ** 31) * 2 + rng.int(2);
  if (k === 2) return 2 ** 32 + rng.int(2 ** 20) * 4096;
  if (k === 3) return Number.MAX_SAFE_INTEGER - rng.int(1000);
  return -1 - rng.int(2 ** 30);
}

describe('exchange hot path', () => {
  it('should fold every report of a long seeded flow exactly as the generic fold does', () => {
    const options = demoExchangeOptions({ accounts: 16, symbols: 4 });
    const engine = new Exchange(options);
    const generic = new ReportDigest();
    const shapes = new Set<number>();
    engine.sink = {
      onReport: (r) => {
        generic.onReport(r);
        shapes.add(r.type);
      },
    };
    const flow = new ExchangeFlow({ seed: SEED, exchange: options });
    const c = blankCommand();
    for (let i = 0; i < 300_000; i++) {
      flow.next(c);
      engine.process(c);
    }
    for (const t of [
      REPORT.ACCEPTED,
      REPORT.REJECTED,
      REPORT.CANCELLED,
      REPORT.EXPIRED,
      REPORT.TRADE,
      REPORT.TOP_OF_BOOK,
    ])
      assert.ok(shapes.has(t), `seed ${SEED}: the flow produced report type ${t}`);
    assert.ok(engine.digest.count > 300_000, `seed ${SEED}: reports folded`);
    assert.equal(engine.digest.digest(), generic.digest(), `seed ${SEED}: per-shape folds = generic fold`);
  });

  it('should fold seeded reports of each shape with values beyond 32 bits as the generic fold does', () => {
    const rng = new Prng(SEED);
    const fast = new ReportDigest();
    const slow = new ReportDigest();
    const r = new ExecutionReport();
    for (let i = 0; i < 20_000; i++) {
      const shape = rng.int(3);
      if (shape === 0) {
        r.startOrder(REPORT.CANCELLED, value(rng));
        r.reason = value(rng);
      } else if (shape === 1) {
        r.startTrade(value(rng));
        r.reason = value(rng);
        r.tradeId = value(rng);
        r.liquidity = value(rng);
        r.counterAccountId = value(rng);
        r.counterOrderId = value(rng);
      } else r.startTop(value(rng));
      if (shape !== 2) {
        r.accountId = value(rng);
        r.orderId = value(rng);
        r.side = value(rng);
        r.price = value(rng);
        r.qty = value(rng);
        r.leavesQty = value(rng);
        r.filledQty = value(rng);
      } else {
        r.bidPrice = value(rng);
        r.bidQty = value(rng);
        r.askPrice = value(rng);
        r.askQty = value(rng);
      }
      r.symbolId = value(rng);
      if (shape === 0) fast.onOrderReport(r);
      else if (shape === 1) fast.onTradeReport(r);
      else fast.onTopReport(r);
      slow.onReport(r);
      assert.equal(fast.digest(), slow.digest(), `seed ${SEED}: report ${i} (shape ${shape})`);
    }
  });

  it('should map ids in and out of the dense table as a Map does, and miss on non-ids', () => {
    const rng = new Prng(SEED);
    const index = new IdIndex();
    const map = new Map<number, number>();
    const ids: number[] = [0, 1, 4095, 4096, 4097, 0xffffffff];
    for (let i = 0; i < 2000; i++) ids.push(rng.int(2) === 0 ? rng.int(8192) : rng.int(2 ** 32));
    ids.forEach((id, i) => {
      index.set(id, i);
      map.set(id, i);
    });
    const probes = [...ids, -1, -0, 1.5, 4095.5, NaN, Infinity, -Infinity, 2 ** 32, 2 ** 53, -4096];
    for (let i = 0; i < 2000; i++) probes.push(rng.int(2 ** 32));
    for (const id of probes) assert.equal(index.get(id), map.get(id) ?? -1, `seed ${SEED}: id ${id}`);
    assert.equal(index.get('7' as never), -1, 'a string is not an id');
    index.clear();
    for (const id of ids) assert.equal(index.get(id), -1, `id ${id} after clear`);
  });

  it(
    'should keep the price levels sorted best first whatever the position of each new or emptied level',
    { timeout: 300_000 },
    () => {
      const rng = new Prng(SEED);
      for (const isBid of [true, false]) {
        const pool = new OrderPool(64);
        const side = new BookSide(pool, isBid);
        const live: { n: number; price: number }[] = [];
        let maxLevels = 0;
        for (let step = 0; step < 40_000; step++) {
          // grow to a few hundred levels, then drift around that size
          if (live.length === 0 || rng.int(live.length < 300 ? 3 : 2) !== 0) {
            const n = pool.alloc();
            pool.qty[n] = 1 + rng.int(9);
            const price = 1 + rng.int(600);
            side.append(n, price);
            live.push({ n, price });
          } else {
            const k = rng.int(live.length);
            const { n } = live[k]!;
            side.unlink(n);
            pool.free(n);
            live[k] = live[live.length - 1]!;
            live.pop();
          }
          const want = [...new Set(live.map((o) => o.price))].sort((a, b) => (isBid ? b - a : a - b));
          maxLevels = Math.max(maxLevels, want.length);
          if (step % 97 === 0 || want.length !== side.levelCount) {
            const got: number[] = [];
            for (let r = 0; r < side.levelCount; r++) got.push(side.levelPrice(side.levelAt(r)));
            assert.deepEqual(got, want, `seed ${SEED}: ${isBid ? 'bids' : 'asks'} after step ${step}`);
          }
        }
        assert.ok(maxLevels > 2 * 32, `seed ${SEED}: books deep enough for long moves (${maxLevels} levels)`);
        assert.equal(side.levelAt(side.levelCount), NIL);
      }
    },
  );
});
