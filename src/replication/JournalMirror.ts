/**
 * The standby's side of replication: consumes the bus's stream with an ordered consumer and
 * appends every record to a local journal through JournalWriter, so the standby's data directory
 * holds the leader's journal record for record (same sequence, timestamp, kind, aux, epoch and
 * event bytes; fsync per batch). The leader's manifest.json (put in the key-value bucket by the
 * relay) is written next to it, so the same handlers can be rebuilt from it.
 *
 * Start checks the local journal against the stream: the local last record must be in the stream
 * with the same bytes. A local journal that runs past the stream or differs from it (a deposed
 * leader's unreplicated tail) is RINGBUS_ERR_REPLICATION_DIVERGED, or with
 * `onDiverged: 'move-aside'` the directory is renamed to `<dataDir>.diverged-<ms>` (kept for
 * inspection) and the mirror starts from an empty one. Nothing is ever overwritten in place.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DeliverPolicy, type ConsumerMessages, type JetStreamManager, type NatsConnection } from 'nats';
import { RingbusError, show } from '../errors.js';
import { JournalReader } from '../persistence/JournalReader.js';
import { JournalWriter, type FsyncPolicy } from '../persistence/JournalWriter.js';
import { DATA_DIR_MANIFEST_NAME, readManifest } from '../persistence/dataDirManifest.js';
import { ensureDirectory, writeFileAtomicSync } from '../persistence/fsUtil.js';
import { defineEvent, type EventType } from '../schema/defineEvent.js';
import { fingerprintHex } from '../persistence/segmentHeader.js';
import { decodeRecord, encodeRecord, sameBytes, type ReplicatedRecord } from './recordMessage.js';
import { connectNats, openBucket, type NatsServers } from './stream.js';
import { busStreamNames, type BusStreamNames } from './streamNames.js';
import { AppliedProgress } from './SequenceWaiters.js';

export interface JournalMirrorOptions {
  readonly dataDir: string;
  readonly servers: NatsServers;
  readonly bus: string;
  /** fsync policy of the local journal; default 'batch'. */
  readonly fsync?: FsyncPolicy;
  /** What to do with a local journal that is not a prefix of the stream; default 'fail'. */
  readonly onDiverged?: 'fail' | 'move-aside';
  /** How long to wait for the leader's manifest in the bucket; default 30 s. */
  readonly manifestTimeoutMs?: number;
}

export class JournalMirror {
  readonly names: BusStreamNames;
  readonly dataDir: string;
  /** Set when a diverged directory was moved aside. */
  readonly movedAsideTo: string | null;
  readonly #nc: NatsConnection;
  readonly #event: EventType;
  readonly #fsync: FsyncPolicy;
  #writer: JournalWriter | null = null;
  #writerEpoch = Number.NaN;
  readonly #applied: AppliedProgress;
  #messages: ConsumerMessages | null = null;
  /** Resolves when stop() ends the mirror; rejects with the error that stopped it. */
  readonly done: Promise<void>;

  private constructor(
    names: BusStreamNames,
    dataDir: string,
    nc: NatsConnection,
    event: EventType,
    applied: number,
    fsync: FsyncPolicy,
    movedAsideTo: string | null,
  ) {
    this.names = names;
    this.dataDir = dataDir;
    this.#nc = nc;
    this.#event = event;
    this.#applied = new AppliedProgress(applied);
    this.#fsync = fsync;
    this.movedAsideTo = movedAsideTo;
    this.done = this.#run();
    this.done.catch(() => undefined);
  }

  static async start(options: JournalMirrorOptions): Promise<JournalMirror> {
    const names = busStreamNames(options.bus);
    const nc = await connectNats(options.servers, `ringbus-mirror-${names.bus}`);
    try {
      const jsm = await nc.jetstreamManager({ checkAPI: false });
      const event = await fetchManifest(nc, names, options.dataDir, options.manifestTimeoutMs ?? 30_000);
      let movedAsideTo: string | null = null;
      let applied = localLastSequence(options.dataDir);
      const problem = applied < 0 ? null : await checkPrefix(jsm, names, options.dataDir, applied);
      if (problem !== null) {
        if (options.onDiverged !== 'move-aside') throw problem;
        movedAsideTo = `${options.dataDir}.diverged-${Date.now()}`;
        renameSync(options.dataDir, movedAsideTo);
        await fetchManifest(nc, names, options.dataDir, options.manifestTimeoutMs ?? 30_000);
        applied = -1;
      }
      return new JournalMirror(names, options.dataDir, nc, event, applied, options.fsync ?? 'batch', movedAsideTo);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /** Highest sequence written (and, with fsync 'batch', synced) to the local journal. */
  appliedSequence(): number {
    return this.#applied.sequence;
  }

  /** Records applied since start, per second. */
  applyRate(): number {
    return this.#applied.rate();
  }

  waitForApplied(sequence: number): Promise<void> {
    return this.#applied.wait(sequence);
  }

  /** Stops consuming, syncs and closes the local journal. */
  async stop(): Promise<void> {
    this.#messages?.stop();
    await this.done.catch(() => undefined);
  }

  async #run(): Promise<void> {
    try {
      const js = this.#nc.jetstream();
      const consumer = await js.consumers.get(this.names.stream, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: this.#applied.sequence + 2, // journal sequence s is stream sequence s + 1
      });
      this.#messages = await consumer.consume({ max_messages: 1024 });
      let sinceCommit = 0;
      for await (const m of this.#messages) {
        const rec = decodeRecord(m.data, `stream ${this.names.stream} message ${m.seq}`);
        this.#append(rec);
        sinceCommit++;
        if (m.info.pending === 0 || sinceCommit >= 256) {
          this.#writer!.commit();
          sinceCommit = 0;
          this.#applied.advance(rec.sequence);
        }
      }
      this.#writer?.commit();
    } catch (err) {
      this.#applied.fail(err as Error);
      throw err;
    } finally {
      this.#writer?.close();
      this.#writer = null;
      await this.#nc.close().catch(() => undefined);
    }
  }

  #append(rec: ReplicatedRecord): void {
    const expected = (this.#writer?.lastSequence() ?? this.#applied.sequence) + 1;
    if (rec.sequence !== expected)
      throw new RingbusError(
        'RINGBUS_ERR_REPLICATION_GAP',
        `stream ${this.names.stream} delivered journal sequence ${rec.sequence}, expected ${expected}`,
      );
    if (rec.fingerprint !== this.#event.fingerprintValue)
      throw new RingbusError(
        'RINGBUS_ERR_JOURNAL_FINGERPRINT',
        `stream ${this.names.stream} sequence ${rec.sequence} has schema fingerprint ${fingerprintHex(rec.fingerprint)}, the manifest's is ${this.#event.fingerprint}`,
      );
    if (this.#writer === null || rec.epochMs !== this.#writerEpoch) {
      this.#writer?.close();
      this.#writer = JournalWriter.open(this.dataDir, {
        fingerprint: this.#event.fingerprint,
        eventName: this.#event.name,
        payloadSize: this.#event.journalSize, // what the bus journals: the input fields
        epochMs: rec.epochMs,
        fsync: this.#fsync,
      });
      this.#writerEpoch = rec.epochMs;
    }
    this.#writer.append(rec.sequence, rec.timestampNs, rec.kind, rec.aux, rec.payload, 0, rec.payload.length);
    this.#applied.count();
  }
}

/** Last sequence of the local journal (-1: none). */
function localLastSequence(dataDir: string): number {
  if (!existsSync(dataDir)) return -1;
  const reader = new JournalReader(dataDir);
  const segs = reader.segmentFiles();
  let last = -1;
  if (segs.length > 0) {
    reader.seek(segs[segs.length - 1]!.firstSequence);
    for (let r = reader.next(); r !== null; r = reader.next()) last = r.sequence;
  }
  reader.close();
  return last;
}

/** null when the local journal through `last` is in the stream with the same bytes at `last`; else the error. */
async function checkPrefix(
  jsm: JetStreamManager,
  names: BusStreamNames,
  dataDir: string,
  last: number,
): Promise<RingbusError | null> {
  let stored: Uint8Array;
  try {
    stored = (await jsm.streams.getMessage(names.stream, { seq: last + 1 })).data;
  } catch (err) {
    if (!/no message found/i.test((err as Error).message)) throw err;
    return diverged(`the local journal ${dataDir} ends at sequence ${last}, beyond the end of stream ${names.stream}`);
  }
  const reader = new JournalReader(dataDir);
  reader.seek(last);
  const local = reader.next();
  const same = local !== null && sameBytes(encodeRecord(local), stored);
  reader.close();
  return same ? null : diverged(`the local journal ${dataDir} differs from stream ${names.stream} at sequence ${last}`);
}

function diverged(message: string): RingbusError {
  return new RingbusError('RINGBUS_ERR_REPLICATION_DIVERGED', message);
}

/** Waits for the leader's manifest in the bucket, writes it into dataDir, returns its event type. */
async function fetchManifest(
  nc: NatsConnection,
  names: BusStreamNames,
  dataDir: string,
  timeoutMs: number,
): Promise<EventType> {
  const kv = await openBucket(nc, 1);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entry = await kv.get(names.manifestKey);
    if (entry !== null && entry.operation === 'PUT' && entry.value.length > 0) {
      ensureDirectory(dataDir);
      writeFileAtomicSync(join(dataDir, DATA_DIR_MANIFEST_NAME), entry.value);
      const manifest = readManifest(dataDir)!;
      return defineEvent(manifest.event.name, manifest.event.fields);
    }
    if (Date.now() > deadline)
      throw new RingbusError(
        'RINGBUS_ERR_DATA_DIR_MANIFEST',
        `no manifest for bus ${show(names.bus)} under key ${names.manifestKey} of bucket ringbus after ${timeoutMs} ms: start the leader's relay first`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
