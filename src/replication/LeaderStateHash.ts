/**
 * The leader's side of the standby's hash check (BusReplication's `stateHashEveryMs`): every N ms
 * the main thread takes `bus.stateHash()` (a control event at sequence S), waits until S is
 * replicated, and puts `{ sequence: S, hash }` under `<bus>.hash` (publishStateHash), where a
 * standby compares its own state at S with it. Waiting for replication first means a standby can
 * always reach S. One round at a time (the next is scheduled when one ends); a failed round is
 * reported to `onError` and the next one tries again; a round is skipped while nothing was
 * published since the last hash; `publishNow()` runs one round on demand (also
 * with everyMs 0: no periodic rounds). Off the hot path: timers on the main thread.
 */
import type { NatsConnection } from 'nats';
import type { RingBus } from '../topology/RingBus.js';
import { publishStateHash } from './Standby.js';
import { connectNats, type NatsServers } from './stream.js';

/** Reads the replicated line (BusReplication's, through bus.progressSequence). */
type ReplicatedSequence = () => number;

export class LeaderStateHash {
  /** The last hash published (null before the first). */
  last: { sequence: number; hash: string } | null = null;
  readonly #bus: RingBus;
  readonly #replicated: ReplicatedSequence;
  readonly #target: { servers: NatsServers; bus: string };
  readonly #everyMs: number;
  readonly #onError: ((err: Error) => void) | undefined;
  #nc: NatsConnection | null = null;
  #timer: NodeJS.Timeout | null = null;
  #round: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(
    bus: RingBus,
    replicated: ReplicatedSequence,
    target: { servers: NatsServers; bus: string },
    everyMs: number,
    onError?: (err: Error) => void,
  ) {
    this.#bus = bus;
    this.#replicated = replicated;
    this.#target = { servers: target.servers, bus: target.bus };
    this.#everyMs = everyMs;
    this.#onError = onError;
    if (everyMs > 0) this.#schedule();
  }

  /** One round now: the hash published (null when the bus stopped running or the rounds were stopped first). Throws what failed. */
  async publishNow(): Promise<{ sequence: number; hash: string } | null> {
    const round = this.#round.then(() => this.#publish());
    this.#round = round.then(
      () => undefined,
      () => undefined,
    );
    return round;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#round = this.#round.then(() => this.#publishOnce()).finally(() => this.#schedule());
      this.#round.catch(() => undefined);
    }, this.#everyMs);
    this.#timer.unref(); // the bus keeps the process alive, not this timer
  }

  async #publishOnce(): Promise<void> {
    const state = this.#bus.state;
    if (state === 'stopped' || state === 'halted') return void (this.#stopped = true);
    if (state !== 'running') return; // starting, or draining for shutdown: next period
    // nothing published since the last hash: it still holds (and no control event piles up in the journal)
    if (this.last !== null && this.#bus.ring.getCursor() === this.last.sequence) return;
    try {
      await this.#publish();
    } catch (err) {
      // a bus that ended meanwhile is not a failure: the rounds just stop
      if (this.#bus.state === 'running' && !this.#stopped) this.#onError?.(err as Error);
    }
  }

  async #publish(): Promise<{ sequence: number; hash: string } | null> {
    const h = await this.#bus.stateHash();
    // polls on timers; gives up when the rounds stop or the bus ends (no bound needed beyond that)
    while (this.#replicated() < h.sequence) {
      if (this.#stopped || this.#bus.state !== 'running') return null;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (this.#stopped) return null;
    this.#nc ??= await connectNats(this.#target.servers, `ringbus-state-hash-${this.#target.bus}`);
    await publishStateHash(this.#nc, this.#target.bus, h);
    this.last = { sequence: h.sequence, hash: h.hash };
    return this.last;
  }

  /** Ends the rounds (after the one in flight) and closes the connection. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#round;
    const nc = this.#nc;
    this.#nc = null;
    await nc?.close().catch(() => undefined);
  }
}
