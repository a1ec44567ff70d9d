/**
 * The exchange engine as ONE handler on the commands ring: risk, matching and settlement of each
 * command run in order inside onEvent, so every decision sees the settlement of the command
 * before it whatever the batch boundaries (live, replay from a snapshot, replay from scratch).
 *
 * Writes into the slot (transient result fields, overwritten on every event): `reason` (REASON.*,
 * 0 accepted), `filledQty`, `leavesQty`, `tradeCount`; and for the ack stage `riskResult`
 * (1 accepted, 2 rejected) and `status` (STATUS.FILLED when the order is now filled in full, else 0).
 *
 * Time: the throttle's clock is the command's `time` field (gateway time, journaled), or the slot's
 * `$timestamp` when `time` is 0 (the journal records it too, so replay sees the same clock).
 *
 * Reports: every execution report is folded into the engine's report digest (part of its state, so
 * replay is checked against the live run). With `reportsRing` in the options it is also published
 * to that outbound ring (ExecutionReportEvent; skipped while the bus replays the journal, since the
 * reports ring's own consumers were already given them). A bus rebuilt from the data directory's
 * manifest (`ringbus replay`, a standby) has no such ring: the engine then publishes nothing and
 * keeps its digest, so its state and hash are the same. Options: ExchangeOptions & { reportsRing?,
 * warmupCommands? } (warm-up: exchange/warmUp.ts, before the first event; no state, no journal).
 * onEvent allocates nothing (amortised book growth aside).
 */
import type { EventType } from '../../../src/index.js';
import { defineHandler } from '../../../src/processing/Handler.js';
import type { OutboundPublisher } from '../../../src/processing/Handler.js';
import { STATUS, type OrderCommandFlyweight } from '../events.js';
import type { ExchangeOptions } from '../exchange/config.js';
import { Exchange } from '../exchange/Exchange.js';
import type { ExchangeSnapshot } from '../exchange/exchangeSnapshot.js';
import type { ExecutionReport } from '../exchange/ExecutionReport.js';
import { warmUpEngine } from '../exchange/warmUp.js';
import { reportTranslator, type ExecutionReportFlyweight, type ReportWithSequence } from '../exchange/reportEvent.js';

export interface ExchangeHandlerOptions extends ExchangeOptions {
  /** Name of the outbound ring (bus option `outbound`) to publish execution reports to. */
  readonly reportsRing?: string;
  /** Commands of a scratch flow run through a scratch engine at start (exchange/warmUp.ts); default 0. */
  readonly warmupCommands?: number;
}

/** Publishes each report to the outbound ring, tagged with the commands-ring sequence. */
class RingSink {
  readonly #out: OutboundPublisher<ExecutionReportFlyweight>;
  readonly #holder: ReportWithSequence;
  live = true;

  constructor(out: OutboundPublisher<ExecutionReportFlyweight>, report: ExecutionReport) {
    this.#out = out;
    this.#holder = { report, sequence: 0 };
  }

  set sequence(s: number) {
    this.#holder.sequence = s;
  }

  onReport(): void {
    if (this.live) this.#out.publishWith(reportTranslator, this.#holder);
  }
}

export default defineHandler<OrderCommandFlyweight, ExchangeHandlerOptions, ExchangeSnapshot>((ctx) => {
  /** The outbound reports ring, or null on a bus rebuilt from the manifest (it declares no outbound rings). */
  const reportsRing = (name: string): OutboundPublisher<ExecutionReportFlyweight> | null => {
    try {
      return ctx.outbound<ExecutionReportFlyweight>(name);
    } catch (error) {
      if ((error as { code?: string }).code === 'RINGBUS_ERR_TOPOLOGY') return null;
      throw error;
    }
  };
  const engine = new Exchange(ctx.options);
  warmUpEngine(ctx.options, ctx.ring.event as EventType<OrderCommandFlyweight>, ctx.options.warmupCommands ?? 0);
  let sink: RingSink | null = null;
  const out = ctx.options.reportsRing === undefined ? null : reportsRing(ctx.options.reportsRing);
  if (out !== null) {
    sink = new RingSink(out, engine.currentReport);
    engine.sink = sink;
  }
  return {
    onEvent(event, sequence) {
      if (sink !== null) {
        sink.sequence = sequence;
        sink.live = !ctx.isReplay(sequence);
      }
      if (event.time === 0) engine.clock[0] = event.$timestamp;
      engine.process(event);
      event.reason = engine.outReason;
      event.filledQty = engine.outFilled;
      event.leavesQty = engine.outLeaves;
      event.tradeCount = engine.outTrades;
      event.riskResult = engine.outReason === 0 ? 1 : 2;
      event.status = engine.outComplete ? STATUS.FILLED : 0;
    },
    snapshot: () => engine.snapshot(),
    restore: (state) => engine.restore(state),
    stateHash: () => engine.stateHash(),
  };
});
