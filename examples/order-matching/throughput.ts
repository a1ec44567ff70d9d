/**
 * Single-thread throughput of the order-matching stages (no worker threads, no bus): the seeded
 * generator publishes into a real ring with the zero-allocation translator, then risk, matching
 * and portfolio (the real handler modules) run over each batch in dependency order, as one worker
 * hosting all three would. A quick figure for sizing, not a benchmark with baselines (see bench/).
 *
 *   npx tsc -p . && node dist/examples/order-matching/throughput.js [commands=1000000] [seed=1] [repeats=5]
 *
 * Prints events/s (best and median of the runs) for: publish only (generator + ring), publish +
 * risk + matching + portfolio, and the stages alone (difference of the best times).
 */
import { RingBuffer, type Flyweight } from '../../src/index.js';
import type { EventHandler, HandlerContext, HandlerModule } from '../../src/processing/Handler.js';
import { demoOptions, type OrderMatchingOptions } from './config.js';
import { OrderCommand, type OrderCommandFlyweight } from './events.js';
import { createOrderFlow, orderFlowTranslator } from './generator.js';
import riskModule from './handlers/risk.js';
import matchingModule from './handlers/matching.js';
import portfolioModule from './handlers/portfolio.js';

const total = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const BATCH = 512;
const options = demoOptions({ accounts: 16, symbols: 4 });

function stage(
  module: HandlerModule<OrderCommandFlyweight, OrderMatchingOptions, unknown>,
  name: string,
  ring: RingBuffer<OrderCommandFlyweight>,
): EventHandler<OrderCommandFlyweight> {
  const ctx: HandlerContext<OrderMatchingOptions> = {
    name,
    workerName: 'main',
    options,
    ring: ring as unknown as RingBuffer<Flyweight>,
    isReplay: () => false,
    outbound: () => {
      throw new Error('no outbound rings here');
    },
  };
  return module.factory(ctx);
}

/** Publishes `n` commands; with `stages`, runs them over every batch. Returns seconds. */
function run(n: number, withStages: boolean): number {
  const ring = new RingBuffer<OrderCommandFlyweight>({
    capacity: 4096,
    event: OrderCommand,
    producerType: 'single',
    waitStrategy: 'yielding',
  });
  const flow = createOrderFlow({ seed, accounts: options.accounts, symbols: options.symbols });
  const stages = withStages
    ? [
        stage(riskModule, 'risk', ring),
        stage(matchingModule, 'matching', ring),
        stage(portfolioModule, 'portfolio', ring),
      ]
    : [];
  const t0 = process.hrtime.bigint();
  let lo = ring.getCursor() + 1;
  for (let i = 0; i < n; i += BATCH) {
    const m = Math.min(BATCH, n - i);
    for (let k = 0; k < m; k++) ring.publishWith(orderFlowTranslator, flow);
    const hi = lo + m - 1;
    for (const h of stages) for (let s = lo; s <= hi; s++) h.onEvent(ring.get(s), s, s === hi);
    lo = hi + 1;
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

run(Math.min(200_000, total), true); // warm-up
run(Math.min(200_000, total), false);
// alternate the two configurations so machine noise hits both alike; report best and median
const REPEATS = Number(process.argv[4] ?? 5);
const publishOnly: number[] = [];
const all: number[] = [];
for (let r = 0; r < REPEATS; r++) {
  publishOnly.push(run(total, false));
  all.push(run(total, true));
}
const best = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const rate = (s: number) => `${(total / s / 1e6).toFixed(2)} M/s`;
console.log(
  `order-matching single thread: ${total} commands × ${REPEATS} runs, seed ${seed}, ${options.accounts.length} accounts, ${options.symbols.length} symbols, node ${process.version}`,
);
console.log(`                                          best        median`);
console.log(`  publish only (generator + ring):        ${rate(best(publishOnly))}   ${rate(median(publishOnly))}`);
console.log(`  publish + risk + matching + portfolio:  ${rate(best(all))}   ${rate(median(all))}`);
const stages = best(all) - best(publishOnly);
console.log(
  `  risk + matching + portfolio (best − best): ${rate(stages)}  (${((stages * 1e9) / total).toFixed(0)} ns/event)`,
);
