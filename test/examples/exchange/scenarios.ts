/**
 * Seeded scenario generator for the exchange tests: random instruments, accounts (limits, STP
 * modes and groups, throttles) and a command stream over every command type, with some malformed
 * values (NaN, fractions, negatives, out-of-range ids) mixed in. Plus helpers to run a stream
 * through the engine and the reference and to compare their states.
 */
import assert from 'node:assert/strict';
import { Prng } from '../../../examples/order-matching/Prng.js';
import { CMD, FLAG, SIDE, STP, TIF } from '../../../examples/order-matching/exchange/codes.js';
import { validateExchangeOptions, type ExchangeOptions } from '../../../examples/order-matching/exchange/config.js';
import { Exchange, type ExchangeCommand } from '../../../examples/order-matching/exchange/Exchange.js';
import { copyReport, type ReportRecord } from '../../../examples/order-matching/exchange/ExecutionReport.js';
import { ReferenceExchange } from './referenceExchange.js';

export interface Scenario {
  options: ExchangeOptions;
  commands: ExchangeCommand[];
  /** Event time of each command (ns). */
  times: number[];
}

const BAD = [Number.NaN, 0.5, -1, Infinity, 2 ** 53, -0.25];

export function scenario(seed: number, length = 200): Scenario {
  const rng = new Prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const nSym = 1 + rng.int(3);
  const nAcc = 2 + rng.int(4);
  const limits = () => ({
    maxOrderQty: pick([50, 200, 1000]),
    maxNotional: pick([50_000, 500_000, 10_000_000]),
    maxOpenOrders: pick([3, 10, 1000]),
    maxPosition: pick([100, 1000, 1_000_000]),
    shortLimit: pick([0, 50, 1_000_000]),
    stpMode: 1 + rng.int(4),
    stpGroup: pick([0, 0, 1, 2]),
    burst: pick([0, 0, 3, 10]),
    refillNs: pick([1000, 50_000]),
  });
  const options = validateExchangeOptions({
    accounts: Array.from({ length: nAcc }, (_, i) => ({
      accountId: i + 1,
      cash: pick([0, 20_000, 200_000, 5_000_000]),
      ...limits(),
    })),
    symbols: Array.from({ length: nSym }, (_, i) => {
      const tickSize = pick([1, 1, 5]);
      const lotSize = pick([1, 1, 10]);
      return {
        symbolId: i + 1,
        tickSize,
        lotSize,
        minQty: lotSize,
        maxQty: lotSize * pick([20, 100]),
        refPrice: tickSize * 200,
        bandWidth: pick([0, 20, 100, 1000]),
      };
    }),
    accountDefaults: limits(),
    bookCapacity: pick([1, 4, 64]),
  });
  const commands: ExchangeCommand[] = [];
  const times: number[] = [];
  const issued: { account: number; symbol: number; id: number }[] = [];
  let nextId = 1;
  let ts = 0;
  for (let i = 0; i < length; i++) {
    ts += rng.int(20_000);
    times.push(ts);
    const sym = options.symbols[rng.int(nSym)]!;
    const account = rng.int(12) === 0 ? nAcc + 1 + rng.int(2) : 1 + rng.int(nAcc); // sometimes unknown or added later
    const c: ExchangeCommand = {
      command: 0,
      orderId: 0,
      accountId: account,
      symbolId: sym.symbolId,
      side: 1 + rng.int(2),
      price: 0,
      qty: 0,
      tif: 0,
      flags: 0,
      time: ts,
    };
    const r = rng.int(100);
    const price = () => sym.refPrice + sym.tickSize * (rng.int(21) - 10);
    const qty = () => sym.lotSize * (1 + rng.int(rng.int(4) === 0 ? 40 : 5));
    if (r < 45) {
      c.command = CMD.NEW_LIMIT;
      c.orderId = rng.int(20) === 0 ? Math.max(1, nextId - 1 - rng.int(5)) : nextId++;
      c.price = price();
      c.qty = qty();
      c.tif = pick([0, 0, 0, TIF.GTC, TIF.IOC, TIF.FOK]);
      c.flags = rng.int(8) === 0 ? FLAG.POST_ONLY : 0;
      issued.push({ account, symbol: sym.symbolId, id: c.orderId });
    } else if (r < 55) {
      c.command = CMD.NEW_MARKET;
      c.orderId = nextId++;
      c.qty = qty();
      c.tif = pick([0, TIF.IOC, TIF.FOK]);
    } else if (r < 68 && issued.length > 0) {
      const o = pick(issued);
      c.command = CMD.CANCEL;
      Object.assign(c, { orderId: o.id, accountId: rng.int(10) === 0 ? account : o.account, symbolId: o.symbol });
    } else if (r < 82 && issued.length > 0) {
      const o = pick(issued);
      c.command = CMD.MODIFY;
      Object.assign(c, { orderId: o.id, accountId: o.account, symbolId: o.symbol });
      c.price = rng.int(3) === 0 ? 0 : price();
      c.qty = rng.int(6) === 0 ? rng.int(3) : qty();
    } else if (r < 84) {
      c.command = CMD.MASS_CANCEL;
      c.symbolId = rng.int(2) === 0 ? 0 : sym.symbolId;
    } else if (r < 90) {
      c.command = pick([CMD.ADD_ACCOUNT, CMD.DEPOSIT, CMD.WITHDRAW, CMD.SUSPEND, CMD.RESUME, CMD.RESUME]);
      c.price = pick([0, 1000, 100_000]);
    } else if (r < 92) {
      c.command = CMD.DEPTH;
      c.qty = rng.int(4);
    } else {
      // malformed: a random command with one field spoiled
      c.command = pick([CMD.NEW_LIMIT, CMD.NEW_MARKET, CMD.MODIFY, CMD.CANCEL, CMD.DEPOSIT, 0, 99]);
      c.orderId = nextId++;
      c.price = c.command === CMD.NEW_MARKET ? 0 : price();
      c.qty = qty();
      const field = pick(['orderId', 'accountId', 'symbolId', 'side', 'price', 'qty', 'tif', 'flags'] as const);
      c[field] = pick(BAD);
    }
    commands.push(c);
  }
  return { options, commands, times };
}

/** Runs a scenario through the engine; returns per-command reasons and every report. */
export function runEngine(sc: Scenario): { engine: Exchange; reasons: number[]; reports: ReportRecord[] } {
  const engine = new Exchange(sc.options);
  const reports: ReportRecord[] = [];
  engine.sink = { onReport: (r) => reports.push(copyReport(r)) };
  const reasons = sc.commands.map((c) => (engine.process(c), engine.outReason));
  return { engine, reasons, reports };
}

export function runReference(sc: Scenario): { ref: ReferenceExchange; reasons: number[] } {
  const ref = new ReferenceExchange(sc.options);
  const reasons = sc.commands.map((c, i) => ref.process(c, sc.times[i]!));
  return { ref, reasons };
}

/** Asserts the engine's books and accounts equal the reference's, and the engine's invariants. */
export function assertSameState(engine: Exchange, ref: ReferenceExchange, label: string): void {
  const snap = engine.snapshot();
  const symbols = engine.options.symbols;
  symbols.forEach((sym, s) => {
    const book = ref.books.get(sym.symbolId)!;
    const rows = (l: typeof book.bids) => l.map((o) => [o.account, o.id, o.price, o.open, o.orig, o.filled, o.flags]);
    assert.deepEqual(snap.books[s]!.bids, rows(book.bids), `${label}: bids of symbol ${sym.symbolId}`);
    assert.deepEqual(snap.books[s]!.asks, rows(book.asks), `${label}: asks of symbol ${sym.symbolId}`);
    const bids = book.bids;
    const asks = book.asks;
    if (bids.length && asks.length)
      assert.ok(bids[0]!.price < asks[0]!.price, `${label}: crossed book on ${sym.symbolId}`);
  });
  assert.equal(snap.accounts.state.length, ref.accounts.length, `${label}: account count`);
  let cash = 0;
  ref.accounts.forEach((a, i) => {
    const [id, c, held, open, suspended, lastId, tokens, tokenTs] = snap.accounts.state[i]!;
    const live = [...ref.books.values()]
      .flatMap((b) => [...b.bids, ...b.asks])
      .filter((o) => o.account === a.id).length;
    assert.deepEqual(
      [id, c, held, open, suspended, lastId, tokens, tokenTs],
      [a.id, a.cash, ref.held(a.id), live, a.suspended ? 1 : 0, a.lastId, a.tokens, a.tokenTs],
      `${label}: account ${a.id} [id, cash, cashHeld, openOrders, suspended, lastOrderId, tokens, tokenTs]`,
    );
    assert.ok(held <= c!, `${label}: account ${a.id} holds ${held} > cash ${c}`);
    cash += c!;
    symbols.forEach((sym, s) => {
      const p = snap.accounts.positions[i]!.slice(3 * s, 3 * s + 3);
      assert.deepEqual(
        p,
        [ref.pos(a, sym.symbolId), ref.openQty(a.id, sym.symbolId, true), ref.openQty(a.id, sym.symbolId, false)],
        `${label}: account ${a.id} symbol ${sym.symbolId} [position, buyOpen, sellOpen]`,
      );
    });
  });
  symbols.forEach((_, s) => {
    const sum = snap.accounts.positions.reduce((t, p) => t + p[3 * s]!, 0);
    assert.equal(sum, 0, `${label}: positions of symbol index ${s} sum to ${sum}`);
  });
  void cash;
}

export { SIDE, STP };
