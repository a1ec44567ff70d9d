import { RingbusError } from '../errors.js';

/** Where a bus is in its life. */
export type BusState = 'new' | 'starting' | 'running' | 'stopping' | 'halted' | 'stopped';

/** What can happen to a bus; `transition` maps (state, event) to the next state. */
export type BusEvent =
  /** start() created the ring and is launching workers. */
  | 'begin-start'
  /** Every worker is ready (and recovery replayed). */
  | 'started'
  /** shutdown() began draining. */
  | 'begin-stop'
  /** A handler, a worker, halt() or a failed start stopped the ring. */
  | 'halt'
  /** Every worker exited (or shutdown() before start()). */
  | 'stopped';

/**
 * The one table of legal transitions. A pair missing here is a bug in the bus (callers check the
 * state first and throw RINGBUS_ERR_BUS_STATE for user mistakes), so `transition` throws on it.
 * A halt after the bus stopped is not a state change: a graceful shutdown halts the ring on
 * purpose to stop gateways.
 */
const NEXT: Readonly<Record<BusState, Partial<Record<BusEvent, BusState>>>> = {
  new: { 'begin-start': 'starting', stopped: 'stopped' },
  starting: { started: 'running', halt: 'halted', stopped: 'stopped' },
  running: { 'begin-stop': 'stopping', halt: 'halted', stopped: 'stopped' },
  stopping: { halt: 'halted', stopped: 'stopped' },
  halted: { halt: 'halted', stopped: 'stopped' },
  stopped: { halt: 'stopped', stopped: 'stopped' },
};

/** The bus's state, changed only through `transition`. Main thread only; off the hot path. */
export class BusLifecycle {
  #state: BusState = 'new';

  get state(): BusState {
    return this.#state;
  }

  /** Applies `event`; returns the new state. */
  transition(event: BusEvent): BusState {
    const next = NEXT[this.#state][event];
    if (next === undefined)
      throw new RingbusError(
        'RINGBUS_ERR_BUS_STATE',
        `internal: '${event}' is not allowed while the bus is ${this.#state}`,
      );
    this.#state = next;
    return next;
  }

  /** Throws RINGBUS_ERR_BUS_STATE unless the bus is `expected`. */
  assert(expected: BusState, what: string): void {
    if (this.#state !== expected)
      throw new RingbusError(
        'RINGBUS_ERR_BUS_STATE',
        `${what} is only allowed while the bus is ${expected}; it is ${this.#state}`,
      );
  }
}
