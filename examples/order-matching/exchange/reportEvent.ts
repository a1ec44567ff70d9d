/**
 * `ExecutionReportEvent`: the slot layout of the reports ring (one execution report per slot, the
 * fields of ExecutionReport plus `sequence`, the commands-ring sequence of the command that caused
 * it), and `reportTranslator`, which copies an ExecutionReport into a slot without allocating.
 */
import { defineEvent, type Flyweight } from '../../../src/index.js';
import type { ExecutionReport, ReportRecord } from './ExecutionReport.js';

export type ExecutionReportFlyweight = Flyweight & ReportRecord & { sequence: number };

export const ExecutionReportEvent = defineEvent<ExecutionReportFlyweight>('ExecutionReport', {
  type: 'u8',
  sequence: 'i53',
  command: 'i53',
  accountId: 'u32',
  orderId: 'i53',
  symbolId: 'u32',
  side: 'u8',
  price: 'i53',
  qty: 'i53',
  leavesQty: 'i53',
  filledQty: 'i53',
  reason: 'u8',
  tradeId: 'i53',
  liquidity: 'u8',
  counterAccountId: 'u32',
  counterOrderId: 'i53',
  orders: 'u32',
  bidPrice: 'i53',
  bidQty: 'i53',
  askPrice: 'i53',
  askQty: 'i53',
} as never);

/** The report and the commands-ring sequence it belongs to (one reused object per publisher). */
export interface ReportWithSequence {
  report: ExecutionReport;
  sequence: number;
}

/** Translator for `publishWith(reportTranslator, holder)`: copies every field. Allocation-free. */
export function reportTranslator(e: ExecutionReportFlyweight, _sequence: number, h: ReportWithSequence): void {
  const r = h.report;
  e.type = r.type;
  e.sequence = h.sequence;
  e.command = r.command;
  e.accountId = r.accountId;
  e.orderId = r.orderId;
  e.symbolId = r.symbolId;
  e.side = r.side;
  e.price = r.price;
  e.qty = r.qty;
  e.leavesQty = r.leavesQty;
  e.filledQty = r.filledQty;
  e.reason = r.reason;
  e.tradeId = r.tradeId;
  e.liquidity = r.liquidity;
  e.counterAccountId = r.counterAccountId;
  e.counterOrderId = r.counterOrderId;
  e.orders = r.orders;
  e.bidPrice = r.bidPrice;
  e.bidQty = r.bidQty;
  e.askPrice = r.askPrice;
  e.askQty = r.askQty;
}
