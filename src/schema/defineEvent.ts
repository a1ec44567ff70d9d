import { RingbusRangeError, RingbusTypeError, show } from '../errors.js';
import {
  alignUp,
  LAYOUT_VERSION,
  SLOT_HEADER_BYTES,
  SLOT_AUX_OFFSET,
  SLOT_KIND_OFFSET,
  SLOT_TIMESTAMP_OFFSET,
} from '../layout/RingBufferDescriptor.js';
import {
  FIELD_NAME_PATTERN,
  MAX_SIZED_LENGTH,
  RESERVED_FIELD_NAMES,
  SCALARS,
  type FieldLayout,
  type FieldType,
  type FieldSpec,
  type ScalarFieldType,
} from './fieldTypes.js';
import { generateFlyweight, generateValidator } from './codegen.js';

export type { FieldLayout } from './fieldTypes.js';

/** A flyweight: getters/setters per field over one slot of a ring's buffer, re-pointed with `$wrap`. */
export interface Flyweight {
  /** Points the flyweight at the slot starting at `byteOffset` of the buffer. Allocation-free. */
  $wrap(byteOffset: number): this;
  /** Byte offset of the slot it points at. */
  readonly $base: number;
  /** The publish timestamp (ns since the ring epoch) the producer stamped. */
  $timestamp: number;
  /** Slot kind word (KIND_EVENT, KIND_VOID, KIND_CONTROL). */
  $kind: number;
  /** Slot aux word (control code for KIND_CONTROL). */
  $aux: number;
  /** Sets every transient (result) field to its default. Allocation-free. */
  $resetTransient(): void;
  /** Writes every field from `values` without validating (call `validate` first). Allocation-free. */
  $write(values: Record<string, unknown>): void;
  /** Copies the fields into a new plain object. Allocates. */
  $toObject(): Record<string, unknown>;
  /** The slot's field bytes (after the header) as a view. Allocates a view. */
  $bytes(): Uint8Array;
  [field: string]: unknown;
}

export interface FlyweightConstructor<F extends Flyweight = Flyweight> {
  new (buffer: ArrayBufferLike): F;
}

/** The plain, structured-cloneable definition; `defineEvent(def.name, def.fields)` rebuilds the same type. */
export interface EventDefinition {
  readonly name: string;
  readonly fields: ReadonlyArray<readonly [string, FieldSpec]>;
}

/** Fields as an object (declaration order) or as [name, spec] pairs. */
export type FieldsInput = Record<string, FieldSpec> | ReadonlyArray<readonly [string, FieldSpec]>;

/** What `defineEvent` returns. */
export interface EventType<F extends Flyweight = Flyweight> {
  readonly name: string;
  readonly definition: EventDefinition;
  readonly fields: readonly FieldLayout[];
  /** Bytes one slot needs: header + fields, rounded up to 8. */
  readonly slotSize: number;
  /** Bytes of field data after the slot header. */
  readonly payloadSize: number;
  /**
   * Bytes of the input fields at the start of the payload: what the journal records per event
   * (equals payloadSize when no field is transient).
   */
  readonly journalSize: number;
  /** 8 hex digits: FNV-1a of the canonical schema text; journals record it. */
  readonly fingerprint: string;
  /** The same fingerprint as an unsigned 32-bit number. */
  readonly fingerprintValue: number;
  /** Flyweight class over a buffer. */
  readonly Flyweight: FlyweightConstructor<F>;
  /**
   * Checks `values` against the schema and throws a coded error naming the field and the value
   * (missing field, out of range, not finite, too long, not ascii, unknown field). Allocates
   * nothing when valid.
   */
  validate(values: Record<string, unknown>): void;
}

function invalid(message: string): never {
  throw new RingbusTypeError('RINGBUS_ERR_INVALID_SCHEMA', message);
}

function normalise(eventName: string, name: string, spec: unknown): Omit<FieldLayout, 'offset'> {
  if (!FIELD_NAME_PATTERN.test(name) || RESERVED_FIELD_NAMES.has(name)) {
    invalid(
      `event ${show(eventName)}: field name ${show(name)} must match ${FIELD_NAME_PATTERN} and not be a reserved name`,
    );
  }
  const s = (typeof spec === 'string' ? { type: spec } : spec) as Record<string, unknown> | null;
  if (typeof s !== 'object' || s === null) {
    throw new RingbusTypeError(
      'RINGBUS_ERR_UNKNOWN_FIELD_TYPE',
      `event ${show(eventName)}: field ${show(name)} has type ${show(spec)}; expected a type name or { type, ... }`,
    );
  }
  const type = s.type as string;
  if (type === 'ascii' || type === 'bytes') {
    const length = s.length;
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 1 || length > MAX_SIZED_LENGTH) {
      invalid(
        `event ${show(eventName)}: field ${show(name)} (${type}) needs length as an integer in [1, ${MAX_SIZED_LENGTH}], got ${show(length)}`,
      );
    }
    const transient = s.transient === true;
    return {
      name,
      type,
      size: length,
      length,
      nonFinite: false,
      transient,
      hasDefault: 'default' in s || transient,
      defaultValue: 'default' in s ? s.default : type === 'ascii' ? '' : new Uint8Array(0),
    };
  }
  if (!Object.prototype.hasOwnProperty.call(SCALARS, type)) {
    throw new RingbusTypeError(
      'RINGBUS_ERR_UNKNOWN_FIELD_TYPE',
      `event ${show(eventName)}: field ${show(name)} has unknown type ${show(type)}; known: ${[...Object.keys(SCALARS), 'ascii', 'bytes'].join(', ')}`,
    );
  }
  const info = SCALARS[type as ScalarFieldType];
  const nonFinite = s.nonFinite === true;
  if (nonFinite && !info.float)
    invalid(`event ${show(eventName)}: field ${show(name)}: nonFinite applies only to f32/f64, not ${type}`);
  const transient = s.transient === true;
  // a transient field that names no default starts at zero (false for bool)
  return {
    name,
    type: type as ScalarFieldType,
    size: info.size,
    nonFinite,
    transient,
    hasDefault: 'default' in s || transient,
    defaultValue: 'default' in s ? s.default : type === 'bool' ? false : 0,
  };
}

/** 32-bit FNV-1a. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Defines an event type: lays its fields out in a slot (8-byte fields first, so every field is
 * naturally aligned), and builds its flyweight and validator.
 *
 * ```ts
 * const Order = defineEvent('Order', { id: 'i53', price: 'f64', qty: 'u32', side: 'u8', symbol: { type: 'ascii', length: 8 } });
 * ```
 */
export function defineEvent<F extends Flyweight = Flyweight>(name: string, fields: FieldsInput): EventType<F> {
  if (typeof name !== 'string' || !FIELD_NAME_PATTERN.test(name))
    invalid(`event name must match ${FIELD_NAME_PATTERN}, got ${show(name)}`);
  if (typeof fields !== 'object' || fields === null)
    invalid(
      `event ${show(name)}: fields must be an object of name → type (or [name, type] pairs), got ${show(fields)}`,
    );
  const entries: Array<readonly [string, FieldSpec]> = Array.isArray(fields) ? [...fields] : Object.entries(fields);
  for (const e of entries)
    if (!Array.isArray(e) || e.length !== 2)
      invalid(`event ${show(name)}: each field pair must be [name, type], got ${show(e)}`);
  if (entries.length === 0) invalid(`event ${show(name)} has no fields`);
  const seen = new Set<string>();
  const specs = entries.map(([fieldName, spec]) => {
    if (seen.has(fieldName))
      throw new RingbusTypeError(
        'RINGBUS_ERR_DUPLICATE_FIELD',
        `event ${show(name)}: field ${show(fieldName)} is defined twice`,
      );
    seen.add(fieldName);
    return normalise(name, fieldName, spec);
  });
  // input fields, then transient (result) fields; within each, 8-byte fields first, then 4, 2, 1:
  // each field lands on its natural alignment; stable within a size
  const byAlign = (a: { type: FieldType; size: number }, b: { type: FieldType; size: number }): number =>
    alignOf(b) - alignOf(a);
  let offset = SLOT_HEADER_BYTES;
  const layout: FieldLayout[] = [];
  for (const f of specs.filter((x) => !x.transient).sort(byAlign)) {
    layout.push({ ...f, offset });
    offset += f.size;
  }
  const inputEnd = offset;
  const transients = specs.filter((x) => x.transient).sort(byAlign);
  if (transients.length > 0) offset = alignUp(offset, 8);
  for (const f of transients) {
    layout.push({ ...f, offset });
    offset += f.size;
  }
  const byDeclaration = specs.map((s) => layout.find((l) => l.name === s.name)!);
  for (const f of byDeclaration) checkDefault(name, f);
  const slotSize = alignUp(offset, 8);
  const canonical = `ringbus-event/${LAYOUT_VERSION}:${name}(${byDeclaration
    .map(
      (f) =>
        `${f.name}:${f.type}${f.length ? `[${f.length}]` : ''}${f.nonFinite ? '~' : ''}${f.transient ? '!' : ''}@${f.offset}`,
    )
    .join(',')})`;
  const fingerprintValue = fnv1a(canonical);
  const Flyweight = generateFlyweight(
    name,
    byDeclaration,
    SLOT_TIMESTAMP_OFFSET,
    SLOT_KIND_OFFSET,
    SLOT_AUX_OFFSET,
    SLOT_HEADER_BYTES,
    offset,
  ) as FlyweightConstructor<F>;
  const validate = generateValidator(name, byDeclaration);
  return Object.freeze({
    name,
    definition: Object.freeze({
      name,
      fields: Object.freeze(entries.map(([n, sp]) => Object.freeze([n, sp] as const))),
    }),
    fields: Object.freeze(byDeclaration),
    slotSize,
    payloadSize: offset - SLOT_HEADER_BYTES,
    journalSize: inputEnd - SLOT_HEADER_BYTES,
    fingerprint: fingerprintValue.toString(16).padStart(8, '0'),
    fingerprintValue,
    Flyweight,
    validate,
  });
}

function alignOf(f: { type: FieldType; size: number }): number {
  return f.type === 'ascii' || f.type === 'bytes' ? 1 : f.size;
}

function checkDefault(eventName: string, f: FieldLayout): void {
  if (!f.hasDefault) return;
  const v = generateValidator(eventName, [{ ...f, hasDefault: false }]);
  try {
    v({ [f.name]: f.defaultValue });
  } catch (err) {
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_SCHEMA',
      `event ${show(eventName)}: default of field ${show(f.name)} is invalid: ${(err as Error).message}`,
    );
  }
}
