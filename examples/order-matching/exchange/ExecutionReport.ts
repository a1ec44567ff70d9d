/**
 * One execution report, as the engine hands it to its ReportSink: a single mutable object the
 * engine owns and refills for every report (no allocation per report). A sink must copy what it
 * keeps before it returns. Fields a report type does not use are 0.
 */
import { createHash } from 'node:crypto';
import { REPORT } from './codes.js';

export { ReportDigest } from './ReportDigest.js';

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

  /*
   * The start* methods set type and command and zero the fields a report shape never uses; the
   * writer then sets EVERY other field (fewer stores than clear() plus the writer's). Each shape
   * has its ReportDigest fold, which folds the zeroed fields without reading them.
   */

  /** Order shape (ACCEPTED, REJECTED, CANCELLED, EXPIRED, REPLACED): the writer sets accountId … reason. */
  startOrder(type: number, command: number): void {
    this.type = type;
    this.command = command;
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

  /** Trade shape (TRADE): the writer sets accountId … counterOrderId. */
  startTrade(command: number): void {
    this.type = REPORT.TRADE;
    this.command = command;
    this.orders = 0;
    this.bidPrice = 0;
    this.bidQty = 0;
    this.askPrice = 0;
    this.askQty = 0;
  }

  /** Top-of-book shape (TOP_OF_BOOK): the writer sets symbolId, bidPrice, bidQty, askPrice, askQty. */
  startTop(command: number): void {
    this.type = REPORT.TOP_OF_BOOK;
    this.command = command;
    this.accountId = 0;
    this.orderId = 0;
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

/** sha256 of a string (used by tests to compare report lists). Allocates. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
