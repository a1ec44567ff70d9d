/**
 * Shards: instruments spread over several engine processes, each a bus with its own data
 * directory, journal and stream (its own bus name). The shard map lives in the `ringbus` bucket
 * under `<name>.shards`: `{ shards: ["px-0", "px-1"], symbols: { "AAPL": "px-0", ... } }`.
 *
 * A gateway routes each command by its symbol field to the shard's command subject
 * `ringbus.<shard>.commands` (a NATS request: JSON field values in, `{ sequence }` or
 * `{ error, code }` out); the shard engine (`serveShard`) publishes it into its bus in arrival
 * order. `ringbus.<shard>.state` answers `{ hash, sequence, states }` (bus.stateHash and
 * captureState), from which `shardStateHashes()` gives per-shard and combined hashes.
 */
import type { NatsConnection, Subscription } from 'nats';
import { RingbusError, RingbusTypeError, show } from '../errors.js';
import { combineStateHashes } from '../persistence/stateHash.js';
import type { RingBus } from '../topology/RingBus.js';
import { openBucket } from './stream.js';
import { busStreamNames } from './streamNames.js';

export interface ShardMap {
  readonly shards: readonly string[];
  readonly symbols: Readonly<Record<string, string>>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const json = (v: unknown): Uint8Array => encoder.encode(JSON.stringify(v));
const parse = (b: Uint8Array): unknown => JSON.parse(decoder.decode(b));

function routeError(message: string): RingbusError {
  return new RingbusError('RINGBUS_ERR_SHARD_ROUTE', message);
}

/** Checks and stores the shard map of `name`. */
export async function putShardMap(nc: NatsConnection, name: string, map: ShardMap): Promise<void> {
  const key = `${busStreamNames(name).bus}.shards`;
  if (!Array.isArray(map?.shards) || map.shards.length === 0)
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `shard map shards must be a non-empty list of bus names, got ${show(map?.shards)}`,
    );
  for (const s of map.shards) busStreamNames(s);
  for (const [symbol, shard] of Object.entries(map.symbols ?? {}))
    if (!map.shards.includes(shard))
      throw routeError(`shard map: symbol ${show(symbol)} maps to ${show(shard)}, which is not in shards`);
  await (await openBucket(nc, 1)).put(key, json({ shards: map.shards, symbols: map.symbols }));
}

export async function getShardMap(nc: NatsConnection, name: string): Promise<ShardMap | null> {
  const e = await (await openBucket(nc, 1)).get(`${busStreamNames(name).bus}.shards`);
  return e === null || e.operation !== 'PUT' ? null : (parse(e.value) as ShardMap);
}

/** Routes commands by symbol to their shard's engine. */
export class ShardGateway {
  readonly #nc: NatsConnection;
  readonly #map: ShardMap;
  readonly #field: string;
  readonly #timeoutMs: number;

  constructor(nc: NatsConnection, map: ShardMap, options: { symbolField?: string; timeoutMs?: number } = {}) {
    this.#nc = nc;
    this.#map = map;
    this.#field = options.symbolField ?? 'symbol';
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  /** The gateway for the map stored under `name`. */
  static async open(
    nc: NatsConnection,
    name: string,
    options: { symbolField?: string; timeoutMs?: number } = {},
  ): Promise<ShardGateway> {
    const map = await getShardMap(nc, name);
    if (map === null) throw routeError(`no shard map under ${name}.shards in bucket ringbus`);
    return new ShardGateway(nc, map, options);
  }

  /** The shard that owns `symbol`, or null. */
  shardOf(symbol: string): string | null {
    return Object.hasOwn(this.#map.symbols, symbol) ? this.#map.symbols[symbol]! : null;
  }

  /** Sends one command to its shard; resolves with the shard and the sequence it got there. */
  async route(values: Record<string, unknown>): Promise<{ shard: string; sequence: number }> {
    const symbol = values[this.#field];
    const shard = typeof symbol === 'string' ? this.shardOf(symbol) : null;
    if (shard === null) throw routeError(`command ${this.#field} ${show(symbol)} is not in the shard map`);
    let reply;
    try {
      reply = await this.#nc.request(`ringbus.${shard}.commands`, json(values), { timeout: this.#timeoutMs });
    } catch (err) {
      throw new RingbusError(
        'RINGBUS_ERR_SHARD_ROUTE',
        `shard ${shard} did not take the command: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const r = parse(reply.data) as { sequence?: number; error?: string; code?: string };
    if (typeof r.sequence !== 'number') throw routeError(`shard ${shard} rejected the command: ${r.error} [${r.code}]`);
    return { shard, sequence: r.sequence };
  }

  /** Each shard's state hash (bus.stateHash) and their combination (combineStateHashes by shard name). */
  async stateHashes(): Promise<{ shards: Record<string, string>; combined: string }> {
    const shards: Record<string, string> = {};
    for (const s of this.#map.shards) shards[s] = (await requestState(this.#nc, s, this.#timeoutMs)).hash;
    return { shards, combined: combineStateHashes(shards) };
  }
}

/** One shard's `{ hash, sequence, states }`. */
export async function requestState(
  nc: NatsConnection,
  shard: string,
  timeoutMs = 5000,
): Promise<{ hash: string; sequence: number; states: Record<string, unknown> }> {
  const reply = await nc.request(`ringbus.${shard}.state`, new Uint8Array(0), { timeout: timeoutMs });
  return parse(reply.data) as { hash: string; sequence: number; states: Record<string, unknown> };
}

/** The engine side: publishes routed commands into `bus` in arrival order and answers state requests. */
export function serveShard(nc: NatsConnection, shard: string, bus: RingBus): { stop(): void } {
  busStreamNames(shard);
  const subs: Subscription[] = [
    nc.subscribe(`ringbus.${shard}.commands`, {
      callback: (_err, msg) => {
        try {
          msg.respond(json({ sequence: bus.publishEvent(parse(msg.data) as Record<string, unknown>) }));
        } catch (err) {
          msg.respond(json({ error: (err as Error).message, code: (err as { code?: string }).code ?? null }));
        }
      },
    }),
    nc.subscribe(`ringbus.${shard}.state`, {
      callback: (_err, msg) => {
        Promise.all([bus.stateHash(), bus.captureState()]).then(
          ([h, c]) => msg.respond(json({ hash: h.hash, sequence: h.sequence, states: c.states })),
          (err: Error) => msg.respond(json({ error: err.message })),
        );
      },
    }),
  ];
  return { stop: () => subs.forEach((s) => s.unsubscribe()) };
}
