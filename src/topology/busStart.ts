/**
 * start() of a bus, in the two phases BusGroup needs (rings that name each other must all exist
 * before any worker starts): `prepareBus` freezes the plan, lets the persistence coordinator take
 * the lock and plan recovery, and builds the runtime (ring, status block, workers not yet
 * started); `launchBus` starts the workers, replays the journal and opens publishing (or, for a
 * follower, hands the ring to its BusFollower). The steps
 * and their order live here; RingBus calls them. Main thread only; off the hot path.
 */
import { RingbusError } from '../errors.js';
import type { SupervisorMessage, WorkerMessage } from '../runtime/protocol.js';
import type { Flyweight } from '../schema/defineEvent.js';
import { freezePlan, type BusConfig, type HandlerGraph } from './BusPlan.js';
import { BusRuntime } from './BusRuntime.js';
import { haltBus, type StartedBus } from './busStop.js';
import type { HandlerRef } from './HandlerRef.js';
import type { ProgressLineRef } from './progressLines.js';

/** What prepareBus builds from (RingBus before start). */
export interface UnstartedBus<F extends Flyweight> extends Omit<StartedBus<F>, 'runtime' | 'drain'> {
  readonly config: BusConfig<F>;
  readonly graph: HandlerGraph;
  readonly journal: HandlerRef | null;
  readonly progressLines: readonly ProgressLineRef[];
}

/** Phase one: plan, recovery, runtime. The lifecycle is 'starting' and publishing closed afterwards. */
export function prepareBus<F extends Flyweight>(bus: UnstartedBus<F>): BusRuntime<F> {
  const { config: c, graph, journal, persistence, halts, progressLines: lines } = bus;
  // the journal runs straight off the ring unless the application placed it
  if (journal && journal.dependsOn === null) graph.place([], [journal]);
  const plan = freezePlan(c, graph, journal);
  const recovery = persistence?.open(plan.handlers, c, c.initialSequence) ?? null;
  const start = { initialSequence: recovery?.startSequence ?? c.initialSequence, epochMs: recovery?.epochMs };
  // a worker that stopped on a halt, or one that died: the bus notices the halt at once
  const onWorker = (m: WorkerMessage): void => void (m.type === 'stopped' && m.halted && halts.check());
  const onSupervisor = (m: SupervisorMessage): void => void (m.type === 'worker-exit' && m.unexpected && halts.check());
  const runtime = new BusRuntime(plan, start, persistence, journal, onWorker, onSupervisor, lines);
  halts.attach(runtime);
  if (lines.length > 0) runtime.progress.announce(lines, runtime.status.buffer, runtime.durability!.durable.line);
  bus.lifecycle.transition('begin-start');
  runtime.publisher.close(() => halts.stateError('cannot publish while the bus is'));
  return runtime;
}

/**
 * Phase two: starts the workers, replays what the journal holds after the snapshot (through the
 * same handlers, not re-journaled), schedules snapshots and opens publishing. Returns whether only
 * control events may be published (time travel: persistence.recoverTo).
 */
export async function launchBus<F extends Flyweight>(
  bus: StartedBus<F>,
  snapshot: () => Promise<unknown>,
  follower: { begin(lastRecovered: number): void } | null = null,
): Promise<{ controlOnly: boolean }> {
  const { runtime, persistence } = bus;
  try {
    await runtime.startWorkers();
  } catch (error) {
    bus.halts.mark(); // the ring is halted: publishing now reports why
    throw error;
  }
  let refusal: string | null = null;
  try {
    refusal = persistence?.afterWorkersStarted(runtime.ring, runtime.status, snapshot, follower !== null) ?? null;
  } catch (error) {
    // a replay cut short by a halt (ALERTED) reports the halt: what stopped the bus, and why
    const halted = runtime.status.haltReason() !== 0 ? bus.halts.current() : null;
    await haltBus(bus);
    throw halted !== null && (error as { code?: string }).code === 'RINGBUS_ERR_ALERTED' ? halted : error;
  }
  bus.lifecycle.transition('started');
  if (follower !== null && persistence !== null) {
    // follower mode (BusFollower): publishing stays closed until promote()
    const following =
      'this bus follows a leader (follow()): it takes no publish, snapshot or state request until promote()';
    runtime.publisher.close(() => new RingbusError('RINGBUS_ERR_BUS_STATE', following));
    follower.begin(persistence.recovery!.replayedThrough);
    return { controlOnly: false };
  }
  if (refusal === null) {
    runtime.publisher.open();
    return { controlOnly: false };
  }
  runtime.publisher.close(() => new RingbusError('RINGBUS_ERR_BUS_STATE', refusal));
  return { controlOnly: true };
}
