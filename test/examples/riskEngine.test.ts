import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RiskEngine } from '../../examples/order-matching/RiskEngine.js';
import { validateOptions } from '../../examples/order-matching/config.js';
import { COMMAND, RISK, SIDE } from '../../examples/order-matching/events.js';

const { NEW_LIMIT, NEW_MARKET, CANCEL } = COMMAND;
const { BUY, SELL } = SIDE;

const options = {
  accounts: [
    { accountId: 1, cash: 10_000, maxOrderQty: 100, maxNotional: 50_000 },
    { accountId: 2, cash: 1_000_000, maxOrderQty: 1000, maxNotional: 1_000_000, burst: 2, refillEvery: 3 },
  ],
  symbols: [{ symbolId: 9, minPrice: 50, maxPrice: 1_000, refPrice: 100 }],
};

describe('RiskEngine', () => {
  it('should accept orders within every limit', () => {
    const risk = new RiskEngine(options);
    assert.equal(risk.check(NEW_LIMIT, 1, 1, 9, BUY, 100, 100), RISK.ACCEPTED); // notional 10_000 = cash
    assert.equal(risk.check(NEW_LIMIT, 2, 1, 9, SELL, 500, 100), RISK.ACCEPTED); // sells need no cash
    assert.equal(risk.check(NEW_MARKET, 3, 1, 9, SELL, 0, 50), RISK.ACCEPTED); // 50 × maxPrice 1000
    assert.equal(risk.check(CANCEL, 2, 1, 9, 0, 0, 0), RISK.ACCEPTED);
  });

  it('should reject with the reason of the first failed check', () => {
    const risk = new RiskEngine(options);
    const cases: [number[], number][] = [
      [[NEW_LIMIT, 1, 3, 9, BUY, 100, 1], RISK.UNKNOWN_ACCOUNT],
      [[CANCEL, 1, 3, 9, BUY, 0, 0], RISK.UNKNOWN_ACCOUNT],
      [[NEW_LIMIT, 1, 1, 8, BUY, 100, 1], RISK.UNKNOWN_SYMBOL],
      [[CANCEL, 1, 1, 8, BUY, 0, 0], RISK.UNKNOWN_SYMBOL],
      [[7, 1, 1, 9, BUY, 100, 1], RISK.INVALID_ORDER],
      [[NEW_LIMIT, 1, 1, 9, 3, 100, 1], RISK.INVALID_ORDER],
      [[NEW_LIMIT, 1, 1, 9, BUY, 100, 0], RISK.INVALID_ORDER],
      [[NEW_LIMIT, 1, 1, 9, BUY, 0, 1], RISK.INVALID_ORDER],
      [[NEW_MARKET, 1, 1, 9, BUY, 100, 1], RISK.INVALID_ORDER],
      [[NEW_LIMIT, -1, 1, 9, BUY, 100, 1], RISK.INVALID_ORDER],
      [[NEW_LIMIT, 1, 1, 9, SELL, 100, 101], RISK.QTY_LIMIT],
      [[NEW_LIMIT, 1, 1, 9, SELL, 49, 1], RISK.PRICE_BAND],
      [[NEW_LIMIT, 1, 1, 9, SELL, 1001, 1], RISK.PRICE_BAND],
      [[NEW_LIMIT, 1, 1, 9, SELL, 501, 100], RISK.NOTIONAL_LIMIT],
      [[NEW_MARKET, 1, 1, 9, SELL, 0, 51], RISK.NOTIONAL_LIMIT],
      [[NEW_LIMIT, 1, 1, 9, BUY, 101, 100], RISK.INSUFFICIENT_CASH],
      [[NEW_MARKET, 1, 1, 9, BUY, 0, 11], RISK.INSUFFICIENT_CASH],
    ];
    for (const [[c, id, acc, sym, side, price, qty], want] of cases) {
      assert.equal(
        risk.check(c!, id!, acc!, sym!, side!, price!, qty!),
        want,
        `check(${[c, id, acc, sym, side, price, qty]})`,
      );
    }
    assert.equal(risk.count(RISK.INVALID_ORDER), 6);
    assert.equal(risk.count(RISK.ACCEPTED), 0);
    assert.equal(risk.clock, cases.length);
  });

  it('should throttle new orders with a token bucket driven by the command count, never cancels', () => {
    const risk = new RiskEngine(options);
    const { ACCEPTED: A, THROTTLED: T } = RISK;
    const order = () => risk.check(NEW_LIMIT, 1, 2, 9, BUY, 100, 1);
    // burst 2, one token back every 3 commands: clock 1, 2 spend the bucket, 3 and 6 bring a token
    assert.deepEqual(Array.from({ length: 6 }, order), [A, A, A, T, T, A]);
    assert.equal(risk.check(CANCEL, 1, 2, 9, 0, 0, 0), A, 'cancels are not throttled'); // clock 7
    for (let i = 0; i < 8; i++) assert.equal(risk.check(NEW_LIMIT, 1, 1, 9, SELL, 100, 1), A); // clock 8..15
    // 9 commands since the last refill would give 3 tokens: the bucket holds 2, then one more at 18
    assert.deepEqual(Array.from({ length: 4 }, order), [A, A, A, T]);
    assert.equal(risk.count(T), 3);
  });

  it('should behave identically after snapshot and restore', () => {
    const a = new RiskEngine(options);
    for (let i = 0; i < 5; i++) a.check(NEW_LIMIT, i, 2, 9, BUY, 100, 1);
    const b = new RiskEngine(options);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    assert.equal(b.stateHash(), a.stateHash());
    for (let i = 0; i < 12; i++)
      assert.equal(
        b.check(NEW_LIMIT, i, 2 - (i % 2), 9, BUY, 100, 1),
        a.check(NEW_LIMIT, i, 2 - (i % 2), 9, BUY, 100, 1),
        `command ${i}`,
      );
    assert.equal(b.stateHash(), a.stateHash());
    assert.notEqual(new RiskEngine(options).stateHash(), a.stateHash());
  });

  it('should refuse bad options with a coded error naming the field', () => {
    assert.throws(() => new RiskEngine({ accounts: [], symbols: options.symbols }), {
      code: 'RINGBUS_ERR_INVALID_OPTION',
      message: /accounts must be a non-empty array/,
    });
    assert.throws(() => validateOptions({ ...options, accounts: [{ ...options.accounts[0]!, maxOrderQty: 0 }] }), {
      code: 'RINGBUS_ERR_INVALID_OPTION',
      message: /accounts\[0\]\.maxOrderQty must be an integer in \[1, 4294967295\], got 0/,
    });
    assert.throws(
      () => validateOptions({ ...options, symbols: [{ symbolId: 1, minPrice: 10, maxPrice: 20, refPrice: 30 }] }),
      { code: 'RINGBUS_ERR_INVALID_OPTION', message: /symbols\[0\]\.refPrice .* got 30/ },
    );
    assert.throws(() => validateOptions({ ...options, accounts: [options.accounts[0], options.accounts[0]] }), {
      code: 'RINGBUS_ERR_INVALID_OPTION',
      message: /unique accountIds, got 1/,
    });
    assert.throws(() => validateOptions({ ...options, accounts: [{ ...options.accounts[0]!, burst: 3 }] }), {
      message: /accounts\[0\]\.refillEvery/,
    });
  });
});
