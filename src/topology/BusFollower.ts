/**
 * Follower mode: a bus whose events come from another bus's journal, record by record, instead of
 * from its own producers (a hot standby; src/replication/Standby.ts feeds it from a NATS stream).
 *
 * Each record is published into the ring at its own sequence, with its original timestamp, kind
 * and aux word, so the journal stage writes the leader's record unchanged and every handler applies
 * it as the leader's did: the follower's state equals the leader's at every sequence it applied.
 * Control records stay control records: at a leader's state-hash record the follower's handlers
 * hash their state at the same sequence (`stateHashAt`), and at a leader's snapshot record they
 * snapshot it and the set is written to this bus's own data directory. Handlers see every followed
 * sequence as a replay (`ctx.isReplay(seq)` is true), so side effects meant for live events only
 * (acks, outbound reports) stay quiet until `promote()`.
 *
 * While following, the bus refuses its own publishes, snapshot(), stateHash() and captureState():
 * each would take a sequence the leader has used for something else. `promote()` ends following:
 * the bus goes live at the next sequence (no replay: the state is already there).
 *
 * Thread-safety: main thread only, like the bus. `apply` is allocation-free for event records
 * (control records allocate for their collection, as on the leader).
 */
import { KEEP_TIMESTAMP, type RingBuffer } from '../core/RingBuffer.js';
import { RingbusError, show } from '../errors.js';
import { KIND_CONTROL, SLOT_HEADER_BYTES } from '../layout/RingBufferDescriptor.js';
import { CONTROL_SNAPSHOT, CONTROL_STATE_HASH } from '../runtime/protocol.js';
import type { EventType, Flyweight } from '../schema/defineEvent.js';
import type { BusRuntime, StateHashResult } from './BusRuntime.js';

/** One record of the leader's journal, as a relay ships it (src/replication/recordMessage.ts). */
export interface FollowedRecord {
  readonly sequence: number;
  /** Publish time in ns since the journal's epoch. */
  readonly timestampNs: number;
  /** The leader's journal epoch (ms since 1970): must equal this bus's. */
  readonly epochMs: number;
  readonly kind: number;
  readonly aux: number;
  /** Schema fingerprint (u32): must equal this bus's event's. */
  readonly fingerprint: number;
  /** The journaled event bytes (the input fields). */
  readonly payload: Uint8Array;
}

/** What the bus lends its follower (RingBus builds it; nothing else does). */
export interface FollowerHost<F extends Flyweight> {
  readonly event: EventType<F>;
  /** The started bus's runtime. */
  runtime(): BusRuntime<F>;
  /** Writes a captured cut as a snapshot set of this bus (as bus.snapshot() does after its capture). */
  writeSnapshot(cut: Awaited<ReturnType<BusRuntime<F>['captureState']>>): Promise<unknown>;
  /** Opens publishing and the snapshot schedule. */
  goLive(): void;
}

/** Leader state-hash records whose answers are kept for stateHashAt (the newest ones). */
const KEPT_HASHES = 64;
/** How long the handlers may take to reach a followed control record (they may be far behind). */
const CONTROL_TIMEOUT_MS = 600_000;

export class BusFollower<F extends Flyweight = Flyweight> {
  readonly #host: FollowerHost<F>;
  #ring: RingBuffer<F> | null = null;
  #bytes: Uint8Array | null = null;
  #following = false;
  #promoted = false;
  #lastApplied = -1;
  readonly #hashes = new Map<number, Promise<StateHashResult>>();
  #snapshotWrites: Promise<unknown> = Promise.resolve();
  #failure: Error | null = null;

  /** @internal RingBus.follow() creates it. */
  constructor(host: FollowerHost<F>) {
    this.#host = host;
  }

  /** @internal Called by the bus once recovery has replayed its own journal. */
  begin(lastRecovered: number): void {
    const rt = this.#host.runtime();
    this.#ring = rt.ring;
    this.#bytes = new Uint8Array(rt.ring.buffer);
    this.#lastApplied = lastRecovered;
    // everything followed is a replay for the handlers until promote() says where live begins
    rt.status.setReplayUntil(Number.MAX_SAFE_INTEGER);
    this.#following = true;
  }

  /** True between start() and promote(). */
  get following(): boolean {
    return this.#following;
  }

  /** The sequence the next record must have (the bus continues there after promote()). */
  nextSequence(): number {
    return this.#lastApplied + 1;
  }

  /** Last sequence published into the ring (applied once the handlers pass it: `bus.drain()`). */
  lastApplied(): number {
    return this.#lastApplied;
  }

  /**
   * Publishes the leader's record at its sequence (waits while the ring is full). Throws
   * RINGBUS_ERR_REPLICATION_GAP for a record out of sequence and RINGBUS_ERR_REPLICATION_DIVERGED
   * for one of another schema or journal epoch; RINGBUS_ERR_BUS_STATE when not following.
   */
  apply(record: FollowedRecord): void {
    if (!this.#following)
      throw new RingbusError(
        'RINGBUS_ERR_BUS_STATE',
        this.#promoted ? 'the bus was promoted: it no longer follows' : 'apply() needs a started follower bus',
      );
    if (this.#failure) throw this.#failure;
    const expected = this.#lastApplied + 1;
    if (record.sequence !== expected)
      throw new RingbusError(
        'RINGBUS_ERR_REPLICATION_GAP',
        `follower expected sequence ${expected}, got ${show(record.sequence)}`,
      );
    const event = this.#host.event;
    if (record.fingerprint !== event.fingerprintValue)
      throw new RingbusError(
        'RINGBUS_ERR_REPLICATION_DIVERGED',
        `record ${record.sequence} has schema fingerprint ${record.fingerprint.toString(16)}, this bus's is ${event.fingerprint}`,
      );
    const ring = this.#ring!;
    if (record.epochMs !== ring.epochMs)
      throw new RingbusError(
        'RINGBUS_ERR_REPLICATION_DIVERGED',
        `record ${record.sequence} belongs to a journal with epoch ${record.epochMs}, this bus's journal has ${ring.epochMs}`,
      );
    if (record.kind === KIND_CONTROL && record.aux === CONTROL_STATE_HASH) {
      this.#keepHash(
        record.sequence,
        this.#host.runtime().stateHash(() => this.#publish(record), CONTROL_TIMEOUT_MS),
      );
    } else if (record.kind === KIND_CONTROL && record.aux === CONTROL_SNAPSHOT) {
      const cut = this.#host.runtime().captureState(() => this.#publish(record), CONTROL_TIMEOUT_MS);
      this.#snapshotWrites = this.#snapshotWrites.then(() => cut.then((c) => this.#host.writeSnapshot(c)));
      this.#snapshotWrites.catch((err: Error) => (this.#failure ??= err));
    } else {
      this.#publish(record);
    }
  }

  /**
   * This bus's state hash at a leader state-hash record it applied (the same cut the leader
   * hashed); null when that record was not followed live by this bus (e.g. it came through
   * recovery) or is older than the newest 64.
   */
  stateHashAt(sequence: number): Promise<StateHashResult> | null {
    return this.#hashes.get(sequence) ?? null;
  }

  /** Sequences of the leader state-hash records kept for stateHashAt, oldest first. */
  stateHashSequences(): number[] {
    return [...this.#hashes.keys()];
  }

  /**
   * Ends following: events after the last applied one are live for the handlers, and the bus
   * takes its own publishes from now on, at nextSequence(). Waits for snapshot sets still being
   * written. Returns the last followed sequence.
   */
  async promote(): Promise<number> {
    if (!this.#following) throw new RingbusError('RINGBUS_ERR_BUS_STATE', 'promote() needs a following bus');
    this.#following = false;
    this.#promoted = true;
    await this.#snapshotWrites;
    if (this.#failure) throw this.#failure;
    this.#host.runtime().status.setReplayUntil(this.#lastApplied);
    this.#host.goLive();
    return this.#lastApplied;
  }

  #publish(record: FollowedRecord): number {
    const ring = this.#ring!;
    const seq = ring.next(1);
    if (seq !== record.sequence)
      throw new RingbusError(
        'RINGBUS_ERR_BUS_STATE',
        `follower out of step: the ring claimed ${seq} for record ${record.sequence} (did something else publish?)`,
      );
    ring.fillAndPublish(seq, seq, writeFollowed, record, this);
    this.#lastApplied = seq;
    return seq;
  }

  #keepHash(sequence: number, hash: Promise<StateHashResult>): void {
    hash.catch(() => undefined); // a caller of stateHashAt sees the rejection
    this.#hashes.set(sequence, hash);
    if (this.#hashes.size > KEPT_HASHES) this.#hashes.delete(this.#hashes.keys().next().value!);
  }

  /** @internal The slot filler's view of the ring bytes. */
  get bytes(): Uint8Array {
    return this.#bytes!;
  }
  /** @internal */
  get payloadSize(): number {
    return this.#host.event.payloadSize;
  }
}

/** Fills a claimed slot from a followed record: its bytes, timestamp, aux and kind (control kept). */
function writeFollowed<F extends Flyweight>(
  w: F,
  _s: number,
  _i: number,
  r: FollowedRecord,
  f: BusFollower<F>,
): number {
  const start = w.$base + SLOT_HEADER_BYTES;
  const bytes = f.bytes;
  const n = Math.min(r.payload.length, f.payloadSize);
  bytes.set(r.payload.length === n ? r.payload : r.payload.subarray(0, n), start);
  if (n < f.payloadSize) bytes.fill(0, start + n, start + f.payloadSize);
  w.$resetTransient(); // result fields start from their defaults, as on a fresh publish
  w.$timestamp = r.timestampNs;
  w.$aux = r.aux;
  return r.kind | KEEP_TIMESTAMP;
}
