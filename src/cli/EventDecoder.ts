/**
 * Decodes journaled event bytes into plain, JSON-safe field values with the event schema from the
 * data directory manifest: the bytes are copied into one slot-sized buffer and read through the
 * schema's own flyweight, so the CLI decodes exactly as the bus does. Allocates per event (CLI use).
 *
 * JSON-safe: `bytes` fields become lower-case hex strings; NaN / ±Infinity (fields declared
 * nonFinite) become the strings "NaN", "Infinity", "-Infinity".
 */
import { SLOT_HEADER_BYTES } from '../layout/RingBufferDescriptor.js';
import type { JournalRecord } from '../persistence/JournalRecord.js';
import { defineEvent, type EventDefinition, type EventType, type Flyweight } from '../schema/defineEvent.js';

export class EventDecoder {
  readonly #type: EventType;
  readonly #slot: Uint8Array;
  readonly #flyweight: Flyweight;

  constructor(definition: EventDefinition) {
    this.#type = defineEvent(definition.name, definition.fields);
    const buffer = new ArrayBuffer(this.#type.slotSize);
    this.#slot = new Uint8Array(buffer);
    this.#flyweight = new this.#type.Flyweight(buffer).$wrap(0);
  }

  /** Names of the journaled (input) fields in declaration order. */
  get fieldNames(): string[] {
    return this.#type.fields.filter((f) => !f.transient).map((f) => f.name);
  }

  /** Schema fingerprint (8 hex digits). */
  get fingerprint(): string {
    return this.#type.fingerprint;
  }

  /** The record's input fields as a plain object (declaration order); transient (result) fields are not journaled and are left out. */
  decode(record: JournalRecord): Record<string, unknown> {
    this.#slot.fill(0);
    record.copyPayloadTo(this.#slot, SLOT_HEADER_BYTES);
    const raw = this.#flyweight.$toObject();
    const out: Record<string, unknown> = {};
    for (const f of this.#type.fields) if (!f.transient) out[f.name] = jsonSafe(raw[f.name]);
    return out;
  }
}

function jsonSafe(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex');
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}
