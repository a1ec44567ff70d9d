/**
 * Differential test: thousands of seeded scenarios over every command type, through the engine and
 * through the naive ReferenceExchange. Per command the reject reason, every execution report, and
 * after each scenario the books, accounts, positions and holds must be identical; invariants:
 * holds = what open orders reserve, positions sum to zero per symbol, cash (deposits and
 * withdrawals aside) is conserved, no crossed book. Replay a failure with RINGBUS_SEED=<seed>.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CMD } from '../../../examples/order-matching/exchange/codes.js';
import { assertSameState, runEngine, runReference, scenario } from './scenarios.js';

const BASE = Number(process.env.RINGBUS_SEED ?? 1) >>> 0;
const COUNT = Number(process.env.RINGBUS_SCENARIOS ?? 2000);

describe('exchange engine against the reference exchange', () => {
  it(`should agree on every outcome, report and final state over ${COUNT} seeded scenarios`, () => {
    for (let k = 0; k < COUNT; k++) {
      const seed = BASE + k;
      const sc = scenario(seed, 150);
      const { engine, reasons, reports } = runEngine(sc);
      const { ref, reasons: refReasons } = runReference(sc);
      const label = `seed ${seed} (RINGBUS_SEED=${seed} RINGBUS_SCENARIOS=1)`;
      for (let i = 0; i < reasons.length; i++)
        assert.equal(reasons[i], refReasons[i], `${label}: command ${i} ${JSON.stringify(sc.commands[i])} reason`);
      for (let i = 0; i < Math.max(reports.length, ref.reports.length); i++)
        assert.deepEqual(reports[i], ref.reports[i], `${label}: report ${i}`);
      assertSameState(engine, ref, label);
      // cash is conserved: starting cash + deposits - withdrawals + added accounts' cash
      let expected = sc.options.accounts.reduce((t, a) => t + a.cash, 0);
      sc.commands.forEach((c, i) => {
        if (reasons[i] !== 0) return;
        if (c.command === CMD.DEPOSIT || c.command === CMD.ADD_ACCOUNT) expected += c.price;
        if (c.command === CMD.WITHDRAW) expected -= c.price;
      });
      const total = engine.snapshot().accounts.state.reduce((t, row) => t + row[1]!, 0);
      assert.equal(total, expected, `${label}: total cash`);
    }
  });

  it('should exercise every command type, trades and rejects across the scenarios', () => {
    const seen = new Set<string>();
    for (let k = 0; k < 200; k++) {
      const sc = scenario(BASE + k, 150);
      const { reasons, reports } = runEngine(sc);
      sc.commands.forEach((c, i) => seen.add(`cmd${c.command}:${reasons[i] === 0 ? 'ok' : 'rej'}`));
      for (const r of reports) seen.add(`report${r.type}`);
    }
    for (const c of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
      assert.ok(seen.has(`cmd${c}:ok`), `command ${c} accepted somewhere`);
    for (const t of [1, 2, 3, 4, 5, 6, 7, 8, 9])
      assert.ok(seen.has(`report${t}`), `report type ${t} produced somewhere`);
  });
});
