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
 * Start and every reconnect resume from the stream's last message: it must hold the journal's
 * record at that sequence byte for byte (else RINGBUS_ERR_REPLICATION_DIVERGED); a stream beyond
 * the local journal's end means another leader appended (RINGBUS_ERR_REPLICATION_FENCED); a
 * journal pruned past the stream's next sequence is RINGBUS_ERR_REPLICATION_GAP. Coded errors stop
 * the relay (`done` rejects); connection loss and server restarts are retried.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JetStreamClient, JetStreamManager, NatsConnection, PubAck } from 'nats';
import { RingbusError, RingbusRangeError, show } from '../errors.js';
import { JournalReader } from '../persistence/JournalReader.js';
import { DATA_DIR_MANIFEST_NAME } from '../persistence/dataDirManifest.js';
import { decodeRecord, encodeRecord, sameBytes } from './recordMessage.js';
import { connectNats, ensureStream, openBucket, type NatsServers } from './stream.js';
import { busStreamNames, type BusStreamNames } from './streamNames.js';
import { LatencyWindow, type LatencyPercentiles } from './LatencyWindow.js';
import { SequenceWaiters } from './SequenceWaiters.js';

export interface JournalRelayOptions {
  /** The bus's data directory (its journal is read, never written). */
  readonly dataDir: string;
  /** NATS server URL(s). */
  readonly servers: NatsServers;
  /** Bus name: the stream is RINGBUS_<BUS>, the subject ringbus.<bus>.journal. */
  readonly bus: string;
  /** Stream replicas when the relay creates the stream (1 or 3 on a cluster); default 1. */
  readonly replicas?: number;
  /** Most records published before waiting for their acks; default 256. */
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
  readonly #js: JetStreamClient;
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
    this.#js = nc.jetstream();
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

  /** Stops after the batch in flight; closes the connection. */
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

  /** Reads new journal records and publishes them, a batch at a time, until stopped. */
  async #ship(): Promise<void> {
    const bodies: Uint8Array[] = [];
    while (!this.#stopping) {
      bodies.length = 0;
      this.#reader.seek(this.#next);
      for (let r = this.#reader.next(); r !== null && bodies.length < this.#maxBatch; r = this.#reader.next())
        bodies.push(encodeRecord(r));
      if (bodies.length === 0) {
        await delay(this.#pollMs);
        continue;
      }
      const first = this.#next;
      if (this.#journal < first) this.#oldestUnackedAt = performance.now();
      this.#journal = Math.max(this.#journal, first + bodies.length - 1);
      const sentAt = performance.now();
      const acks = await Promise.allSettled(
        bodies.map((body, i) =>
          this.#js
            .publish(this.names.subject, body, {
              msgID: String(first + i),
              expect: { lastSequence: first + i },
              timeout: 5000,
            })
            .then((ack) => {
              this.#latency.add((performance.now() - sentAt) * 1000);
              return ack;
            }),
        ),
      );
      for (let i = 0; i < acks.length; i++) {
        const a = acks[i]!;
        await this.#confirm(first + i, bodies[i]!, a.status === 'fulfilled' ? a.value : null, a);
        this.#next = first + i + 1;
        this.#shipped++;
        this.#advance(first + i);
      }
      this.#oldestUnackedAt = performance.now();
    }
  }

  /** Checks one publish's outcome; throws a coded error (stop) or a plain one (resume and retry). */
  async #confirm(
    sequence: number,
    body: Uint8Array,
    ack: PubAck | null,
    result: PromiseSettledResult<PubAck>,
  ): Promise<void> {
    if (ack !== null && !ack.duplicate) {
      if (ack.seq !== sequence + 1)
        throw gap(
          `stream ${this.names.stream} stored journal sequence ${sequence} at stream sequence ${ack.seq}, expected ${sequence + 1}`,
        );
      return;
    }
    // de-duplicated, or refused: the stream already holds something at our place
    const stored = await this.#storedBody(sequence + 1);
    if (stored === null) throw (result as PromiseRejectedResult).reason ?? new Error('publish failed');
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
