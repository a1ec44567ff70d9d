/**
 * The journal relay (outbox): tails a bus's journal through JournalReader and ships every record,
 * in order, to the bus's JetStream stream (streamNames.ts). It runs beside the bus, never on its
 * hot path: in the process's main thread (the handlers run in worker threads) or in a process of
 * its own (`ringbus replication relay`).
 *
 * Each record is published with `Nats-Msg-Id` = its sequence (a retry within the stream's
 * duplicate window is de-duplicated) and with an expected last stream sequence = the record's
 * sequence (journal sequence s lives at stream sequence s + 1), so a deposed leader can never
 * append: once another process has appended sequence s, a publish of s is refused
 * (RINGBUS_ERR_REPLICATION_FENCED unless the stored record is byte-for-byte ours). A publish is
 * acknowledged by the stream's quorum (every replica of an R3 stream agrees through Raft), so
 * `replicatedSequence()` is what survives the loss of this machine; `waitForReplicated(s)` is how
 * a caller acknowledges only replicated events ('sync' replication).
 *
 * Shipping keeps up to maxBatch publishes in flight (PublishWindow), refilled while acks come in,
 * and confirms them strictly in sequence order. A publish is a plain message with a reply subject on
 * the relay's own inbox, its answer read by pubAck.ts: js.publish made a request per record (a
 * timer, promises, an error object per resolve), which was most of the relay's CPU per record.
 *
 * Start and every reconnect resume from the stream's last message: it must hold the journal's
 * record at that sequence byte for byte (else RINGBUS_ERR_REPLICATION_DIVERGED); a stream beyond
 * the local journal's end means another leader appended (RINGBUS_ERR_REPLICATION_FENCED); a
 * journal pruned past the stream's next sequence is RINGBUS_ERR_REPLICATION_GAP. Coded errors stop
 * the relay (`done` rejects); connection loss and server restarts are retried.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInbox, headers, type JetStreamManager, type Msg, type NatsConnection, type NatsError } from 'nats';
import { RingbusError, RingbusRangeError, show } from '../errors.js';
import { JournalReader } from '../persistence/JournalReader.js';
import { DATA_DIR_MANIFEST_NAME } from '../persistence/dataDirManifest.js';
import { decodeRecord, encodeRecord, sameBytes } from './recordMessage.js';
import { connectNats, ensureStream, openBucket, type NatsServers } from './stream.js';
import { busStreamNames, type BusStreamNames } from './streamNames.js';
import { LatencyWindow, type LatencyPercentiles } from './LatencyWindow.js';
import { SequenceWaiters } from './SequenceWaiters.js';
import { PublishWindow, type StreamAck } from './PublishWindow.js';
import { parsePubAck } from './pubAck.js';

export interface JournalRelayOptions {
  /** The bus's data directory (its journal is read, never written). */
  readonly dataDir: string;
  /** NATS server URL(s). */
  readonly servers: NatsServers;
  /** Bus name: the stream is RINGBUS_<BUS>, the subject ringbus.<bus>.journal. */
  readonly bus: string;
  /** Stream replicas when the relay creates the stream (1 or 3 on a cluster); default 1. */
  readonly replicas?: number;
  /** Most publishes in flight (a sliding window refilled as acks are confirmed); default 256. */
  readonly maxBatch?: number;
  /** How long to wait before looking at the journal again when it has nothing new; default 2 ms. */
  readonly pollMs?: number;
}

export interface RelayMetrics {
  /** Highest sequence the stream acknowledged (-1: none). */
  readonly replicatedSequence: number;
  /** Highest sequence read from the journal (-1: none). */
  readonly journalSequence: number;
  /** journalSequence − replicatedSequence. */
  readonly lagEvents: number;
  /** How long the oldest unreplicated record read has waited (0 when caught up). */
  readonly lagMs: number;
  /** Records acknowledged since start. */
  readonly shipped: number;
  /** Resumes after connection loss or server restart. */
  readonly retries: number;
  /** Publish → quorum ack latency over the last 8192 records, µs. */
  readonly publishLatencyUs: LatencyPercentiles;
}

const CODED = /^RINGBUS_ERR_(REPLICATION_|JOURNAL_)/;
/** How long a publish may wait for its ack before the relay resumes (and publishes it again). */
const ACK_TIMEOUT_MS = 5000;
/** How often the oldest publish in flight is checked against ACK_TIMEOUT_MS (one timer, not one per publish). */
const ACK_SWEEP_MS = 250;

function positiveInt(name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max)
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `${name} must be an integer in 1..${max}, got ${show(value)}`,
    );
  return value;
}

export class JournalRelay {
  readonly names: BusStreamNames;
  readonly #reader: JournalReader;
  readonly #nc: NatsConnection;
  /** Acks come to `<inbox>.<run>.<sequence>`; `run` tells a shipping run's acks from an abandoned one's. */
  readonly #inbox = createInbox();
  #shipRuns = 0;
  #replyPrefix = '';
  #window: PublishWindow | null = null;
  readonly #jsm: JetStreamManager;
  readonly #maxBatch: number;
  readonly #pollMs: number;
  readonly #latency = new LatencyWindow(8192);
  #next = 0;
  #replicated = -1;
  #journal = -1;
  #oldestUnackedAt = 0;
  #shipped = 0;
  #retries = 0;
  #stopping = false;
  readonly #waiters = new SequenceWaiters();
  /** Resolves when stop() ends the relay; rejects with the coded error that stopped it. */
  readonly done: Promise<void>;

  private constructor(options: JournalRelayOptions, names: BusStreamNames, nc: NatsConnection, jsm: JetStreamManager) {
    this.names = names;
    this.#reader = new JournalReader(options.dataDir);
    this.#nc = nc;
    nc.subscribe(`${this.#inbox}.>`, { callback: this.#onAnswer });
    this.#jsm = jsm;
    this.#maxBatch = positiveInt('maxBatch', options.maxBatch, 256, 65_536);
    this.#pollMs = positiveInt('pollMs', options.pollMs, 2, 60_000);
    this.done = this.#run();
    this.done.catch(() => undefined); // observed through done / waitForReplicated
  }

  /** Connects, creates the stream when absent, checks the stream against the journal and starts shipping. */
  static async start(options: JournalRelayOptions): Promise<JournalRelay> {
    const names = busStreamNames(options.bus);
    const replicas = positiveInt('replicas', options.replicas, 1, 5);
    positiveInt('maxBatch', options.maxBatch, 256, 65_536);
    new JournalReader(options.dataDir).close(); // option check before connecting
    const nc = await connectNats(options.servers, `ringbus-relay-${names.bus}`);
    try {
      const jsm = await nc.jetstreamManager({ checkAPI: false });
      await ensureStream(jsm, names, replicas);
      const manifest = join(options.dataDir, DATA_DIR_MANIFEST_NAME);
      // a standby rebuilds the same handlers from it (JournalMirror)
      if (existsSync(manifest)) await (await openBucket(nc, replicas)).put(names.manifestKey, readFileSync(manifest));
      return new JournalRelay(options, names, nc, jsm);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  replicatedSequence(): number {
    return this.#replicated;
  }

  /** Resolves once `sequence` is acknowledged by the stream; rejects if the relay stops first. */
  waitForReplicated(sequence: number): Promise<void> {
    return this.#waiters.wait(sequence, this.#replicated);
  }

  metrics(): RelayMetrics {
    const lagEvents = Math.max(0, this.#journal - this.#replicated);
    return {
      replicatedSequence: this.#replicated,
      journalSequence: this.#journal,
      lagEvents,
      lagMs: lagEvents === 0 ? 0 : performance.now() - this.#oldestUnackedAt,
      shipped: this.#shipped,
      retries: this.#retries,
      publishLatencyUs: this.#latency.percentiles(),
    };
  }

  /** Stops sending; confirms the publishes in flight, then closes the connection. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.done.catch(() => undefined);
  }

  async #run(): Promise<void> {
    try {
      while (!this.#stopping) {
        try {
          await this.#resume();
          await this.#ship();
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (typeof code === 'string' && CODED.test(code)) throw err;
          if (this.#stopping) break;
          this.#retries++;
          await delay(100);
        }
      }
    } catch (err) {
      this.#waiters.fail(err as Error);
      throw err;
    } finally {
      this.#reader.close();
      await this.#nc.close().catch(() => undefined);
    }
  }

  /** Finds where the stream ends and checks its last record against the journal. */
  async #resume(): Promise<void> {
    const info = await this.#jsm.streams.info(this.names.stream);
    const last = info.state.last_seq;
    if (last === 0) {
      const first = this.#reader.firstSequence();
      if (first > 0)
        throw gap(`the stream ${this.names.stream} is empty but the journal starts at sequence ${first}, not 0`);
      this.#next = 0;
      return;
    }
    const stored = await this.#storedBody(last);
    const where = `stream ${this.names.stream} message ${last}`;
    const rec = decodeRecord(stored!, where);
    if (rec.sequence !== last - 1) throw gap(`${where} holds journal sequence ${rec.sequence}, expected ${last - 1}`);
    this.#reader.seek(last - 1);
    const local = this.#reader.next();
    if (local === null || local.sequence !== last - 1) {
      const first = this.#reader.firstSequence();
      if (first > last - 1)
        throw gap(`the journal starts at sequence ${first}; the stream needs sequence ${last - 1} to continue`);
      throw new RingbusError(
        'RINGBUS_ERR_REPLICATION_FENCED',
        `stream ${this.names.stream} already holds journal sequence ${last - 1}, beyond this journal's end ` +
          `(${local === null ? 'no record there' : `next record ${local.sequence}`}): another leader appended; run as a standby`,
      );
    }
    if (!sameBytes(encodeRecord(local), stored!))
      throw diverged(`${where} differs from the journal's record at sequence ${last - 1}`);
    this.#next = last;
    this.#advance(last - 1);
  }

  /**
   * Reads new journal records and publishes them, until stopped: up to maxBatch publishes in
   * flight (a sliding window, refilled as each oldest publish is confirmed). Outcomes are confirmed
   * strictly in sequence order, so the replicated sequence only moves over a contiguous acknowledged
   * prefix; on stop, the publishes in flight are confirmed before it returns.
   */
  async #ship(): Promise<void> {
    const window = new PublishWindow(this.#maxBatch, this.#next);
    this.#window = window;
    this.#replyPrefix = `${this.#inbox}.${++this.#shipRuns}.`;
    const sweep = setInterval(() => {
      if (window.size > 0 && performance.now() - window.oldestSentAt() >= ACK_TIMEOUT_MS) {
        const s = window.oldestSequence;
        window.settle(s, null, new Error(`no ack for journal sequence ${s} within ${ACK_TIMEOUT_MS} ms`));
      }
    }, ACK_SWEEP_MS);
    try {
      await this.#shipThrough(window);
    } finally {
      clearInterval(sweep);
      this.#window = null;
    }
  }

  async #shipThrough(window: PublishWindow): Promise<void> {
    // refill once a quarter of the window is free, not per ack: publishes made together leave in
    // one socket write (the client flushes once per microtask turn), one per ack cost a write each
    const refillAt = Math.ceil(this.#maxBatch / 4);
    let atEnd = true; // the reader returned null (or was never positioned): seek before reading again
    for (;;) {
      // at the journal's end, look again only once the window is empty: a seek lists the segments
      // and scans the newest from its start, far too dear to repeat while acks come in
      if (!this.#stopping && (atEnd ? window.size === 0 : window.free >= refillAt)) atEnd = this.#fill(window, atEnd);
      if (window.size === 0) {
        if (this.#stopping) return;
        await delay(this.#pollMs);
        continue;
      }
      // acks that arrived together are confirmed without yielding, then the window is refilled
      if (!window.oldestIsSettled()) await window.oldestSettled();
      const sequence = window.oldestSequence;
      const ack = window.oldestAck();
      if (ack === null || ack.duplicate || ack.seq !== sequence + 1)
        await this.#confirm(sequence, window.oldestBody(), ack, window.oldestFailure());
      window.shift();
      this.#next = sequence + 1;
      this.#shipped++;
      this.#advance(sequence);
      this.#oldestUnackedAt = window.size === 0 ? performance.now() : window.oldestSentAt();
    }
  }

  /** Publishes journal records after the window's newest until it is full; returns whether the journal ran out. */
  #fill(window: PublishWindow, atEnd: boolean): boolean {
    if (atEnd) this.#reader.seek(window.nextSequence);
    while (window.free > 0) {
      const r = this.#reader.next();
      if (r === null) return true;
      const sequence = window.nextSequence;
      if (r.sequence !== sequence)
        throw gap(`the journal's next record after sequence ${sequence - 1} is sequence ${r.sequence}`);
      const body = encodeRecord(r);
      const now = performance.now();
      if (window.size === 0) this.#oldestUnackedAt = now;
      if (this.#journal < sequence) this.#journal = sequence;
      // what js.publish sends, without its per-request timer and promises: the ack comes to our inbox
      const h = headers();
      h.set('Nats-Msg-Id', String(sequence));
      h.set('Nats-Expected-Last-Sequence', String(sequence));
      window.push(body, now);
      this.#nc.publish(this.names.subject, body, { reply: this.#replyPrefix + sequence, headers: h });
    }
    return false;
  }

  /** An answer to one of our publishes (subscription callback on `<inbox>.>`). */
  readonly #onAnswer = (err: NatsError | null, msg: Msg): void => {
    const window = this.#window;
    if (err !== null || window === null || !msg.subject.startsWith(this.#replyPrefix)) return; // not this run's
    const sequence = Number(msg.subject.slice(this.#replyPrefix.length));
    const answer = parsePubAck(msg, this.names.stream);
    if (answer instanceof Error) window.settle(sequence, null, answer);
    else {
      const sentAt = window.settle(sequence, answer, null);
      if (sentAt >= 0) this.#latency.add((performance.now() - sentAt) * 1000);
    }
  };

  /** Checks one publish's outcome; throws a coded error (stop) or a plain one (resume and retry). */
  async #confirm(sequence: number, body: Uint8Array, ack: StreamAck | null, failure: Error | null): Promise<void> {
    if (ack !== null && !ack.duplicate) {
      if (ack.seq !== sequence + 1)
        throw gap(
          `stream ${this.names.stream} stored journal sequence ${sequence} at stream sequence ${ack.seq}, expected ${sequence + 1}`,
        );
      return;
    }
    // de-duplicated, or refused: the stream already holds something at our place
    const stored = await this.#storedBody(sequence + 1);
    if (stored === null) throw failure ?? new Error('publish failed');
    if (sameBytes(stored, body)) return; // an earlier attempt of ours landed
    const rec = decodeRecord(stored, `stream ${this.names.stream} message ${sequence + 1}`);
    throw new RingbusError(
      'RINGBUS_ERR_REPLICATION_FENCED',
      `stream ${this.names.stream} already holds a different record at journal sequence ${rec.sequence}: another leader appended; ` +
        `this relay stops without overwriting (run as a standby)`,
    );
  }

  async #storedBody(streamSequence: number): Promise<Uint8Array | null> {
    try {
      const m = await this.#jsm.streams.getMessage(this.names.stream, { seq: streamSequence });
      return m.data;
    } catch (err) {
      if (/no message found/i.test((err as Error).message)) return null;
      throw err;
    }
  }

  #advance(sequence: number): void {
    if (sequence <= this.#replicated) return;
    this.#replicated = sequence;
    if (this.#journal < sequence) this.#journal = sequence;
    this.#waiters.release(sequence);
  }
}

function gap(message: string): RingbusError {
  return new RingbusError('RINGBUS_ERR_REPLICATION_GAP', message);
}

function diverged(message: string): RingbusError {
  return new RingbusError('RINGBUS_ERR_REPLICATION_DIVERGED', message);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
