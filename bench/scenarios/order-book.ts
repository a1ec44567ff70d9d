/**
 * order-book: the example's limit order book alone, one thread, no bus (insert, match, cancel),
 * against the npm peer nodejs-order-book doing the same operations on the same orders.
 *
 *     main thread
 *     ┌───────────────────────────────────────────────────────────────────────────┐
 *     │ insert: N resting limit orders (bids below 10 000, asks above, 200 levels)│
 *     │ match:  N resting asks, then N buy limits each filling exactly one of them│
 *     │ cancel: N resting orders, then each cancelled, in a shuffled order        │
 *     └───────────────────────────────────────────────────────────────────────────┘
 *     same sequence of orders for examples/order-matching/OrderBook.ts and nodejs-order-book
 *     (the npm peer, reported as the baseline of each phase: a book is compared with a book)
 *
 * Each phase is timed on a fresh book (the setup of match and cancel is not timed), warm-up
 * runs, then timed runs, median with fastest and slowest. The orders are drawn from a seeded
 * generator before the timed part. The example's book allocates nothing per operation (apart
 * from amortised pool growth); nodejs-order-book takes string ids and option objects and
 * returns a result object per call, which its API requires (built before the timed part where
 * they are inputs). Outcomes are checked: every taker fills once, every cancel finds its order.
 */
import { OrderBook as PeerBook, Side } from 'nodejs-order-book';
import { SIDE, STATUS } from '../../examples/order-matching/events.js';
import { MatchResult } from '../../examples/order-matching/MatchResult.js';
import { OrderBook } from '../../examples/order-matching/OrderBook.js';
import { Prng } from '../../examples/order-matching/Prng.js';
import { machineInfo } from '../lib/machine.js';
import { sized, type BenchOptions } from '../lib/options.js';
import { describePlacement } from '../lib/placement.js';
import type { BenchReport, BenchResult } from '../lib/report.js';
import { nowNs, perSecond, timeRepeated, type RepeatedTiming } from '../lib/timing.js';

const MID = 10_000;
const LEVELS = 200;
const MAKER = 1;
const TAKER = 2;

interface Orders {
  readonly side: Uint8Array;
  readonly price: Float64Array;
  readonly qty: Float64Array;
  readonly ids: readonly string[];
  readonly cancelOrder: Uint32Array;
}

function orders(n: number, seed: number): Orders {
  const rng = new Prng(seed);
  const side = new Uint8Array(n);
  const price = new Float64Array(n);
  const qty = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const buy = rng.int(2) === 0;
    side[i] = buy ? SIDE.BUY : SIDE.SELL;
    const off = 1 + rng.int(LEVELS);
    price[i] = buy ? MID - off : MID + off;
    qty[i] = 1 + rng.int(100);
  }
  const cancelOrder = new Uint32Array(n).map((_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [cancelOrder[i], cancelOrder[j]] = [cancelOrder[j]!, cancelOrder[i]!];
  }
  return { side, price, qty, ids: Array.from({ length: n }, (_, i) => `o${i}`), cancelOrder };
}

/** The three phases on the example's book. */
function ours(o: Orders, n: number): Record<string, () => number> {
  const r = new MatchResult();
  const rest = (book: OrderBook, asksOnly: boolean): void => {
    for (let i = 0; i < n; i++)
      book.place(
        i,
        MAKER,
        asksOnly ? SIDE.SELL : o.side[i]!,
        asksOnly ? MID + 1 + (i % LEVELS) : o.price[i]!,
        o.qty[i]!,
        false,
        r,
      );
  };
  return {
    insert: () => {
      const book = new OrderBook(1, n);
      const t0 = nowNs();
      rest(book, false);
      return nowNs() - t0;
    },
    match: () => {
      const book = new OrderBook(1, n);
      rest(book, true);
      let fills = 0;
      const t0 = nowNs();
      for (let i = 0; i < n; i++) {
        book.place(n + i, TAKER, SIDE.BUY, MID + LEVELS + 1, o.qty[i]!, false, r);
        fills += r.fillCount;
      }
      const ns = nowNs() - t0;
      if (fills < n) throw new Error(`order-book (example) match: ${fills} fills for ${n} takers`);
      return ns;
    },
    cancel: () => {
      const book = new OrderBook(1, n);
      rest(book, false);
      let found = 0;
      const t0 = nowNs();
      for (let k = 0; k < n; k++) {
        book.cancel(o.cancelOrder[k]!, MAKER, r);
        if (r.status !== STATUS.UNKNOWN_ORDER) found++;
      }
      const ns = nowNs() - t0;
      if (found !== n) throw new Error(`order-book (example) cancel: found ${found} of ${n}`);
      return ns;
    },
  };
}

/** The same phases on nodejs-order-book. */
function peer(o: Orders, n: number): Record<string, () => number> {
  const sideOf = (i: number): Side => (o.side[i] === SIDE.BUY ? Side.BUY : Side.SELL);
  const rest = (book: PeerBook, asksOnly: boolean): void => {
    for (let i = 0; i < n; i++)
      book.limit({
        id: o.ids[i]!,
        side: asksOnly ? Side.SELL : sideOf(i),
        price: asksOnly ? MID + 1 + (i % LEVELS) : o.price[i]!,
        size: o.qty[i]!,
      });
  };
  return {
    insert: () => {
      const book = new PeerBook();
      const t0 = nowNs();
      rest(book, false);
      return nowNs() - t0;
    },
    match: () => {
      const book = new PeerBook();
      rest(book, true);
      const t0 = nowNs();
      for (let i = 0; i < n; i++) book.limit({ id: `t${i}`, side: Side.BUY, price: MID + LEVELS + 1, size: o.qty[i]! });
      const ns = nowNs() - t0;
      if (book.depth()[0].length !== 0)
        throw new Error('order-book (nodejs-order-book) match: asks left after matching');
      return ns;
    },
    cancel: () => {
      const book = new PeerBook();
      rest(book, false);
      let found = 0;
      const t0 = nowNs();
      for (let k = 0; k < n; k++) if (book.cancel(o.ids[o.cancelOrder[k]!]!) !== undefined) found++;
      const ns = nowNs() - t0;
      if (found !== n) throw new Error(`order-book (nodejs-order-book) cancel: found ${found} of ${n}`);
      return ns;
    },
  };
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const n = options.events ?? sized(options, 5_000, 50_000, 500_000);
  const reps = options.reps ?? sized(options, 2, 5, 9);
  const warmup = options.quick ? 1 : 2;
  const machine = machineInfo();
  const o = orders(n, 42);
  const mine = ours(o, n);
  const theirs = peer(o, n);
  const rated = (name: string, t: RepeatedTiming, detail: string): BenchResult => ({
    name,
    eventsPerSec: perSecond(n, t.medianNs),
    eventsPerSecMin: perSecond(n, t.maxNs),
    eventsPerSecMax: perSecond(n, t.minNs),
    events: n,
    reps,
    detail,
  });
  const results: BenchResult[] = [];
  const peers: BenchResult[] = [];
  for (const phase of ['insert', 'match', 'cancel']) {
    const a = await timeRepeated(warmup, reps, mine[phase]!);
    const b = await timeRepeated(warmup, reps, theirs[phase]!);
    const peerRow = rated(`nodejs-order-book ${phase}`, b, 'npm nodejs-order-book, operations/s');
    const ratio = perSecond(n, a.medianNs) / peerRow.eventsPerSec!;
    peers.push(peerRow);
    results.push({
      ...rated(`book ${phase}`, a, 'examples/order-matching OrderBook, operations/s'),
      ratioVsBaseline: ratio,
      ratios: { [peerRow.name]: ratio },
    });
  }
  return {
    scenario: 'order-book',
    results,
    // a book is compared with a book: the peer library is the baseline, phase by phase
    baseline: peers[0]!,
    baselines: peers,
    machine,
    placement: describePlacement(
      [{ role: 'order book', thread: 'main', cpu: null, wait: 'none (one thread)' }],
      'one thread, no pinning needed',
    ),
    notes: [
      `${n} orders per phase (seed 42), ${LEVELS} price levels each side of ${MID}; median of ${reps} runs on a fresh book after ${warmup} warm-up; events/s = operations per second`,
      `match: ${n} resting asks, then ${n} buy limits priced through the book, each the size of one resting ask`,
      `cancel: the ${n} resting orders of insert, cancelled in a shuffled order (each must be found)`,
    ],
    quick: options.quick,
  };
}
