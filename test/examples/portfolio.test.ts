import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Portfolio } from '../../examples/order-matching/Portfolio.js';
import { RiskEngine } from '../../examples/order-matching/RiskEngine.js';
import { MatchingEngine } from '../../examples/order-matching/MatchingEngine.js';
import { mulDivFloor } from '../../examples/order-matching/integerMath.js';
import { Prng } from '../../examples/order-matching/Prng.js';
import { demoOptions, validateOptions } from '../../examples/order-matching/config.js';
import { MAX_FILLS } from '../../examples/order-matching/events.js';
import { flowFor, SEED } from './harness.js';

const options = validateOptions({
  accounts: [
    { accountId: 1, cash: 1_000_000, maxOrderQty: 100, maxNotional: 1e9 },
    { accountId: 2, cash: 500_000, maxOrderQty: 100, maxNotional: 1e9 },
  ],
  symbols: [{ symbolId: 5, minPrice: 1, maxPrice: 10_000, refPrice: 100 }],
});

describe('Portfolio', () => {
  it('should move cash and positions between buyer and seller', () => {
    const p = new Portfolio(options);
    assert.equal(p.applyTrade(1, 2, 5, 10, 100), true);
    assert.equal(p.cash(1), 1_000_000 - 1000);
    assert.equal(p.cash(2), 500_000 + 1000);
    assert.equal(p.position(1, 5), 10);
    assert.equal(p.position(2, 5), -10);
    assert.equal(p.costBasis(2, 5), -1000);
    assert.equal(p.applyTrade(1, 3, 5, 1, 1), false, 'unknown account');
    assert.equal(p.unknownFills, 1);
    assert.equal(p.fills, 1);
  });

  it('should realise P&L by the average-cost method in exact integers', () => {
    const p = new Portfolio(options);
    p.applyTrade(1, 2, 5, 10, 100);
    p.applyTrade(1, 2, 5, 10, 110);
    assert.equal(p.costBasis(1, 5), 2100);
    p.applyTrade(2, 1, 5, 5, 120); // account 1 sells 5 at 120: removes floor(2100 × 5 / 20) = 525
    assert.equal(p.realisedPnl(1, 5), 600 - 525);
    assert.equal(p.costBasis(1, 5), 1575);
    assert.equal(p.unrealisedPnl(1, 5, 100), 15 * 100 - 1575);
    p.applyTrade(2, 1, 5, 15, 90); // closes in full: the whole basis goes
    assert.equal(p.realisedPnl(1, 5), 75 + (1350 - 1575));
    assert.equal(p.position(1, 5), 0);
    assert.equal(p.costBasis(1, 5), 0);
    // account 2 was short 20 at 105 average, bought back 20 for 1950: +150
    assert.equal(p.realisedPnl(2), 150);
  });

  it('should keep the rounding remainder in the open position so nothing is lost', () => {
    const p = new Portfolio(options);
    p.applyTrade(1, 2, 5, 1, 100);
    p.applyTrade(1, 2, 5, 2, 101); // 3 units for 302
    p.applyTrade(2, 1, 5, 1, 101); // removes floor(302 / 3) = 100
    assert.equal(p.realisedPnl(1, 5), 1);
    assert.equal(p.costBasis(1, 5), 202);
    p.applyTrade(2, 1, 5, 2, 101);
    assert.equal(p.realisedPnl(1, 5), 1, 'bought for 302, sold for 303');
  });

  it('should close and reopen the other way when a trade goes through zero', () => {
    const p = new Portfolio(options);
    p.applyTrade(1, 2, 5, 3, 100);
    p.applyTrade(2, 1, 5, 5, 110); // account 1: sells 3 (realises 30), then is short 2 at 110
    assert.equal(p.position(1, 5), -2);
    assert.equal(p.costBasis(1, 5), -220);
    assert.equal(p.realisedPnl(1, 5), 30);
    assert.equal(p.position(2, 5), 2);
    assert.equal(p.costBasis(2, 5), 220);
    assert.equal(p.realisedPnl(2, 5), -30);
  });

  it('should compute floor(a × b / c) exactly on both the number and the BigInt paths', () => {
    const rng = new Prng(SEED);
    for (let i = 0; i < 20_000; i++) {
      const big = i % 2 === 0;
      const a = big ? Math.floor(rng.float() * Number.MAX_SAFE_INTEGER) : rng.int(2 ** 26);
      const c = 1 + rng.int(big ? 2 ** 32 - 1 : 2 ** 26);
      const b = rng.int(c + 1);
      const want = Number((BigInt(a) * BigInt(b)) / BigInt(c));
      assert.equal(mulDivFloor(a, b, c), want, `seed ${SEED}: mulDivFloor(${a}, ${b}, ${c})`);
    }
  });

  it('should conserve cash and positions across accounts over a seeded flow', () => {
    const o = demoOptions({ accounts: 6, symbols: 3 });
    const risk = new RiskEngine(o);
    const engine = new MatchingEngine(o);
    const p = new Portfolio(o);
    const flow = flowFor(SEED ^ 0x5a5a, o);
    const e: Record<string, number> = {
      riskResult: 0,
      status: 0,
      fillCount: 0,
      filledQty: 0,
      fillNotional: 0,
      cancelledQty: 0,
    };
    for (let i = 0; i < MAX_FILLS; i++)
      e[`makerAccount${i}`] = e[`makerOrder${i}`] = e[`fillQty${i}`] = e[`fillPrice${i}`] = 0;
    const slot = e as never as Parameters<MatchingEngine['processSlot']>[0];
    let fills = 0;
    for (let i = 0; i < 50_000; i++) {
      flow.next(slot);
      slot.riskResult = risk.check(
        slot.command,
        slot.orderId,
        slot.accountId,
        slot.symbolId,
        slot.side,
        slot.price,
        slot.qty,
      );
      engine.processSlot(slot);
      p.processSlot(slot);
      fills += slot.fillCount;
    }
    assert.ok(fills > 10_000, `the flow should trade (fills ${fills}), seed ${SEED}`);
    assert.equal(p.fills, fills);
    let cash = 0;
    let start = 0;
    for (const a of o.accounts) {
      cash += p.cash(a.accountId);
      start += a.cash;
      let basis = 0;
      let realised = 0;
      for (const s of o.symbols) {
        basis += p.costBasis(a.accountId, s.symbolId);
        realised += p.realisedPnl(a.accountId, s.symbolId);
      }
      assert.equal(
        p.cash(a.accountId) + basis - realised,
        a.cash,
        `account ${a.accountId}: cash + basis − realised ≠ starting cash, seed ${SEED}`,
      );
    }
    assert.equal(cash, start, `cash is zero-sum, seed ${SEED}`);
    for (const s of o.symbols) {
      let net = 0;
      let gross = 0;
      let unrealised = 0;
      let realised = 0;
      for (const a of o.accounts) {
        net += p.position(a.accountId, s.symbolId);
        gross += Math.abs(p.position(a.accountId, s.symbolId));
        unrealised += p.unrealisedPnl(a.accountId, s.symbolId, s.refPrice);
        realised += p.realisedPnl(a.accountId, s.symbolId);
      }
      assert.equal(net, 0, `positions in symbol ${s.symbolId} are zero-sum, seed ${SEED}`);
      assert.ok(gross > 0, `symbol ${s.symbolId} traded`);
      // total P&L of a closed system is zero at any common mark
      assert.equal(unrealised + realised, 0, `P&L in symbol ${s.symbolId} is zero-sum, seed ${SEED}`);
    }
  });

  it('should restore a snapshot to the same state hash', () => {
    const p = new Portfolio(options);
    p.applyTrade(1, 2, 5, 7, 123);
    p.applyTrade(2, 1, 5, 3, 130);
    const q = new Portfolio(options);
    assert.notEqual(q.stateHash(), p.stateHash());
    q.restore(JSON.parse(JSON.stringify(p.snapshot())));
    assert.equal(q.stateHash(), p.stateHash());
    assert.equal(q.realisedPnl(1, 5), p.realisedPnl(1, 5));
    assert.throws(() => q.restore({ fills: 0, unknownFills: 0, accounts: [] }), {
      code: 'RINGBUS_ERR_SNAPSHOT_CORRUPT',
    });
  });
});
