/**
 * The wiring of a BusGroup, separate from its lifecycle: the cross-ring edges the DSL records
 * (outbound rings, gates), the order of the rings (upstream first; a cycle is refused), and what
 * each ring's workers get once every ring exists (RingLinks). Main thread only.
 */
import { RingbusError, show } from '../errors.js';
import type { CrossRingGateInit, OutboundTarget, PeerRing } from '../runtime/protocol.js';
import type { Flyweight } from '../schema/defineEvent.js';
import type { BusRuntime, RingLinks } from './BusRuntime.js';
import type { HandlerRef } from './HandlerRef.js';

/** Field types a gate may read a sequence from (plain numbers on read; sequences are integers). */
const SEQUENCE_FIELD_TYPES: ReadonlySet<string> = new Set(['i53', 'u32', 'i32']);

/** `from`'s handlers publish into `to` through context.outbound(name). */
export interface OutboundEdge {
  readonly from: string;
  readonly name: string;
  readonly to: string;
}

/** Handler `handler` (on ring `ring`) runs after `upstream` (on ring `upstreamRing`) passed the sequence in `field`. */
export interface GateEdge {
  readonly ring: string;
  readonly handler: HandlerRef;
  readonly upstreamRing: string;
  readonly upstream: HandlerRef;
  readonly field: string;
}

/** Ring names, upstream first (a ring comes after every ring that publishes into it or gates it). */
export function ringOrder(
  names: readonly string[],
  outbound: readonly OutboundEdge[],
  gates: readonly GateEdge[],
): string[] {
  const edges = [
    ...outbound.map((e) => [e.from, e.to] as const),
    ...gates.map((g) => [g.upstreamRing, g.ring] as const),
  ];
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string, path: string[]): void => {
    const s = state.get(n);
    if (s === 'done') return;
    if (s === 'visiting')
      throw new RingbusError(
        'RINGBUS_ERR_TOPOLOGY',
        `the bus group's rings depend on each other in a cycle: ${[...path, n].join(' → ')}; cross-ring links (outbound rings, gates) must go one way`,
      );
    state.set(n, 'visiting');
    for (const [from, to] of edges) if (to === n) visit(from, [...path, n]);
    state.set(n, 'done');
    order.push(n);
  };
  for (const n of names) visit(n, []);
  return order;
}

/** Checks a gate's field against the gated ring's event schema (after prepare, when the plan is known). */
export function checkGateField(g: GateEdge, runtime: BusRuntime<Flyweight>): void {
  const event = runtime.plan.config.event;
  const field = event.fields.find((f) => f.name === g.field);
  if (!field || !SEQUENCE_FIELD_TYPES.has(field.type as string))
    throw new RingbusError(
      'RINGBUS_ERR_TOPOLOGY',
      `gate of '${g.handler.name}' (ring '${g.ring}'): sequenceField ${show(g.field)} must name an ${[...SEQUENCE_FIELD_TYPES].join(' / ')} field of event '${event.name}'${field ? `, it is ${show(field.type)}` : ''}`,
    );
}

/** What ring `name`'s workers need from the other rings (every runtime exists by now). */
export function linksFor(
  name: string,
  runtimes: ReadonlyMap<string, BusRuntime<Flyweight>>,
  outbound: readonly OutboundEdge[],
  gates: readonly GateEdge[],
): RingLinks {
  const target = (ring: string): OutboundTarget => {
    const rt = runtimes.get(ring)!;
    return { ring: rt.ring.descriptor(), status: rt.status.buffer };
  };
  const out = Object.fromEntries(outbound.filter((e) => e.from === name).map((e) => [e.name, target(e.to)]));
  const gateInits = new Map<string, CrossRingGateInit>();
  for (const g of gates.filter((e) => e.ring === name)) {
    const up = runtimes.get(g.upstreamRing)!;
    gateInits.set(g.handler.name, {
      ringName: g.upstreamRing,
      upstream: g.upstream.name,
      ring: up.ring.descriptor(),
      line: up.upstreamLine(g.upstream),
      field: g.field,
    });
  }
  const rings: PeerRing[] = [...runtimes]
    .filter(([n]) => n !== name)
    .map(([n, rt]) => ({ name: n, ring: rt.ring.descriptor(), status: rt.status.buffer }));
  return { outbound: out, gates: gateInits, peers: { self: name, rings } };
}
