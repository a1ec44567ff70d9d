/**
 * A hot standby: it runs the leader's bus (same manifest: schema, handlers, wiring, options) in
 * follower mode (src/topology/BusFollower.ts) on its own data directory and feeds it the leader's
 * stream record by record, so its journal holds the leader's records and its handlers hold the
 * leader's state at every sequence they applied. It contends for the lease (LeaderLease); when it
 * wins it applies everything the stream holds at that moment and promotes the bus, which goes live
 * at the next sequence with its state already in memory (no replay). The lease is renewed on a
 * heartbeat from the moment it is won.
 *
 * Start: JournalMirror checks the local journal against the stream (moving a diverged one aside
 * when asked) and, when the local journal is empty, mirrors until it holds the leader's first
 * record, so the bus adopts the leader's journal epoch. Then the bus starts (recovering its own
 * snapshot + journal) and an ordered consumer feeds it from its next sequence.
 *
 * Failover time: lease takeover (≤ leaseMs + 2 × pollMs after the leader's last renewal, see
 * LeaderLease) + applying what the stream holds beyond what was already fed.
 *
 * State hash: at each of the leader's state-hash records the follower hashes its own state at the
 * same sequence. The leader puts `{ sequence, hash }` under `<bus>.hash` (publishStateHash);
 * `checkStateHash()` compares with the follower's hash at that sequence (`live: true`), or, for a
 * record older than this process's feed, with a read-only replay of the journal (`live: false`).
 * On demand, and every `hashCheckMs` when set.
 */
import { hostname } from 'node:os';
import { DeliverPolicy, type ConsumerMessages, type NatsConnection } from 'nats';
import { RingbusError, show } from '../errors.js';
import type { BusFollower } from '../topology/BusFollower.js';
import { busFromManifest } from '../topology/busFromManifest.js';
import type { RingBus } from '../topology/RingBus.js';
import { JournalMirror, type JournalMirrorOptions } from './JournalMirror.js';
import { LeaderLease } from './LeaderLease.js';
import { decodeRecord } from './recordMessage.js';
import { replayStateHash } from './replayStateHash.js';
import { AppliedProgress } from './SequenceWaiters.js';
import { connectNats, openBucket, retryJetStream } from './stream.js';
import { busStreamNames, type BusStreamNames } from './streamNames.js';

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
  /** true: the running follower's own hash at that sequence; false: a read-only replay of the journal. */
  readonly live: boolean;
}

export interface Promotion {
  readonly term: number;
  /** Last sequence applied before going live: the bus continues at lastSequence + 1. */
  readonly lastSequence: number;
  /** The promoted bus, live, with the leader's state: publish into it (and ship its journal with a relay). Yours to shut down. */
  readonly bus: RingBus;
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
  readonly dataDir: string;
  readonly names: BusStreamNames;
  /** Set when a diverged directory was moved aside at start. */
  readonly movedAsideTo: string | null;
  readonly #options: StandbyOptions;
  readonly #nc: NatsConnection;
  readonly #lease: LeaderLease;
  readonly #abort = new AbortController();
  #mirror: JournalMirror | null;
  #bus: RingBus | null = null;
  #feed: BusFollower | null = null;
  #messages: ConsumerMessages | null = null;
  readonly #applied: AppliedProgress;
  /** Resolved by the lease winner when the stream is empty: start the bus without a first record. */
  #goLiveEmpty: () => void = () => undefined;
  #promoting = false;
  /** Resolves once the bus runs and the consumer feeds it (what promotion stops). */
  #feeding: () => void = () => undefined;
  readonly #fed = new Promise<void>((resolve) => (this.#feeding = resolve));
  #timer: NodeJS.Timeout | null = null;
  #checking = false;
  /** Settles when the feed stops: resolves for promotion or stop(), rejects with the error that stopped it. */
  readonly done: Promise<void>;
  /** Resolves once this standby holds the lease, has applied the whole stream and promoted its bus. */
  readonly promoted: Promise<Promotion>;

  private constructor(options: StandbyOptions, mirror: JournalMirror, nc: NatsConnection, lease: LeaderLease) {
    this.#options = options;
    this.dataDir = options.dataDir;
    this.names = mirror.names;
    this.movedAsideTo = mirror.movedAsideTo;
    this.#mirror = mirror;
    this.#applied = new AppliedProgress(mirror.appliedSequence());
    this.#nc = nc;
    this.#lease = lease;
    this.done = this.#follow();
    this.done.catch((err: Error) => this.#applied.fail(err));
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

  /** Highest sequence fed into the bus (or, before the bus starts, mirrored into the journal). */
  appliedSequence(): number {
    return this.#applied.sequence;
  }

  /** Records fed since start, per second. */
  applyRate(): number {
    return this.#applied.rate();
  }

  /** Resolves once `sequence` is applied; rejects if the feed stops with an error. */
  waitForApplied(sequence: number): Promise<void> {
    return this.#applied.wait(sequence);
  }

  /**
   * Compares this standby's state hash with the leader's last published one (RINGBUS_ERR_REPLICATION_DIVERGED
   * on a mismatch); null when none is published or this standby has not applied it yet.
   */
  async checkStateHash(): Promise<HashCheck | null> {
    const kv = await openBucket(this.#nc, 1);
    const e = await kv.get(keyOf(this.#options.bus));
    if (e === null || e.operation !== 'PUT') return null;
    const leader = JSON.parse(new TextDecoder().decode(e.value)) as { sequence: number; hash: string };
    if (this.#applied.sequence < leader.sequence) return null;
    if (this.#bus !== null && this.#feed === null) return null; // the bus is starting: check on the next call
    const live = this.#feed?.stateHashAt(leader.sequence) ?? null;
    let standby: string;
    if (live) standby = (await live).hash;
    else {
      await this.#bus?.drain({ timeoutMs: 600_000 }); // the journal holds what was fed
      standby = await replayStateHash(this.dataDir, leader.sequence);
    }
    if (standby !== leader.hash)
      throw new RingbusError(
        'RINGBUS_ERR_REPLICATION_DIVERGED',
        `standby state hash at sequence ${leader.sequence} is ${standby}, the leader's is ${show(leader.hash)}`,
      );
    return { sequence: leader.sequence, leader: leader.hash, standby, live: live !== null };
  }

  /** Gives up: stops contending and the feed, shuts the bus down (unless promoted), closes the connection. */
  async stop(): Promise<void> {
    this.#abort.abort(new Error('standby stopped'));
    this.#stopTimer();
    this.#goLiveEmpty();
    this.#messages?.stop();
    const promotion = await this.promoted.catch(() => null);
    await this.done.catch(() => undefined);
    if (!promotion) {
      await this.#mirror?.stop();
      await this.#bus?.shutdown().catch(() => undefined);
      await this.#nc.close().catch(() => undefined);
    }
  }

  async #follow(): Promise<void> {
    const mirror = this.#mirror!;
    if (mirror.appliedSequence() < 0) {
      // an empty journal takes the leader's epoch from its first record (or starts afresh on an empty stream)
      const empty = new Promise<void>((resolve) => (this.#goLiveEmpty = resolve));
      await Promise.race([mirror.waitForApplied(0), empty, mirror.done.then(() => undefined)]);
    }
    await mirror.stop();
    this.#mirror = null;
    if (this.#abort.signal.aborted && !this.#promoting) return;
    const bus = busFromManifest({ dataDir: this.dataDir, fsync: this.#options.fsync ?? 'batch' });
    const feed = bus.follow();
    this.#bus = bus;
    await bus.start();
    this.#applied.advance(feed.lastApplied());
    const consumer = await this.#nc.jetstream().consumers.get(this.names.stream, {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: feed.nextSequence() + 1, // journal sequence s is stream sequence s + 1
    });
    const messages = await consumer.consume({ max_messages: 1024 });
    this.#messages = messages;
    this.#feed = feed;
    this.#feeding();
    if (this.#abort.signal.aborted && !this.#promoting) messages.stop();
    for await (const m of messages) {
      try {
        feed.apply(decodeRecord(m.data, `stream ${this.names.stream} message ${m.seq}`));
      } catch (err) {
        throw bus.haltError ?? err; // a halted bus (a handler failed, a worker died) says why
      }
      this.#applied.count();
      this.#applied.advance(feed.lastApplied());
    }
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #periodicCheck(): void {
    if (this.#checking) return; // a check is still running: skip this tick
    this.#checking = true;
    this.checkStateHash()
      .then(
        (r) => r && this.#options.onHashCheck?.(r),
        (err: Error) => this.#options.onHashCheck?.(err),
      )
      .finally(() => (this.#checking = false));
  }

  async #contend(): Promise<Promotion> {
    const failed = this.done.then(() => {
      if (!this.#promoting) throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'the standby stopped');
    });
    failed.catch(() => undefined);
    await Promise.race([this.#lease.acquire(this.#abort.signal), failed]);
    this.#promoting = true;
    this.#stopTimer();
    this.#lease.startHeartbeat((err) => this.#options.onLeaseLost?.(err));
    try {
      // apply everything the stream holds now: the old leader can no longer renew, and its
      // relay is fenced from the moment anything is appended after this point
      const jsm = await this.#nc.jetstreamManager({ checkAPI: false });
      const last = (await retryJetStream(() => jsm.streams.info(this.names.stream))).state.last_seq - 1;
      if (last < 0) this.#goLiveEmpty();
      await Promise.race([this.waitForApplied(last), failed]);
      await Promise.race([this.#fed, failed]);
      this.#messages!.stop();
      await this.done;
      const lastSequence = await this.#feed!.promote();
      return { term: this.#lease.term(), lastSequence, bus: this.#bus!, lease: this.#lease, connection: this.#nc };
    } catch (err) {
      this.#lease.stopHeartbeat(); // not leading after all: let the lease run out for another standby
      throw err;
    }
  }
}
