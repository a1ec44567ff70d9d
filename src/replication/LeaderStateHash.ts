/**
 * The leader's side of the standby's hash check (BusReplication's `stateHashEveryMs`): every N ms
 * the main thread takes `bus.stateHash()` (a control event at sequence S), waits until S is
 * replicated, and puts `{ sequence: S, hash }` under `<bus>.hash` (publishStateHash), where a
 * standby compares its own state at S with it. Waiting for replication first means a standby can
 * always reach S. One round at a time (the next is scheduled when one ends); a failed round is
 * reported to `onError` and the next one tries again. Off the hot path: timers on the main thread.
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
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#round = this.#publishOnce().finally(() => this.#schedule());
    }, this.#everyMs);
    this.#timer.unref(); // the bus keeps the process alive, not this timer
  }

  async #publishOnce(): Promise<void> {
    const state = this.#bus.state;
    if (state === 'stopped' || state === 'halted') return void (this.#stopped = true);
    if (state !== 'running') return; // starting, or draining for shutdown: next period
    try {
      const h = await this.#bus.stateHash();
      // polls on timers; gives up when the rounds stop or the bus ends (no bound needed beyond that)
      while (this.#replicated() < h.sequence) {
        if (this.#stopped || this.#bus.state !== 'running') return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (this.#stopped) return;
      this.#nc ??= await connectNats(this.#target.servers, `ringbus-state-hash-${this.#target.bus}`);
      await publishStateHash(this.#nc, this.#target.bus, h);
      this.last = { sequence: h.sequence, hash: h.hash };
    } catch (err) {
      // a bus that ended meanwhile is not a failure: the rounds just stop
      if (this.#bus.state === 'running' && !this.#stopped) this.#onError?.(err as Error);
    }
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
