/**
 * Stage 2 (after risk): matching. Reads the inputs and `riskResult`; writes `status`, `fillCount`,
 * `filledQty`, `fillNotional`, `cancelledQty` and the fill entries on every event (unused entries
 * zeroed). Options: OrderMatchingOptions (symbols; one book each), plus optional `bookCapacity`
 * (resting orders per book before its pool first grows, default 4096). onEvent allocates nothing
 * beyond the books' amortised growth.
 */
import { defineHandler } from '../../../src/processing/Handler.js';
import type { OrderMatchingOptions } from '../config.js';
import type { OrderCommandFlyweight } from '../events.js';
import { MatchingEngine, type MatchingSnapshot } from '../MatchingEngine.js';

export default defineHandler<OrderCommandFlyweight, OrderMatchingOptions & { bookCapacity?: number }, MatchingSnapshot>(
  (ctx) => {
    const engine = new MatchingEngine(ctx.options, ctx.options.bookCapacity);
    return {
      onEvent(event) {
        engine.processSlot(event);
      },
      snapshot: () => engine.snapshot(),
      restore: (state) => engine.restore(state),
      stateHash: () => engine.stateHash(),
    };
  },
);
