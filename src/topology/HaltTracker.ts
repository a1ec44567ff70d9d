/**
 * The main thread's view of a halt. Any thread may halt the ring (a failing handler, a dying or
 * stalled worker, a peer ring, halt()); the status block records the first halt. The bus notices
 * it when it next looks (a publish, drain(), a worker's message) and then, once: records the
 * error, moves its lifecycle to 'halted', closes the publisher with the halt error and reports it
 * (RingBus emits 'halt'). Main thread only; off the hot path.
 */
import { RingbusError } from '../errors.js';
import type { Flyweight } from '../schema/defineEvent.js';
import type { BusLifecycle } from './BusLifecycle.js';
import type { BusRuntime } from './BusRuntime.js';
import { haltError } from './haltError.js';

export class HaltTracker<F extends Flyweight = Flyweight> {
  readonly #lifecycle: BusLifecycle;
  readonly #onHalt: (error: Error) => void;
  #runtime: BusRuntime<F> | null = null;
  #error: Error | null = null;

  constructor(lifecycle: BusLifecycle, onHalt: (error: Error) => void) {
    this.#lifecycle = lifecycle;
    this.#onHalt = onHalt;
  }

  /** start(): the runtime whose status block says whether the ring halted. */
  attach(runtime: BusRuntime<F>): void {
    this.#runtime = runtime;
  }

  /** The error that halted the bus, once noticed (null: not halted). */
  get error(): Error | null {
    return this.#error;
  }

  /** Marks the bus halted if its ring halted; after a graceful shutdown the halt is on purpose: not a failure. */
  check(): void {
    const status = this.#runtime?.status;
    if (!status || status.haltReason() === 0 || this.#lifecycle.state === 'stopped') return;
    this.mark();
  }

  /** Marks the bus halted (once): lifecycle, publisher, the onHalt report. */
  mark(): void {
    if (this.#error) return;
    const error = this.current();
    this.#error = error;
    this.#lifecycle.transition('halt');
    this.#runtime?.publisher.close(() => this.current());
    this.#onHalt(error);
  }

  /** The coded error the status block describes (a new instance each time: each throw has its own stack). */
  current(): Error {
    return haltError(this.#runtime!.status);
  }

  /** The runtime of a running bus, for `what`; throws the halt error, or RINGBUS_ERR_BUS_STATE. */
  running(what: string): BusRuntime<F> {
    const state = this.#lifecycle.state;
    if (state === 'halted' || this.#runtime?.status.haltReason()) throw this.current();
    if (state !== 'running' || !this.#runtime)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', `${what} needs a running bus; it is ${state}`);
    return this.#runtime;
  }

  /** RINGBUS_ERR_BUS_STATE naming the state the bus is in now (for a closed publisher). */
  stateError(prefix: string): Error {
    return new RingbusError('RINGBUS_ERR_BUS_STATE', `${prefix} ${this.#lifecycle.state}`);
  }
}
