/**
 * A standby: mirrors the leader's stream into its own data directory (JournalMirror), checks its
 * state hash against the one the leader published, and contends for the lease (LeaderLease). When
 * it wins the lease it applies everything the stream holds at that moment, stops mirroring, and
 * resolves `promoted`: the caller then starts the bus on the data directory (recovery replays the
 * mirrored journal through the same handlers, so it goes live at the next sequence), starts a
 * JournalRelay on it. The lease is renewed on a heartbeat from the moment it is won.
 *
 * Failover time: lease takeover (≤ leaseMs + 2 × pollMs after the leader's last renewal, see
 * LeaderLease) + applying what the mirror had not yet applied + the bus's recovery replay.
 *
 * State hash: the leader puts `{ sequence, hash }` under `<bus>.hash` (publishStateHash);
 * `checkStateHash()` replays the mirrored journal to that sequence with the manifest's handlers
 * and compares. Run on demand, and every `hashCheckMs` when set.
 */
import { hostname } from 'node:os';
import type { NatsConnection } from 'nats';
import { RingbusError, show } from '../errors.js';
import { replayStateHash } from './replayStateHash.js';
import { JournalMirror, type JournalMirrorOptions } from './JournalMirror.js';
import { LeaderLease } from './LeaderLease.js';
import { connectNats, openBucket } from './stream.js';
import { busStreamNames } from './streamNames.js';

export interface StandbyOptions extends JournalMirrorOptions {
  /** Name in the lease; default `<hostname>:<pid>`. */
  readonly owner?: string;
  readonly leaseMs?: number;
  readonly pollMs?: number;
  /** Check the state hash against the leader's this often (0: only on demand); default 0. */
  readonly hashCheckMs?: number;
  /** Called with each periodic check's result (a mismatch is also thrown from checkStateHash()). */
  readonly onHashCheck?: (result: HashCheck | Error) => void;
  /** Called when, after promotion, a lease renewal is refused (another process took it over). */
  readonly onLeaseLost?: (err: Error) => void;
}

export interface HashCheck {
  readonly sequence: number;
  readonly leader: string;
  readonly standby: string;
}

export interface Promotion {
  readonly term: number;
  /** Last sequence applied before going live: the bus continues at lastSequence + 1. */
  readonly lastSequence: number;
  readonly lease: LeaderLease;
  /** The lease's connection (keep it open while leading). */
  readonly connection: NatsConnection;
}

const keyOf = (bus: string): string => `${busStreamNames(bus).bus}.hash`;

/** Leader side: publishes the bus state hash at a sequence for standbys to compare with. */
export async function publishStateHash(
  nc: NatsConnection,
  bus: string,
  at: { sequence: number; hash: string },
): Promise<void> {
  const kv = await openBucket(nc, 1);
  await kv.put(keyOf(bus), new TextEncoder().encode(JSON.stringify({ sequence: at.sequence, hash: at.hash })));
}

export class Standby {
  readonly mirror: JournalMirror;
  readonly #options: StandbyOptions;
  readonly #nc: NatsConnection;
  readonly #lease: LeaderLease;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | null = null;
  #checking = false;
  /** Resolves once this standby holds the lease and has applied the whole stream. */
  readonly promoted: Promise<Promotion>;

  private constructor(options: StandbyOptions, mirror: JournalMirror, nc: NatsConnection, lease: LeaderLease) {
    this.#options = options;
    this.mirror = mirror;
    this.#nc = nc;
    this.#lease = lease;
    if ((options.hashCheckMs ?? 0) > 0) this.#timer = setInterval(() => this.#periodicCheck(), options.hashCheckMs);
    this.promoted = this.#contend();
    this.promoted.catch(() => undefined);
  }

  static async start(options: StandbyOptions): Promise<Standby> {
    const mirror = await JournalMirror.start(options);
    const nc = await connectNats(options.servers, `ringbus-standby-${options.bus}`);
    try {
      const lease = await LeaderLease.open(nc, {
        bus: options.bus,
        owner: options.owner ?? `${hostname()}:${process.pid}`,
        ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
        ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
      });
      return new Standby(options, mirror, nc, lease);
    } catch (err) {
      await Promise.all([nc.close(), mirror.stop()]);
      throw err;
    }
  }

  /**
   * Replays the mirrored journal to the leader's last published hash sequence and compares
   * (RINGBUS_ERR_REPLICATION_DIVERGED on a mismatch); null when none is published or applied yet.
   */
  async checkStateHash(): Promise<HashCheck | null> {
    const kv = await openBucket(this.#nc, 1);
    const e = await kv.get(keyOf(this.#options.bus));
    if (e === null || e.operation !== 'PUT') return null;
    const leader = JSON.parse(new TextDecoder().decode(e.value)) as { sequence: number; hash: string };
    if (this.mirror.appliedSequence() < leader.sequence) return null;
    const standby = await replayStateHash(this.mirror.dataDir, leader.sequence);
    if (standby !== leader.hash)
      throw new RingbusError(
        'RINGBUS_ERR_REPLICATION_DIVERGED',
        `standby state hash at sequence ${leader.sequence} is ${standby}, the leader's is ${show(leader.hash)}`,
      );
    return { sequence: leader.sequence, leader: leader.hash, standby };
  }

  /** Gives up: stops contending and mirroring, closes the connection. */
  async stop(): Promise<void> {
    this.#abort.abort(new Error('standby stopped'));
    if (this.#timer) clearInterval(this.#timer);
    await this.promoted.catch(() => undefined);
    await this.mirror.stop();
    await this.#nc.close().catch(() => undefined);
  }

  #periodicCheck(): void {
    if (this.#checking) return; // a replay is still running: skip this tick
    this.#checking = true;
    this.checkStateHash()
      .then(
        (r) => r && this.#options.onHashCheck?.(r),
        (err: Error) => this.#options.onHashCheck?.(err),
      )
      .finally(() => (this.#checking = false));
  }

  async #contend(): Promise<Promotion> {
    const failed = this.mirror.done.then(() => {
      throw new Error('the mirror stopped');
    });
    await Promise.race([this.#lease.acquire(this.#abort.signal), failed]);
    if (this.#timer) clearInterval(this.#timer);
    this.#lease.startHeartbeat((err) => this.#options.onLeaseLost?.(err));
    // apply everything the stream holds now: the old leader can no longer renew, and its
    // relay is fenced from the moment anything is appended after this point
    const jsm = await this.#nc.jetstreamManager();
    const last = (await jsm.streams.info(this.mirror.names.stream)).state.last_seq - 1;
    await Promise.race([this.mirror.waitForApplied(last), failed]);
    await this.mirror.stop();
    return { term: this.#lease.term(), lastSequence: last, lease: this.#lease, connection: this.#nc };
  }
}
