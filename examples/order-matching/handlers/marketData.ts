/**
 * Reports ring: market data. Keeps per symbol the top of book from TOP_OF_BOOK reports, the last
 * trade price and the traded volume from TRADE reports (taker side only, so each fill counts
 * once). Symbols are found by id in a Map filled on first sight (allocates only then).
 */
import { defineHandler } from '../../../src/processing/Handler.js';
import { LIQUIDITY, REPORT } from '../exchange/codes.js';
import type { ExecutionReportFlyweight } from '../exchange/reportEvent.js';
import { hashState } from '../stateHash.js';

/** Per symbol id: [bidPrice, bidQty, askPrice, askQty, lastPrice, volume, trades]. */
export type MarketDataSnapshot = Record<string, number[]>;

export default defineHandler<ExecutionReportFlyweight, unknown, MarketDataSnapshot>(() => {
  const bySymbol = new Map<number, Float64Array>();
  const row = (symbolId: number): Float64Array => {
    let r = bySymbol.get(symbolId);
    if (r === undefined) bySymbol.set(symbolId, (r = new Float64Array(7)));
    return r;
  };
  const snapshot = (): MarketDataSnapshot =>
    Object.fromEntries([...bySymbol].sort((a, b) => a[0] - b[0]).map(([id, r]) => [String(id), Array.from(r)]));
  return {
    onEvent(e) {
      if (e.type === REPORT.TOP_OF_BOOK) {
        const r = row(e.symbolId);
        r[0] = e.bidPrice;
        r[1] = e.bidQty;
        r[2] = e.askPrice;
        r[3] = e.askQty;
      } else if (e.type === REPORT.TRADE && e.liquidity === LIQUIDITY.TAKER) {
        const r = row(e.symbolId);
        r[4] = e.price;
        r[5] += e.qty;
        r[6]++;
      }
    },
    snapshot,
    restore(s) {
      bySymbol.clear();
      for (const [id, values] of Object.entries(s)) bySymbol.set(Number(id), Float64Array.from(values));
    },
    stateHash: () => hashState(snapshot()),
  };
});
