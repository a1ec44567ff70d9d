/**
 * The first version of the example, kept for its benchmark and tests: three handlers (risk →
 * matching → portfolio, plus ack) over one ring, risk deciding from configuration instead of
 * live state, fills inline in the command slot (MAX_FILLS). The exchange engine (exchange/,
 * handlers/exchange.ts, pipeline.ts) replaces it in main.ts.
 */
import type { RingBus } from '../../src/index.js';
import { newCommandsBus, type OrderMatchingBusOptions } from './bus.js';
import { demoOptions } from './config.js';
import type { OrderMatchingOptions } from './config.js';

/** Builds (does not start) the first version's bus. */
export function buildFirstPipelineBus(
  o: Omit<OrderMatchingBusOptions, 'domain'> & { domain?: OrderMatchingOptions },
): RingBus {
  const domain = o.domain ?? demoOptions();
  const bus = newCommandsBus(o);
  const url = (name: string): URL => new URL(`./handlers/${name}.js`, import.meta.url);
  const risk = bus.handler('risk', url('risk'), { worker: 'engine', options: domain });
  const matching = bus.handler('matching', url('matching'), { worker: 'engine', options: domain });
  const portfolio = bus.handler('portfolio', url('portfolio'), { worker: 'engine', options: domain });
  const ack = bus.handler('ack', url('ack'), { worker: 'engine' });
  bus.handleEventsWith(bus.journal, risk).then(matching);
  bus.after(matching).handleEventsWith(portfolio);
  bus.after(bus.journal, matching).handleEventsWith(ack);
  return bus;
}
