/**
 * The input fields of one command as the engine reads them, and the value checks every command
 * layer shares. The engine validates every field itself (translators do not), so these helpers
 * take any number: NaN, fractions and negatives fail `isId`.
 */
/** The input fields of a command (an OrderCommand flyweight, or a plain object). */
export interface ExchangeCommand {
  command: number;
  orderId: number;
  accountId: number;
  symbolId: number;
  side: number;
  price: number;
  qty: number;
  tif: number;
  flags: number;
  /** Event time in ns (the throttle's clock); 0 = use `clock[0]`. */
  time: number;
}

/** A command with every field 0: a reusable target for ExchangeFlow.next() and the like. */
export function blankCommand(): ExchangeCommand {
  return { command: 0, orderId: 0, accountId: 0, symbolId: 0, side: 0, price: 0, qty: 0, tif: 0, flags: 0, time: 0 };
}

/** A positive safe integer (ids, quantities, prices). */
export function isId(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 1;
}

/** A number for a report field: NaN / non-numbers become 0. */
export function num(v: unknown): number {
  return typeof v === 'number' && v === v ? v : 0;
}
