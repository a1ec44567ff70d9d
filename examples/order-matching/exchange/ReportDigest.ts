/**
 * A running digest of the report stream: FNV-1a over every field of every report (each field
 * folded as its low 32 bits, plus its high part when it has one: exact for integers below 2^53), plus
 * a count. Allocation-free per report, so the engine keeps one in its state and replay can be
 * checked against the live run.
 *
 * Speed: one fold is a chain of dependent multiplies (20 in lane a), and the engine folds about
 * two reports per command, so the digest was the largest single item of the engine's profile. A
 * field that is 0 only multiplies (x ^ 0 = x), and k multiplies by m are one multiply by m^k
 * (mod 2^32), so the per-shape folds (onOrderReport, onTradeReport, onTopReport) fold the fields
 * their shape leaves at 0 in one multiply without reading them. They give exactly what onReport
 * gives for a report of that shape (ExecutionReport.start*); a test checks this over a long flow.
 */
import type { ExecutionReport, ReportSink } from './ExecutionReport.js';

const P = 0x01000193; // lane a (FNV-1a 32-bit prime)
const Q = 0x01000197; // lane b

/** m^k mod 2^32 (as Math.imul computes it): k folds of a 0 field in one multiply. */
function power(m: number, k: number): number {
  let p = 1;
  for (let i = 0; i < k; i++) p = Math.imul(p, m);
  return p;
}

// a field's own multiply and the k zero fields after it: m^(k+1)
const P3 = power(P, 3);
const P6 = power(P, 6);
const P10 = power(P, 10);
const P12 = power(P, 12);
const Q3 = power(Q, 3);
const Q5 = power(Q, 5);
const Q8 = power(Q, 8);

/** The bits of integer v above the low 32 (0 for 0 ≤ v < 2^32). */
function hi(v: number): number {
  return v >= 0 && v < 4294967296 ? 0 : Math.floor(v / 4294967296) | 0;
}

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

  /** Folds any report: every field, in REPORT_FIELDS order. */
  onReport(r: ExecutionReport): void {
    this.#counter[0]++;
    // lane a: FNV-1a over each field's low 32 bits (v | 0 is exact for any integer); lane b: the high
    // parts, folded only for the fields that can exceed 32 bits (ids, prices, quantities)
    const lanes = this.#lanes;
    let a = lanes[0]!;
    a = Math.imul(a ^ (r.type | 0), P);
    a = Math.imul(a ^ (r.command | 0), P);
    a = Math.imul(a ^ (r.accountId | 0), P);
    a = Math.imul(a ^ (r.orderId | 0), P);
    a = Math.imul(a ^ (r.symbolId | 0), P);
    a = Math.imul(a ^ (r.side | 0), P);
    a = Math.imul(a ^ (r.price | 0), P);
    a = Math.imul(a ^ (r.qty | 0), P);
    a = Math.imul(a ^ (r.leavesQty | 0), P);
    a = Math.imul(a ^ (r.filledQty | 0), P);
    a = Math.imul(a ^ (r.reason | 0), P);
    a = Math.imul(a ^ (r.tradeId | 0), P);
    a = Math.imul(a ^ (r.liquidity | 0), P);
    a = Math.imul(a ^ (r.counterAccountId | 0), P);
    a = Math.imul(a ^ (r.counterOrderId | 0), P);
    a = Math.imul(a ^ (r.orders | 0), P);
    a = Math.imul(a ^ (r.bidPrice | 0), P);
    a = Math.imul(a ^ (r.bidQty | 0), P);
    a = Math.imul(a ^ (r.askPrice | 0), P);
    a = Math.imul(a ^ (r.askQty | 0), P);
    let b = lanes[1]!;
    b = Math.imul(b ^ hi(r.command), Q);
    b = Math.imul(b ^ hi(r.orderId), Q);
    b = Math.imul(b ^ hi(r.price), Q);
    b = Math.imul(b ^ hi(r.qty), Q);
    b = Math.imul(b ^ hi(r.leavesQty), Q);
    b = Math.imul(b ^ hi(r.filledQty), Q);
    b = Math.imul(b ^ hi(r.tradeId), Q);
    b = Math.imul(b ^ hi(r.counterOrderId), Q);
    b = Math.imul(b ^ hi(r.bidPrice) ^ hi(r.bidQty), Q);
    b = Math.imul(b ^ hi(r.askPrice) ^ hi(r.askQty), Q);
    lanes[0] = a;
    lanes[1] = Math.imul(b ^ a, Q);
  }

  /** onReport for the order shape (tradeId … askQty are 0). */
  onOrderReport(r: ExecutionReport): void {
    this.#counter[0]++;
    const lanes = this.#lanes;
    let a = lanes[0]!;
    a = Math.imul(a ^ (r.type | 0), P);
    a = Math.imul(a ^ (r.command | 0), P);
    a = Math.imul(a ^ (r.accountId | 0), P);
    a = Math.imul(a ^ (r.orderId | 0), P);
    a = Math.imul(a ^ (r.symbolId | 0), P);
    a = Math.imul(a ^ (r.side | 0), P);
    a = Math.imul(a ^ (r.price | 0), P);
    a = Math.imul(a ^ (r.qty | 0), P);
    a = Math.imul(a ^ (r.leavesQty | 0), P);
    a = Math.imul(a ^ (r.filledQty | 0), P);
    a = Math.imul(a ^ (r.reason | 0), P10); // then tradeId … askQty: 9 zeros
    let b = lanes[1]!;
    b = Math.imul(b ^ hi(r.command), Q);
    b = Math.imul(b ^ hi(r.orderId), Q);
    b = Math.imul(b ^ hi(r.price), Q);
    b = Math.imul(b ^ hi(r.qty), Q);
    b = Math.imul(b ^ hi(r.leavesQty), Q);
    b = Math.imul(b ^ hi(r.filledQty), Q5); // then tradeId, counterOrderId, bid, ask: 4 zeros
    lanes[0] = a;
    lanes[1] = Math.imul(b ^ a, Q);
  }

  /** onReport for the trade shape (orders … askQty are 0). */
  onTradeReport(r: ExecutionReport): void {
    this.#counter[0]++;
    const lanes = this.#lanes;
    let a = lanes[0]!;
    a = Math.imul(a ^ (r.type | 0), P);
    a = Math.imul(a ^ (r.command | 0), P);
    a = Math.imul(a ^ (r.accountId | 0), P);
    a = Math.imul(a ^ (r.orderId | 0), P);
    a = Math.imul(a ^ (r.symbolId | 0), P);
    a = Math.imul(a ^ (r.side | 0), P);
    a = Math.imul(a ^ (r.price | 0), P);
    a = Math.imul(a ^ (r.qty | 0), P);
    a = Math.imul(a ^ (r.leavesQty | 0), P);
    a = Math.imul(a ^ (r.filledQty | 0), P);
    a = Math.imul(a ^ (r.reason | 0), P);
    a = Math.imul(a ^ (r.tradeId | 0), P);
    a = Math.imul(a ^ (r.liquidity | 0), P);
    a = Math.imul(a ^ (r.counterAccountId | 0), P);
    a = Math.imul(a ^ (r.counterOrderId | 0), P6); // then orders … askQty: 5 zeros
    let b = lanes[1]!;
    b = Math.imul(b ^ hi(r.command), Q);
    b = Math.imul(b ^ hi(r.orderId), Q);
    b = Math.imul(b ^ hi(r.price), Q);
    b = Math.imul(b ^ hi(r.qty), Q);
    b = Math.imul(b ^ hi(r.leavesQty), Q);
    b = Math.imul(b ^ hi(r.filledQty), Q);
    b = Math.imul(b ^ hi(r.tradeId), Q);
    b = Math.imul(b ^ hi(r.counterOrderId), Q3); // then bid, ask: 2 zeros
    lanes[0] = a;
    lanes[1] = Math.imul(b ^ a, Q);
  }

  /** onReport for the top-of-book shape (all 0 but type, command, symbolId and the four top fields). */
  onTopReport(r: ExecutionReport): void {
    this.#counter[0]++;
    const lanes = this.#lanes;
    let a = lanes[0]!;
    a = Math.imul(a ^ (r.type | 0), P);
    a = Math.imul(a ^ (r.command | 0), P3); // then accountId, orderId: 2 zeros
    a = Math.imul(a ^ (r.symbolId | 0), P12); // then side … orders: 11 zeros
    a = Math.imul(a ^ (r.bidPrice | 0), P);
    a = Math.imul(a ^ (r.bidQty | 0), P);
    a = Math.imul(a ^ (r.askPrice | 0), P);
    a = Math.imul(a ^ (r.askQty | 0), P);
    let b = lanes[1]!;
    b = Math.imul(b ^ hi(r.command), Q8); // then orderId … counterOrderId: 7 zeros
    b = Math.imul(b ^ hi(r.bidPrice) ^ hi(r.bidQty), Q);
    b = Math.imul(b ^ hi(r.askPrice) ^ hi(r.askQty), Q);
    lanes[0] = a;
    lanes[1] = Math.imul(b ^ a, Q);
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
