import { EventEmitter } from 'node:events';
import { RingbusError, RingbusRangeError, show } from '../errors.js';
import type { BusMetrics } from '../metrics/BusMetrics.js';
import type { Flyweight } from '../schema/defineEvent.js';
import type { BusRuntime } from './BusRuntime.js';
import { checkGateField, linksFor, ringOrder, type GateEdge, type OutboundEdge } from './busGroupLinks.js';
import type { EventHandlerGroup } from './EventHandlerGroup.js';
import { HandlerRef } from './HandlerRef.js';
import { haltPeers } from './peerHalt.js';
import type { PlacementReport } from './placement.js';
import { RingBus } from './RingBus.js';

/** Where every ring of a group runs, and how the rings are linked. */
export interface GroupPlacement {
  readonly rings: Readonly<Record<string, PlacementReport>>;
  /** One line per cross-ring link: outbound rings and gates. */
  readonly links: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * Several buses (rings) run as one graph. The DSL spans rings in two ways:
 *
 * ```ts
 * const group = new BusGroup();
 * const commands = group.add('commands', new RingBus({ event: Command, persistence: { dataDir } }));
 * const reports = group.add('reports', new RingBus({ event: Report, producerType: 'multi' }));
 * group.outbound(commands, 'reports', reports); // commands' handlers: context.outbound('reports')
 * // the sink sees a report only once the journal has made its command (report.sequence) durable
 * group.after(commands.journal, { sequenceField: 'sequence' }).handleEventsWith(sink);
 * await group.start(); … await group.drain(); await group.shutdown();
 * ```
 *
 * A gate (`after(upstream, { sequenceField })`): the downstream stage processes an event of its
 * ring only once `upstream`, a stage of another ring, has passed the sequence of that ring which
 * the event carries in `sequenceField` (for `bus.journal`: once it is durable). The wait is
 * per event and allocation-free (src/processing/CrossRingGate.ts).
 *
 * Lifecycle over every ring: start prepares every ring (recovering data directories), links them,
 * then starts workers downstream first; drain and shutdown go upstream first (so everything an
 * upstream ring published downstream is drained too), with one time budget; a halt of any ring
 * halts the others (their supervisors propagate it even while the main thread is blocked), and
 * the group emits 'halt' ({ ring, error }: the first ring the main thread saw halt; the
 * error message names the first failure) once. Thread-safety: main thread only.
 */
export class BusGroup extends EventEmitter {
  readonly #buses = new Map<string, RingBus<Flyweight>>();
  readonly #outbound: OutboundEdge[] = [];
  readonly #gates: GateEdge[] = [];
  #order: string[] = [];
  #started = false;
  #halted = false;

  /** Adds a bus (not yet started) under a unique ring name. Returns the bus. */
  add<F extends Flyweight>(name: string, bus: RingBus<F>): RingBus<F> {
    this.#assertNew('add()');
    if (typeof name !== 'string' || name.length === 0)
      throw new RingbusError('RINGBUS_ERR_INVALID_OPTION', `a ring name must be a non-empty string, got ${show(name)}`);
    if (this.#buses.has(name))
      throw new RingbusError('RINGBUS_ERR_TOPOLOGY', `the bus group already has a ring named '${name}'`);
    if (!(bus instanceof RingBus) || bus.state !== 'new' || this.#nameOf(bus) !== null)
      throw new RingbusError(
        'RINGBUS_ERR_TOPOLOGY',
        `add('${name}') takes a new RingBus that is not in this group yet`,
      );
    this.#buses.set(name, bus as unknown as RingBus<Flyweight>);
    bus.joinGroup(name);
    return bus;
  }

  /** The group's buses by ring name. */
  get buses(): ReadonlyMap<string, RingBus<Flyweight>> {
    return this.#buses;
  }

  /** Lets the handlers of `from` publish into `to` through `context.outbound(name)` (refused once `to` halts). */
  outbound(from: RingBus<Flyweight> | RingBus, name: string, to: RingBus<Flyweight> | RingBus): this {
    this.#assertNew('outbound()');
    const f = this.#member(from, 'outbound(from)');
    const t = this.#member(to, 'outbound(to)');
    if (f === t)
      throw new RingbusError('RINGBUS_ERR_TOPOLOGY', `outbound('${name}'): a ring cannot be its own outbound ring`);
    if (this.#outbound.some((e) => e.from === f && e.name === name))
      throw new RingbusError('RINGBUS_ERR_TOPOLOGY', `ring '${f}' already has an outbound ring named '${name}'`);
    this.#outbound.push({ from: f, name, to: t });
    return this;
  }

  /**
   * Stages of another ring that run after `upstream` (a stage of one ring of the group): each
   * event waits until `upstream` has passed the sequence in its field `sequenceField`.
   */
  after(
    upstream: HandlerRef,
    options: { sequenceField: string },
  ): { handleEventsWith(...h: HandlerRef[]): EventHandlerGroup } {
    this.#assertNew('after()');
    if (!(upstream instanceof HandlerRef))
      throw new RingbusError(
        'RINGBUS_ERR_TOPOLOGY',
        `after() takes a handler of a ring in the group, got ${show(upstream)}`,
      );
    const upstreamRing = this.#member(upstream.owner, `after('${upstream.name}')`);
    const field = options?.sequenceField;
    if (typeof field !== 'string' || field.length === 0)
      throw new RingbusError(
        'RINGBUS_ERR_INVALID_OPTION',
        `after('${upstream.name}'): sequenceField must name an event field, got ${show(field)}`,
      );
    return {
      handleEventsWith: (...handlers: HandlerRef[]): EventHandlerGroup => {
        const owners = new Set(handlers.map((h) => (h instanceof HandlerRef ? h.owner : null)));
        const [owner] = owners;
        if (handlers.length === 0 || owners.size !== 1 || !owner)
          throw new RingbusError(
            'RINGBUS_ERR_TOPOLOGY',
            'a cross-ring handleEventsWith takes handlers of one ring of the group',
          );
        const ring = this.#member(owner, 'handleEventsWith');
        if (ring === upstreamRing)
          throw new RingbusError(
            'RINGBUS_ERR_TOPOLOGY',
            `after('${upstream.name}') across rings: '${ring}' is the upstream's own ring; use bus.after() there`,
          );
        const placed = (owner as RingBus).handleEventsWith(...handlers);
        for (const handler of handlers) this.#gates.push({ ring, handler, upstreamRing, upstream, field });
        return placed;
      },
    };
  }

  /** Starts every ring; if one fails, every ring is halted and the error rethrown. */
  async start(): Promise<void> {
    this.#assertNew('start()');
    if (this.#buses.size === 0) throw new RingbusError('RINGBUS_ERR_TOPOLOGY', 'the bus group has no ring: add() one');
    this.#order = ringOrder([...this.#buses.keys()], this.#outbound, this.#gates);
    this.#started = true;
    const runtimes = new Map<string, BusRuntime<Flyweight>>();
    try {
      for (const name of this.#order) runtimes.set(name, this.#buses.get(name)!.prepare());
      for (const g of this.#gates) checkGateField(g, runtimes.get(g.ring)!);
    } catch (error) {
      for (const name of runtimes.keys())
        this.#buses.get(name)!.abandon(`the bus group did not start: ${(error as Error).message}`);
      throw error;
    }
    for (const [name, rt] of runtimes) rt.link(linksFor(name, runtimes, this.#outbound, this.#gates));
    for (const [name, bus] of this.#buses) bus.on('halt', (error: Error) => this.#onHalt(name, error));
    const launched: string[] = [];
    try {
      // consumers first: a ring's workers are up before anything upstream publishes into it
      for (const name of [...this.#order].reverse()) {
        launched.push(name);
        await this.#buses.get(name)!.launch();
      }
    } catch (error) {
      for (const name of this.#order)
        if (!launched.includes(name))
          this.#buses.get(name)!.abandon(`the bus group did not start: ${(error as Error).message}`);
      await Promise.allSettled(launched.map((n) => this.#buses.get(n)!.halt()));
      throw error;
    }
  }

  /** Drains ring after ring, upstream first, within one timeoutMs (default 30000) for all. */
  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = this.#deadline('drain', options.timeoutMs);
    for (const name of this.#order)
      await this.#buses.get(name)!.drain({ timeoutMs: Math.max(0, deadline - performance.now()) });
  }

  /**
   * Shuts every ring down, upstream first, within one timeoutMs (default 30000) for all. Every
   * ring is stopped whatever happens to another; the first failure is thrown afterwards.
   */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = this.#deadline('shutdown', options.timeoutMs, false);
    let failure: unknown = null;
    for (const name of this.#order.length > 0 ? this.#order : [...this.#buses.keys()]) {
      try {
        await this.#buses.get(name)!.shutdown({ timeoutMs: Math.max(0, deadline - performance.now()) });
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== null) throw failure;
  }

  /** Stops every ring now without draining. */
  async halt(): Promise<void> {
    await Promise.all([...this.#buses.values()].map((b) => b.halt()));
  }

  /** Every ring's metrics, by ring name. */
  async metrics(options: { timeoutMs?: number } = {}): Promise<Record<string, BusMetrics>> {
    const out: Record<string, BusMetrics> = {};
    for (const [name, bus] of this.#buses) out[name] = await bus.metrics(options);
    return out;
  }

  /** Every ring's placement, the links between rings, and warnings about the threads of all rings together. */
  placement(): GroupPlacement {
    const rings = Object.fromEntries([...this.#buses].map(([n, b]) => [n, b.placement()]));
    const links = [
      ...this.#outbound.map((e) => `${e.from} → ${e.to}: handlers of '${e.from}' publish via outbound('${e.name}')`),
      ...this.#gates.map(
        (g) =>
          `${g.upstreamRing} → ${g.ring}: '${g.handler.name}' runs after '${g.upstream.name}' passed event.${g.field}`,
      ),
    ];
    const reports = Object.values(rings);
    const workers = reports.reduce((n, r) => n + r.workers.length, 0);
    const cores = reports[0]?.cores ?? 0;
    const warnings =
      workers + 1 > cores && reports.some((r) => r.workers.some((w) => w.waitStrategy !== 'blocking'))
        ? [
            `${workers} worker threads on ${reports.length} rings plus the producer on ${cores} cores: each ring chose its waits as if alone, so spinning waits share cores (name 'blocking' for the workers off the latency path)`,
          ]
        : [];
    return { rings, links, warnings };
  }

  /** First halt of any ring: halt the others now (their supervisors do it too) and tell once. */
  #onHalt(ring: string, error: Error): void {
    const peers = [...this.#buses]
      .filter(([n, b]) => n !== ring && b.state !== 'new' && b.state !== 'stopped')
      .map(([n, b]) => ({ name: n, ...b.publisherDescriptor() }));
    haltPeers(ring, error.message, peers);
    if (this.#halted) return;
    this.#halted = true;
    if (this.listenerCount('halt') > 0) this.emit('halt', { ring, error });
  }

  #deadline(what: string, timeoutMs = 30_000, needsStart = true): number {
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0))
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `${what} timeoutMs must be a non-negative number, got ${show(timeoutMs)}`,
      );
    if (needsStart && !this.#started)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', `${what}() needs a started bus group`);
    return performance.now() + timeoutMs;
  }

  #member(bus: object, what: string): string {
    const name = this.#nameOf(bus);
    if (name === null)
      throw new RingbusError('RINGBUS_ERR_TOPOLOGY', `${what}: the bus is not in this group (add() it first)`);
    return name;
  }

  #nameOf(bus: object): string | null {
    for (const [n, b] of this.#buses) if (b === bus) return n;
    return null;
  }

  #assertNew(what: string): void {
    if (this.#started)
      throw new RingbusError('RINGBUS_ERR_BUS_STATE', `${what} is only possible before the bus group starts`);
  }
}
