/**
 * What one command did in a book, written by OrderBook.place/cancel into a caller-owned object
 * (one per matching stage, reused for every command: no allocation per command or per fill).
 * Fill entries 0..fillCount-1 are valid; entries at fillCount and above hold stale values.
 */
import { MAX_FILLS, STATUS } from './events.js';

export class MatchResult {
  /** STATUS.* */
  status: number = STATUS.PENDING;
  /** Maker fills recorded (≤ MAX_FILLS). */
  fillCount = 0;
  /** Sum of the fill quantities. */
  filledQty = 0;
  /** Sum of fill quantity × fill price (ticks × units). */
  fillNotional = 0;
  /** Quantity removed from the book without trading: a cancelled order's remainder, or a taker's cancelled remainder. */
  cancelledQty = 0;
  readonly makerAccount = new Uint32Array(MAX_FILLS);
  readonly makerOrder = new Float64Array(MAX_FILLS);
  readonly fillQty = new Uint32Array(MAX_FILLS);
  /** The maker's (resting) price: trades happen at the resting order's price. */
  readonly fillPrice = new Float64Array(MAX_FILLS);

  /** Clears the scalar results (fill entries are overwritten as fills are recorded). */
  reset(): void {
    this.status = STATUS.PENDING;
    this.fillCount = 0;
    this.filledQty = 0;
    this.fillNotional = 0;
    this.cancelledQty = 0;
  }
}
