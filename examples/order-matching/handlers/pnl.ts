/**
 * Reports ring: portfolio P&L from TRADE reports (the taker's report of each fill: buyer and seller
 * from its side and counterAccountId), with the average-cost accounting of Portfolio.ts. Options:
 * ExchangeOptions (its configured accounts and symbols; fills of accounts added later by command are
 * counted as unknown). Allocation-free per report.
 */
import { defineHandler } from '../../../src/processing/Handler.js';
import { LIQUIDITY, REPORT, SIDE } from '../exchange/codes.js';
import type { ExchangeOptions } from '../exchange/config.js';
import type { ExecutionReportFlyweight } from '../exchange/reportEvent.js';
import { Portfolio, type PortfolioSnapshot } from '../Portfolio.js';

export default defineHandler<ExecutionReportFlyweight, ExchangeOptions, PortfolioSnapshot>((ctx) => {
  const portfolio = new Portfolio({
    accounts: ctx.options.accounts.map((a) => ({
      accountId: a.accountId,
      cash: a.cash,
      maxOrderQty: 1,
      maxNotional: 1,
    })),
    symbols: ctx.options.symbols.map((s) => ({
      symbolId: s.symbolId,
      minPrice: 1,
      maxPrice: Number.MAX_SAFE_INTEGER,
      refPrice: s.refPrice,
    })),
  });
  return {
    onEvent(e) {
      if (e.type !== REPORT.TRADE || e.liquidity !== LIQUIDITY.TAKER) return;
      if (e.side === SIDE.BUY) portfolio.applyTrade(e.accountId, e.counterAccountId, e.symbolId, e.qty, e.price);
      else portfolio.applyTrade(e.counterAccountId, e.accountId, e.symbolId, e.qty, e.price);
    },
    snapshot: () => portfolio.snapshot(),
    restore: (s) => portfolio.restore(s),
    stateHash: () => portfolio.stateHash(),
  };
});
