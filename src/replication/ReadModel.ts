/**
 * The query side (CQRS): a process that builds a read model (e.g. positions and P&L per account
 * from execution reports) from a bus's stream, away from the engine. It reads the event schema
 * from the manifest the relay put in the bucket, consumes the stream in order with an ordered
 * consumer, decodes each event record through the schema's flyweight (as the bus does) and calls
 * `apply(fields, record)`. Control and void records are skipped.
 *
 * Lag: `lag()` = `{ events, ms }`: records the consumer knows are still behind this one, and the
 * age of the last applied event (now − its publish time on the engine's clock; meaningful while
 * events keep flowing and the clocks agree).
 */
import { DeliverPolicy, type ConsumerMessages, type NatsConnection } from 'nats';
import { RingbusError, show } from '../errors.js';
import { KIND_EVENT, SLOT_HEADER_BYTES } from '../layout/RingBufferDescriptor.js';
import { defineEvent, type EventType, type Flyweight } from '../schema/defineEvent.js';
import { decodeRecord, type ReplicatedRecord } from './recordMessage.js';
import { connectNats, openBucket, type NatsServers } from './stream.js';
import { busStreamNames, type BusStreamNames } from './streamNames.js';
import { SequenceWaiters } from './SequenceWaiters.js';

export interface ReadModelOptions {
  readonly servers: NatsServers;
  readonly bus: string;
  /** Folds one event (its input fields as a plain object) into the model. */
  readonly apply: (fields: Record<string, unknown>, record: ReplicatedRecord) => void;
  /** How long to wait for the bus's manifest in the bucket; default 30 s. */
  readonly manifestTimeoutMs?: number;
}

export class ReadModel {
  readonly names: BusStreamNames;
  readonly #nc: NatsConnection;
  readonly #slot: Uint8Array;
  readonly #flyweight: Flyweight;
  readonly #apply: ReadModelOptions['apply'];
  #applied = -1;
  #pending = 0;
  #lastEventMs = Number.NaN;
  #messages: ConsumerMessages | null = null;
  readonly #waiters = new SequenceWaiters();
  /** Resolves on stop(); rejects with the error that stopped the model. */
  readonly done: Promise<void>;

  private constructor(names: BusStreamNames, nc: NatsConnection, type: EventType, apply: ReadModelOptions['apply']) {
    this.names = names;
    this.#nc = nc;
    const buffer = new ArrayBuffer(type.slotSize);
    this.#slot = new Uint8Array(buffer);
    this.#flyweight = new type.Flyweight(buffer).$wrap(0);
    this.#apply = apply;
    this.done = this.#run();
    this.done.catch(() => undefined);
  }

  static async start(options: ReadModelOptions): Promise<ReadModel> {
    const names = busStreamNames(options.bus);
    if (typeof options.apply !== 'function')
      throw new RingbusError(
        'RINGBUS_ERR_INVALID_OPTION',
        `apply must be a function (fields, record) => void, got ${show(options.apply)}`,
      );
    const nc = await connectNats(options.servers, `ringbus-read-model-${names.bus}`);
    try {
      const kv = await openBucket(nc, 1);
      const deadline = Date.now() + (options.manifestTimeoutMs ?? 30_000);
      for (;;) {
        const e = await kv.get(names.manifestKey);
        if (e !== null && e.operation === 'PUT') {
          const m = JSON.parse(new TextDecoder().decode(e.value)) as { event: { name: string; fields: never } };
          return new ReadModel(names, nc, defineEvent(m.event.name, m.event.fields), options.apply);
        }
        if (Date.now() > deadline)
          throw new RingbusError(
            'RINGBUS_ERR_DATA_DIR_MANIFEST',
            `no manifest for bus ${show(names.bus)} under ${names.manifestKey}: start its relay first`,
          );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  appliedSequence(): number {
    return this.#applied;
  }

  lag(): { events: number; ms: number } {
    return {
      events: this.#pending,
      ms: Number.isNaN(this.#lastEventMs) ? 0 : Math.max(0, Date.now() - this.#lastEventMs),
    };
  }

  waitForApplied(sequence: number): Promise<void> {
    return this.#waiters.wait(sequence, this.#applied);
  }

  async stop(): Promise<void> {
    this.#messages?.stop();
    await this.done.catch(() => undefined);
  }

  async #run(): Promise<void> {
    try {
      const consumer = await this.#nc
        .jetstream()
        .consumers.get(this.names.stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: 1 });
      this.#messages = await consumer.consume({ max_messages: 1024 });
      for await (const m of this.#messages) {
        const rec = decodeRecord(m.data, `stream ${this.names.stream} message ${m.seq}`);
        if (rec.sequence !== this.#applied + 1 && this.#applied !== -1)
          throw new RingbusError(
            'RINGBUS_ERR_REPLICATION_GAP',
            `stream ${this.names.stream} delivered sequence ${rec.sequence} after ${this.#applied}`,
          );
        if (rec.kind === KIND_EVENT) {
          this.#slot.fill(0);
          this.#slot.set(rec.payload, SLOT_HEADER_BYTES);
          this.#apply(this.#flyweight.$toObject(), rec);
          this.#lastEventMs = rec.epochMs + rec.timestampNs / 1e6;
        }
        this.#pending = m.info.pending;
        this.#advance(rec.sequence);
      }
    } catch (err) {
      this.#waiters.fail(err as Error);
      throw err;
    } finally {
      await this.#nc.close().catch(() => undefined);
    }
  }

  #advance(sequence: number): void {
    this.#applied = sequence;
    this.#waiters.release(sequence);
  }
}
