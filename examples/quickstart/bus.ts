import { RingBus, defineEvent } from 'ringbus';

const Trade = defineEvent('Trade', { price: 'f64', qty: 'u32', notional: { type: 'f64', default: 0 } });

const bus = new RingBus({ event: Trade, capacity: 4096 });
const notional = bus.handler('notional', new URL('./handlers/notional.js', import.meta.url));
const totals = bus.handler('totals', new URL('./handlers/totals.js', import.meta.url));
bus.handleEventsWith(notional).then(totals); // totals runs after notional, on the same worker

await bus.start();
for (let i = 1; i <= 100_000; i++) bus.publishEvent({ price: 10 + (i % 7), qty: i % 100 });
await bus.drain({ timeoutMs: 10_000 });

const { states } = await bus.captureState(); // every stateful handler's state at one sequence
const m = await bus.metrics();
console.log(`totals: ${JSON.stringify(states.totals)}`);
console.log(
  `totals latency p99: ${m.handlers.totals!.latencyNs.p99} ns over ${m.handlers.totals!.eventsProcessed} events`,
);
await bus.shutdown();
