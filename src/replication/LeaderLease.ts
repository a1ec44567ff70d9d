/**
 * Leadership of a bus: a lease under `<bus>.leader` in the `ringbus` key-value bucket, value
 * `{ owner, term, renewedAt }`. Acquire = create the key when absent, or — when its revision has
 * not moved for `leaseMs` as timed by the contender's own clock (no clock comparison between
 * machines) — update it by that revision with term + 1. Renew = update by the revision we wrote
 * last; a failure means someone took the lease over: RINGBUS_ERR_REPLICATION_FENCED.
 *
 * Takeover bound: the holder renews every leaseMs / 3; a contender polling every pollMs sees the
 * last renewal within pollMs and takes over leaseMs after seeing it, so the lease passes at most
 * leaseMs + 2 × pollMs after the holder's last renewal (plus one KV round trip).
 */
import type { KV, NatsConnection } from 'nats';
import { RingbusError, RingbusRangeError, show } from '../errors.js';
import { openBucket } from './stream.js';
import { busStreamNames, type BusStreamNames } from './streamNames.js';

export interface LeaseValue {
  readonly owner: string;
  readonly term: number;
  readonly renewedAt: string;
}

export interface LeaderLeaseOptions {
  readonly bus: string;
  /** Who asks (printed in status); default `<hostname>:<pid>`. */
  readonly owner: string;
  /** Lease duration; default 3000 ms. */
  readonly leaseMs?: number;
  /** How often a contender looks at the lease; default leaseMs / 10. */
  readonly pollMs?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class LeaderLease {
  readonly names: BusStreamNames;
  readonly owner: string;
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly #kv: KV;
  #revision = 0;
  #term = 0;
  #heartbeat: NodeJS.Timeout | null = null;

  private constructor(kv: KV, names: BusStreamNames, owner: string, leaseMs: number, pollMs: number) {
    this.#kv = kv;
    this.names = names;
    this.owner = owner;
    this.leaseMs = leaseMs;
    this.pollMs = pollMs;
  }

  static async open(nc: NatsConnection, options: LeaderLeaseOptions): Promise<LeaderLease> {
    const names = busStreamNames(options.bus);
    const leaseMs = options.leaseMs ?? 3000;
    if (!Number.isSafeInteger(leaseMs) || leaseMs < 30)
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `leaseMs must be an integer ≥ 30, got ${show(leaseMs)}`,
      );
    const pollMs = options.pollMs ?? Math.max(5, Math.floor(leaseMs / 10));
    if (!Number.isSafeInteger(pollMs) || pollMs < 1 || pollMs > leaseMs)
      throw new RingbusRangeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `pollMs must be an integer in 1..leaseMs, got ${show(pollMs)}`,
      );
    return new LeaderLease(await openBucket(nc, 1), names, options.owner, leaseMs, pollMs);
  }

  /** The term we hold (0: none). */
  term(): number {
    return this.#term;
  }

  /** The current holder, or null when nobody holds it. */
  async holder(): Promise<(LeaseValue & { revision: number }) | null> {
    const e = await this.#kv.get(this.names.leaseKey);
    if (e === null || e.operation !== 'PUT') return null;
    return { ...(JSON.parse(decoder.decode(e.value)) as LeaseValue), revision: e.revision };
  }

  /** One attempt: true when we now hold the lease (created, or taken over from an expired holder). */
  async tryAcquire(seen: { revision: number; since: number }): Promise<boolean> {
    const e = await this.#kv.get(this.names.leaseKey);
    if (e === null || e.operation !== 'PUT') return this.#write(1, (v) => this.#kv.create(this.names.leaseKey, v));
    const held = JSON.parse(decoder.decode(e.value)) as LeaseValue;
    if (e.revision !== seen.revision) {
      seen.revision = e.revision;
      seen.since = performance.now();
      return false;
    }
    if (performance.now() - seen.since < this.leaseMs) return false;
    return this.#write(held.term + 1, (v) => this.#kv.update(this.names.leaseKey, v, e.revision));
  }

  /** Polls until we hold the lease (or `signal` aborts). */
  async acquire(signal?: AbortSignal): Promise<void> {
    const seen = { revision: -1, since: performance.now() };
    while (!(await this.tryAcquire(seen))) {
      if (signal?.aborted) throw signal.reason;
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  /**
   * Takes over a lease this owner won in another process (`ringbus standby` exits on promotion and
   * the leader process adopts the term it printed): RINGBUS_ERR_REPLICATION_FENCED unless the key
   * still names this owner and term.
   */
  async adopt(term: number): Promise<void> {
    const h = await this.holder();
    if (h === null || h.owner !== this.owner || h.term !== term)
      throw new RingbusError(
        'RINGBUS_ERR_REPLICATION_FENCED',
        `the lease of bus ${show(this.names.bus)} is held by ${show(h?.owner ?? null)} (term ${h?.term ?? 'none'}), not ${show(this.owner)} term ${term}`,
      );
    this.#revision = h.revision;
    this.#term = term;
    await this.renew();
  }

  /** Renews by our last revision; RINGBUS_ERR_REPLICATION_FENCED when someone else took it. */
  async renew(): Promise<void> {
    try {
      this.#revision = await this.#kv.update(this.names.leaseKey, this.#value(this.#term), this.#revision);
    } catch (err) {
      if (!/wrong last sequence/i.test((err as Error).message)) throw err;
      const h = await this.holder();
      this.#term = 0;
      throw new RingbusError(
        'RINGBUS_ERR_REPLICATION_FENCED',
        `the lease of bus ${show(this.names.bus)} was taken over by ${show(h?.owner ?? null)} (term ${h?.term ?? '?'}): ${show(this.owner)} is no longer the leader`,
      );
    }
  }

  /** Renews every leaseMs / 3 until stopped; `onLost` gets the error when a renewal is refused. */
  startHeartbeat(onLost: (err: Error) => void): void {
    this.stopHeartbeat();
    this.#heartbeat = setInterval(
      () => {
        this.renew().catch((err: Error) => {
          if ((err as { code?: string }).code === 'RINGBUS_ERR_REPLICATION_FENCED') {
            this.stopHeartbeat();
            onLost(err);
          } // other errors (a server restart): the next beat tries again
        });
      },
      Math.max(1, Math.floor(this.leaseMs / 3)),
    );
  }

  stopHeartbeat(): void {
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  #value(term: number): Uint8Array {
    return encoder.encode(JSON.stringify({ owner: this.owner, term, renewedAt: new Date().toISOString() }));
  }

  async #write(term: number, put: (v: Uint8Array) => Promise<number>): Promise<boolean> {
    try {
      this.#revision = await put(this.#value(term));
      this.#term = term;
      return true;
    } catch (err) {
      if (/wrong last sequence|key exists/i.test((err as Error).message)) return false;
      throw err;
    }
  }
}
