/**
 * Stage 1: pre-trade risk. Writes `riskResult` (RISK.*) on every event; reads only input fields.
 * Options: OrderMatchingOptions (accounts with limits, symbols with price bands). State: the
 * RiskEngine's throttle buckets and counters. onEvent allocates nothing.
 */
import { defineHandler } from '../../../src/processing/Handler.js';
import type { OrderMatchingOptions } from '../config.js';
import type { OrderCommandFlyweight } from '../events.js';
import { RiskEngine, type RiskSnapshot } from '../RiskEngine.js';

export default defineHandler<OrderCommandFlyweight, OrderMatchingOptions, RiskSnapshot>((ctx) => {
  const risk = new RiskEngine(ctx.options);
  return {
    onEvent(event) {
      event.riskResult = risk.check(
        event.command,
        event.orderId,
        event.accountId,
        event.symbolId,
        event.side,
        event.price,
        event.qty,
      );
    },
    snapshot: () => risk.snapshot(),
    restore: (state) => risk.restore(state),
    stateHash: () => risk.stateHash(),
  };
});
