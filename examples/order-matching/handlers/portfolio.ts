/**
 * Stage 3 (after matching): positions, cash and P&L per account from the fills matching wrote into
 * the slot. Reads `accountId`, `symbolId`, `side`, `fillCount` and the fill entries; writes nothing
 * to the slot. Options: OrderMatchingOptions (accounts with starting cash, symbols). onEvent
 * allocates nothing.
 */
import { defineHandler } from '../../../src/processing/Handler.js';
import type { OrderMatchingOptions } from '../config.js';
import type { OrderCommandFlyweight } from '../events.js';
import { Portfolio, type PortfolioSnapshot } from '../Portfolio.js';

export default defineHandler<OrderCommandFlyweight, OrderMatchingOptions, PortfolioSnapshot>((ctx) => {
  const portfolio = new Portfolio(ctx.options);
  return {
    onEvent(event) {
      portfolio.processSlot(event);
    },
    snapshot: () => portfolio.snapshot(),
    restore: (state) => portfolio.restore(state),
    stateHash: () => portfolio.stateHash(),
  };
});
