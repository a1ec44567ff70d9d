import type { HandlerRef, HandlerSpec } from './HandlerRef.js';

/** The wiring operations a group needs from its bus. */
export interface GroupOwner {
  /** Places `handlers` after `after` (empty: straight off the ring cursor). */
  place(after: readonly HandlerRef[], handlers: readonly (HandlerRef | HandlerSpec)[]): readonly HandlerRef[];
}

/**
 * A set of handlers in the topology, for chaining (Disruptor DSL):
 * `bus.handleEventsWith(a, b).then(c)` runs a and b in parallel off the ring, c after both;
 * `bus.after(a).handleEventsWith(d)` runs d after a (beside anything else after a).
 */
export class EventHandlerGroup {
  readonly #owner: GroupOwner;
  /** The handlers of this group. */
  readonly handlers: readonly HandlerRef[];

  constructor(owner: GroupOwner, handlers: readonly HandlerRef[]) {
    this.#owner = owner;
    this.handlers = handlers;
  }

  /** Handlers that each run after every handler of this group. */
  then(...handlers: (HandlerRef | HandlerSpec)[]): EventHandlerGroup {
    return new EventHandlerGroup(this.#owner, this.#owner.place(this.handlers, handlers));
  }

  /** Same as then (Disruptor's name on a group). */
  handleEventsWith(...handlers: (HandlerRef | HandlerSpec)[]): EventHandlerGroup {
    return this.then(...handlers);
  }

  /** A group of this group's handlers and others', to wait for all of them. */
  and(...others: (EventHandlerGroup | HandlerRef)[]): EventHandlerGroup {
    const all = [...this.handlers];
    for (const o of others)
      for (const h of o instanceof EventHandlerGroup ? o.handlers : [o]) if (!all.includes(h)) all.push(h);
    return new EventHandlerGroup(this.#owner, all);
  }
}
