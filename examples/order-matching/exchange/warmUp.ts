/**
 * Warm-up: run a separate seeded command flow through code paths before the measured run, so the
 * first measured orders do not pay for V8's interpreter and compilers. A cold engine runs in the
 * interpreter at a fraction of its optimised speed, and the first second of a paced run at 50k
 * orders/s then queues behind it for hundreds of ms: a start-up transient that would be most of
 * a run's p99, as JVM exchanges know (they warm up before opening).
 *
 * Nothing warmed here is journaled or becomes state: the engine side runs scratch Exchanges, the
 * producer side publishes into a scratch ring nobody consumes. What carries over is only what V8
 * learnt (type feedback and optimised code are shared by every instance of a class, and the
 * scratch ring uses the live ring's event type, so the same flyweight class and shapes).
 *
 * Why two scratch instances in turn (2/3 of the commands, then 1/3): measured on Node 20, the
 * second instance of the engine (or of the flow) to run still starts slowly, ~10x below its steady
 * speed for its first ~20k commands, even after 300k commands on the first; a third starts at full
 * speed. V8 revisits what it assumed about the objects' fields when a second instance appears
 * and throws optimised code away. So the warm-up creates the second instance itself and the live
 * one is the third (CPU time per 10k commands of fresh engines after a warm-up, noted in
 * docs/latency.md).
 */
import { RingBuffer, type EventType } from '../../../src/index.js';
import type { OrderCommandFlyweight } from '../events.js';
import type { ExchangeOptions } from './config.js';
import { Exchange } from './Exchange.js';
import { ExchangeFlow, exchangeFlowTranslator } from './exchangeFlow.js';

/** The warm-up flow's seed: any fixed value; it only has to look like the real flow. */
const WARMUP_SEED = 0x5eed;
const SCRATCH_CAPACITY = 1024;

/**
 * Engine side (call on the engine's thread, before its first event): `commands` commands of a
 * seeded flow, written through a flyweight of `event` (the live ring's type) and processed by a
 * scratch Exchange with the same options, its results read as the handler reads them.
 */
export function warmUpEngine(
  options: ExchangeOptions,
  event: EventType<OrderCommandFlyweight>,
  commands: number,
): void {
  if (commands <= 0) return;
  const ring = new RingBuffer<OrderCommandFlyweight>({ capacity: SCRATCH_CAPACITY, event });
  const command = ring.get(0);
  let checksum = 0;
  for (const n of shares(commands)) {
    const engine = new Exchange(options);
    const flow = new ExchangeFlow({ seed: WARMUP_SEED, exchange: options });
    for (let i = 0; i < n; i++) {
      flow.next(command);
      engine.process(command);
      command.reason = engine.outReason;
      command.filledQty = engine.outFilled;
      checksum += engine.outTrades;
    }
  }
  if (checksum < 0) throw new Error('unreachable'); // keeps the loop's results observable
}

/** The commands each scratch instance runs: 2/3, then 1/3 (see the file comment). */
function shares(commands: number): number[] {
  const first = Math.ceil((commands * 2) / 3);
  return [first, commands - first];
}

/**
 * Producer side (call on the publishing thread): publishes `commands` commands of a seeded flow
 * with `publishWith` into a scratch ring of the live ring's event type (no consumer: it wraps).
 */
export function warmUpProducer(
  options: ExchangeOptions,
  event: EventType<OrderCommandFlyweight>,
  commands: number,
): void {
  if (commands <= 0) return;
  for (const n of shares(commands)) {
    const ring = new RingBuffer<OrderCommandFlyweight>({ capacity: SCRATCH_CAPACITY, event });
    const flow = new ExchangeFlow({ seed: WARMUP_SEED, exchange: options });
    for (let i = 0; i < n; i++) ring.publishWith(exchangeFlowTranslator as never, flow);
  }
}
