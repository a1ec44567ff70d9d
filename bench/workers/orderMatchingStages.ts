/**
 * The order-matching handlers (the example's real handler modules: risk → matching → portfolio →
 * ack) instantiated outside a bus, for the `order-matching` benchmark's single-thread upper bound
 * (main thread) and its postMessage baseline (bench/workers/orderMatchingBaseline.ts). Each stage
 * gets a minimal HandlerContext; none of these four handlers uses ctx.ring or outbound rings.
 */
import { combineStateHashes, type EventHandler, type HandlerContext, type HandlerModule } from '../../src/index.js';
import type { OrderMatchingOptions } from '../../examples/order-matching/config.js';
import type { OrderCommandFlyweight } from '../../examples/order-matching/events.js';
import riskModule from '../../examples/order-matching/handlers/risk.js';
import matchingModule from '../../examples/order-matching/handlers/matching.js';
import portfolioModule from '../../examples/order-matching/handlers/portfolio.js';
import ackModule from '../../examples/order-matching/handlers/ack.js';
import type { AckSnapshot } from '../../examples/order-matching/handlers/ack.js';

/** Stage names in dependency order, as the bus names them. */
export const STAGE_NAMES = ['risk', 'matching', 'portfolio', 'ack'] as const;

/** What a run reached: each stateful stage's hash (risk, matching, portfolio) and the ack counters. */
export interface StagesOutcome {
  readonly hashes: Readonly<Record<string, string>>;
  readonly accepted: number;
  readonly rejected: number;
  readonly byStatus: readonly number[];
}

export interface Stages {
  /** The four handlers in dependency order. */
  readonly handlers: readonly EventHandler<OrderCommandFlyweight>[];
  outcome(): StagesOutcome;
}

function instantiate(
  module: HandlerModule<OrderCommandFlyweight, never, unknown>,
  name: string,
  domain: OrderMatchingOptions,
): EventHandler<OrderCommandFlyweight> {
  const ctx = {
    name,
    workerName: 'bench',
    options: domain,
    ring: null,
    isReplay: () => false,
    outbound: () => {
      throw new Error('no outbound rings in the benchmark stages');
    },
  } as unknown as HandlerContext<never>;
  return module.factory(ctx);
}

/** Fresh risk, matching, portfolio and ack handlers over `domain`. */
export function createStages(domain: OrderMatchingOptions): Stages {
  const modules = [riskModule, matchingModule, portfolioModule, ackModule] as unknown as HandlerModule<
    OrderCommandFlyweight,
    never,
    unknown
  >[];
  const handlers = modules.map((m, i) => instantiate(m, STAGE_NAMES[i]!, domain));
  return {
    handlers,
    outcome: () =>
      outcomeOf(
        Object.fromEntries(STAGE_NAMES.slice(0, 3).map((n, i) => [n, handlers[i]!.stateHash!()])),
        handlers[3]!.snapshot!() as AckSnapshot,
      ),
  };
}

/**
 * Builds the comparable outcome from per-handler hashes and the ack snapshot (ack's lastSequence depends on
 * control events, so it is left out).
 */
export function outcomeOf(hashes: Readonly<Record<string, string | null>>, ack: AckSnapshot): StagesOutcome {
  const picked: Record<string, string> = {};
  for (const n of STAGE_NAMES.slice(0, 3)) picked[n] = hashes[n] ?? 'missing';
  return { hashes: picked, accepted: ack.accepted, rejected: ack.rejected, byStatus: ack.byStatus };
}

/** One string to compare outcomes by. */
export function outcomeKey(o: StagesOutcome): string {
  return `${combineStateHashes(o.hashes)} accepted=${o.accepted} rejected=${o.rejected} byStatus=${o.byStatus.join(',')}`;
}
