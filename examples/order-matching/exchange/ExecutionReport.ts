/**
 * One execution report, as the engine hands it to its ReportSink: a single mutable object the
 * engine owns and refills for every report (no allocation per report). A sink must copy what it
 * keeps before it returns. Fields a report type does not use are 0.
 */
import { createHash } from 'node:crypto';

export class ExecutionReport {
  /** REPORT.* */
  type = 0;
  /** Index of the command that caused it (0-based count of commands the engine has processed). */
  command = 0;
  accountId = 0;
  orderId = 0;
  symbolId = 0;
  /** SIDE.* (0 for account reports and TOP_OF_BOOK). */
  side = 0;
  /** Order price / trade price / level price; amount for account commands. */
  price = 0;
  /** Order qty / fill qty / cancelled qty / level qty / count. */
  qty = 0;
  /** Open quantity left on the order after this report. */
  leavesQty = 0;
  /** Cumulative filled quantity of the order after this report. */
  filledQty = 0;
  /** REASON.* for REJECTED; CANCEL_REASON.* for CANCELLED / EXPIRED. */
  reason = 0;
  /** Trade id (TRADE). */
  tradeId = 0;
  /** LIQUIDITY.* (TRADE). */
  liquidity = 0;
  /** The other side of a TRADE: account and order id. */
  counterAccountId = 0;
  counterOrderId = 0;
  /** Orders at a DEPTH_LEVEL. */
  orders = 0;
  /** TOP_OF_BOOK: best bid price and qty, best ask price and qty (0 when a side is empty). */
  bidPrice = 0;
  bidQty = 0;
  askPrice = 0;
  askQty = 0;

  clear(type: number, command: number): void {
    this.type = type;
    this.command = command;
    this.accountId = 0;
    this.orderId = 0;
    this.symbolId = 0;
    this.side = 0;
    this.price = 0;
    this.qty = 0;
    this.leavesQty = 0;
    this.filledQty = 0;
    this.reason = 0;
    this.tradeId = 0;
    this.liquidity = 0;
    this.counterAccountId = 0;
    this.counterOrderId = 0;
    this.orders = 0;
    this.bidPrice = 0;
    this.bidQty = 0;
    this.askPrice = 0;
    this.askQty = 0;
  }
}

/** The field names, in the order copies and digests use. */
export const REPORT_FIELDS = [
  'type',
  'command',
  'accountId',
  'orderId',
  'symbolId',
  'side',
  'price',
  'qty',
  'leavesQty',
  'filledQty',
  'reason',
  'tradeId',
  'liquidity',
  'counterAccountId',
  'counterOrderId',
  'orders',
  'bidPrice',
  'bidQty',
  'askPrice',
  'askQty',
] as const;

export type ReportRecord = { -readonly [K in (typeof REPORT_FIELDS)[number]]: number };

/** Receives every report, in order. `report` is reused: copy what you keep. */
export interface ReportSink {
  onReport(report: ExecutionReport): void;
}

/** A plain copy of a report (allocates: tests and inspection). */
export function copyReport(r: ExecutionReport): ReportRecord {
  const o = {} as ReportRecord;
  for (const k of REPORT_FIELDS) o[k] = r[k];
  return o;
}

const FNV_PRIME = 0x01000193;

/** The bits of integer v above the low 32 (0 for 0 ≤ v < 2^32). */
function hi(v: number): number {
  return v >= 0 && v < 4294967296 ? 0 : Math.floor(v / 4294967296) | 0;
}

/**
 * A running digest of the report stream: FNV-1a over every field of every report (each field
 * folded as its low 32 bits, plus its high part when it has one: exact for integers below 2^53), plus
 * a count. Allocation-free per
 * report, so the engine keeps one in its state and replay can be checked against the live run.
 */
export class ReportDigest implements ReportSink {
  /**
   * [laneA, laneB] and [count], in typed arrays: a 32-bit value outside the small-integer range
   * stored in an object field would be boxed into a fresh HeapNumber on every store.
   */
  readonly #lanes = Int32Array.of(0x811c9dc5 | 0, 0x01234567);
  readonly #counter = new Float64Array(1);

  get count(): number {
    return this.#counter[0]!;
  }

  onReport(r: ExecutionReport): void {
    this.#counter[0]++;
    // lane a: FNV-1a over each field's low 32 bits (v | 0 is exact for any integer); lane b: the high
    // parts, folded only for the fields that can exceed 32 bits (ids, prices, quantities)
    const lanes = this.#lanes;
    let a = lanes[0]!;
    a = Math.imul(a ^ (r.type | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.command | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.accountId | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.orderId | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.symbolId | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.side | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.price | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.qty | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.leavesQty | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.filledQty | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.reason | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.tradeId | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.liquidity | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.counterAccountId | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.counterOrderId | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.orders | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.bidPrice | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.bidQty | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.askPrice | 0), FNV_PRIME);
    a = Math.imul(a ^ (r.askQty | 0), FNV_PRIME);
    let b = lanes[1]!;
    b = Math.imul(b ^ hi(r.command), 0x01000197);
    b = Math.imul(b ^ hi(r.orderId), 0x01000197);
    b = Math.imul(b ^ hi(r.price), 0x01000197);
    b = Math.imul(b ^ hi(r.qty), 0x01000197);
    b = Math.imul(b ^ hi(r.leavesQty), 0x01000197);
    b = Math.imul(b ^ hi(r.filledQty), 0x01000197);
    b = Math.imul(b ^ hi(r.tradeId), 0x01000197);
    b = Math.imul(b ^ hi(r.counterOrderId), 0x01000197);
    b = Math.imul(b ^ hi(r.bidPrice) ^ hi(r.bidQty), 0x01000197);
    b = Math.imul(b ^ hi(r.askPrice) ^ hi(r.askQty), 0x01000197);
    lanes[0] = a;
    lanes[1] = Math.imul(b ^ a, 0x01000197);
  }

  /** `count:hexA:hexB`. Allocates. */
  digest(): string {
    return `${this.count}:${(this.#lanes[0]! >>> 0).toString(16)}:${(this.#lanes[1]! >>> 0).toString(16)}`;
  }

  state(): [number, number, number] {
    return [this.#lanes[0]!, this.#lanes[1]!, this.#counter[0]!];
  }

  setState(s: readonly number[]): void {
    this.#lanes[0] = s[0]! | 0;
    this.#lanes[1] = s[1]! | 0;
    this.#counter[0] = s[2]!;
  }
}

/** sha256 of a string (used by tests to compare report lists). Allocates. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
