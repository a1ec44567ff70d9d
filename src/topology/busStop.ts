/**
 * drain(), halt() and shutdown() of a bus. The order of the steps is the point: snapshots are
 * unscheduled before the drain, drain and worker exit share one deadline, a failed drain halts the
 * ring before the workers are stopped, and the data directory is freed only once every worker
 * (the journal's included) has exited. Main thread only; off the hot path.
 */
import { RingbusError, RingbusRangeError, show } from '../errors.js';
import { HALT_REQUESTED } from '../layout/BusStatusDescriptor.js';
import type { Flyweight } from '../schema/defineEvent.js';
import type { BusLifecycle, BusState } from './BusLifecycle.js';
import type { BusRuntime } from './BusRuntime.js';
import type { HaltTracker } from './HaltTracker.js';
import type { PersistenceCoordinator } from './PersistenceCoordinator.js';

/** What halt() and shutdown() work on (RingBus after start). */
export interface StartedBus<F extends Flyweight = Flyweight> {
  readonly runtime: BusRuntime<F>;
  readonly persistence: PersistenceCoordinator<F> | null;
  readonly lifecycle: BusLifecycle;
  readonly halts: HaltTracker<F>;
  drain(options: { timeoutMs?: number }): Promise<void>;
}

/** drain() in any state: checks the timeout and the state, then waits on the runtime (BusRuntime.drain). */
export async function drainBus<F extends Flyweight>(
  runtime: BusRuntime<F> | null,
  state: BusState,
  halts: HaltTracker<F>,
  options: { timeoutMs?: number },
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0))
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `drain timeoutMs must be a non-negative number, got ${show(timeoutMs)}`,
    );
  if (state === 'stopped')
    throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'drain() needs a running bus; it is stopped');
  if (state === 'halted' || runtime?.status.haltReason()) throw halts.current();
  if (state !== 'running' && state !== 'stopping')
    throw new RingbusError('RINGBUS_ERR_BUS_STATE', `drain() needs a running bus; it is ${state}`);
  await runtime!.drain(timeoutMs, () => halts.current());
}

/** Stops at once without draining; resolves when every worker exited and the data directory is free. */
export async function haltBus<F extends Flyweight>(bus: StartedBus<F>): Promise<void> {
  bus.runtime.halt(HALT_REQUESTED, 'halt() was called');
  bus.halts.mark();
  await bus.persistence?.stopSchedule();
  await bus.runtime.workers.waitAllExited(10_000);
  await bus.persistence?.close();
}

/**
 * Drains (a running bus), stops every worker within what is left of `timeoutMs` (default 30000)
 * and frees the data directory. Throws the drain error (the bus is then halted) or, after a clean
 * drain, RINGBUS_ERR_HANDLER_FAILED naming the onShutdown hooks that threw.
 */
export async function shutdownBus<F extends Flyweight>(
  bus: StartedBus<F>,
  options: { timeoutMs?: number },
): Promise<void> {
  const { runtime: rt, persistence, lifecycle, halts } = bus;
  // one budget for drain + worker exit: shutdown returns within timeoutMs in total
  const deadline = performance.now() + (options.timeoutMs ?? 30_000);
  halts.check();
  await persistence?.stopSchedule();
  let failure: unknown = null;
  if (lifecycle.state === 'running') {
    lifecycle.transition('begin-stop');
    rt.publisher.close(() => halts.stateError('cannot publish while the bus is'));
    try {
      await bus.drain(options);
    } catch (error) {
      failure = error;
    }
  }
  await rt.stopWorkers(failure, Math.max(0, deadline - performance.now()));
  // a failed drain halted the ring; say so here, whatever the workers reported: a terminated
  // worker reports nothing, and one that saw its stop request first reports a clean stop
  if (failure !== null) halts.check();
  const shutdownErrors = rt.workers.shutdownErrors();
  await persistence?.close();
  lifecycle.transition('stopped');
  rt.publisher.close(() =>
    halts.error ? halts.current() : new RingbusError('RINGBUS_ERR_BUS_STATE', 'cannot publish: the bus is stopped'),
  );
  if (failure !== null) throw failure;
  if (shutdownErrors.length > 0)
    throw new RingbusError(
      'RINGBUS_ERR_HANDLER_FAILED',
      `onShutdown failed: ${shutdownErrors.map((e) => e.message).join('; ')}`,
    );
}
