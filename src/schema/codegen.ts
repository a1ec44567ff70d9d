/**
 * Generates the flyweight class and the validator of an event type as straight-line code (one
 * getter/setter per field with its offset as a literal), so that V8 compiles each accessor to a
 * bounds-checked typed-array load or store. Field names are checked against FIELD_NAME_PATTERN
 * before they reach here, so they are safe identifiers.
 */
import { RingbusRangeError, RingbusTypeError, show } from '../errors.js';
import { SCALARS, type FieldLayout, type ScalarFieldType } from './fieldTypes.js';

const SHIFT: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3 };

function index(view: string, offset: number, size: number): string {
  const shift = SHIFT[size]!;
  return shift === 0 ? `this.$${view}[this.$base + ${offset}]` : `this.$${view}[(this.$base + ${offset}) >> ${shift}]`;
}

export function generateFlyweight(
  eventName: string,
  fields: readonly FieldLayout[],
  tsOffset: number,
  kindOffset: number,
  auxOffset: number,
  headerBytes: number,
  end: number,
): unknown {
  const lines: string[] = [];
  lines.push(`return class ${eventName}Flyweight {`);
  lines.push(`  constructor(buffer) {`);
  for (const v of ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'f64']) {
    const ctor = {
      u8: 'Uint8Array',
      i8: 'Int8Array',
      u16: 'Uint16Array',
      i16: 'Int16Array',
      u32: 'Uint32Array',
      i32: 'Int32Array',
      f32: 'Float32Array',
      f64: 'Float64Array',
    }[v];
    lines.push(`    this.$${v} = new ${ctor}(buffer, 0, Math.floor(buffer.byteLength / ${ctor}.BYTES_PER_ELEMENT));`);
  }
  lines.push(`    this.$base = 0;`);
  lines.push(`  }`);
  lines.push(`  $wrap(byteOffset) { this.$base = byteOffset; return this; }`);
  lines.push(`  get $timestamp() { return ${index('f64', tsOffset, 8)}; }`);
  lines.push(`  set $timestamp(v) { ${index('f64', tsOffset, 8)} = v; }`);
  lines.push(`  get $kind() { return ${index('u32', kindOffset, 4)}; }`);
  lines.push(`  set $kind(v) { ${index('u32', kindOffset, 4)} = v; }`);
  lines.push(`  get $aux() { return ${index('u32', auxOffset, 4)}; }`);
  lines.push(`  set $aux(v) { ${index('u32', auxOffset, 4)} = v; }`);
  lines.push(`  $bytes() { return this.$u8.subarray(this.$base + ${headerBytes}, this.$base + ${end}); }`);
  const write: string[] = [];
  const toObject: string[] = [];
  for (const f of fields) {
    const n = f.name;
    if (f.type === 'ascii') {
      lines.push(
        `  get ${n}() { const b = this.$u8, o = this.$base + ${f.offset}; let s = ''; for (let i = 0; i < ${f.length}; i++) { const c = b[o + i]; if (c === 0) break; s += String.fromCharCode(c); } return s; }`,
      );
      lines.push(
        `  set ${n}(v) { const b = this.$u8, o = this.$base + ${f.offset}; const n = v.length; for (let i = 0; i < ${f.length}; i++) b[o + i] = i < n ? v.charCodeAt(i) : 0; }`,
      );
    } else if (f.type === 'bytes') {
      lines.push(
        `  get ${n}() { return this.$u8.subarray(this.$base + ${f.offset}, this.$base + ${f.offset + f.length!}); }`,
      );
      lines.push(
        `  set ${n}(v) { const o = this.$base + ${f.offset}; this.$u8.fill(0, o, o + ${f.length}); this.$u8.set(v, o); }`,
      );
    } else if (f.type === 'bool') {
      lines.push(`  get ${n}() { return ${index('u8', f.offset, 1)} !== 0; }`);
      lines.push(`  set ${n}(v) { ${index('u8', f.offset, 1)} = v ? 1 : 0; }`);
    } else {
      const info = SCALARS[f.type as ScalarFieldType];
      lines.push(`  get ${n}() { return ${index(info.view, f.offset, info.size)}; }`);
      lines.push(`  set ${n}(v) { ${index(info.view, f.offset, info.size)} = v; }`);
    }
    const src = f.hasDefault ? `(v.${n} === undefined ? d.${n} : v.${n})` : `v.${n}`;
    write.push(`this.${n} = ${src};`);
    toObject.push(`${n}: ${f.type === 'bytes' ? `Uint8Array.from(this.${n})` : `this.${n}`}`);
  }
  lines.push(`  $write(v) { ${write.join(' ')} }`);
  lines.push(
    `  $resetTransient() { ${fields
      .filter((f) => f.transient)
      .map((f) => `this.${f.name} = d.${f.name};`)
      .join(' ')} }`,
  );
  lines.push(`  $toObject() { return { ${toObject.join(', ')} }; }`);
  lines.push(`}`);
  const defaults: Record<string, unknown> = {};
  for (const f of fields) if (f.hasDefault) defaults[f.name] = f.defaultValue;

  return new Function('d', lines.join('\n'))(defaults);
}

/** Builds `validate(values)`. Messages name the event, the field, the expected range and the value. */
export function generateValidator(
  eventName: string,
  fields: readonly FieldLayout[],
): (values: Record<string, unknown>) => void {
  const known = new Set(fields.map((f) => f.name));
  const lines: string[] = [];
  lines.push(`return function validate${eventName}(v) {`);
  lines.push(
    `  if (typeof v !== 'object' || v === null) fail('RINGBUS_ERR_FIELD_TYPE', 'T', '(event)', 'an object of field values', v);`,
  );
  for (const f of fields) {
    const n = f.name;
    const get = `v.${n}`;
    const missing = f.hasDefault
      ? `if (x !== undefined) {`
      : `if (x === undefined) fail('RINGBUS_ERR_FIELD_MISSING', 'T', '${n}', 'present', x); {`;
    lines.push(`  { const x = ${get}; ${missing}`);
    if (f.type === 'ascii') {
      lines.push(
        `    if (typeof x !== 'string') fail('RINGBUS_ERR_FIELD_TYPE', 'T', '${n}', 'a string (ascii[${f.length}])', x);`,
      );
      lines.push(
        `    if (x.length > ${f.length}) fail('RINGBUS_ERR_FIELD_TOO_LONG', 'R', '${n}', 'at most ${f.length} characters', x);`,
      );
      lines.push(
        `    for (let i = 0; i < x.length; i++) if (x.charCodeAt(i) > 127 || x.charCodeAt(i) === 0) fail('RINGBUS_ERR_FIELD_NOT_ASCII', 'R', '${n}', '7-bit ASCII without NUL (bad character at index ' + i + ')', x);`,
      );
    } else if (f.type === 'bytes') {
      lines.push(
        `    if (!(x instanceof Uint8Array)) fail('RINGBUS_ERR_FIELD_TYPE', 'T', '${n}', 'a Uint8Array (bytes[${f.length}])', x);`,
      );
      lines.push(
        `    if (x.length > ${f.length}) fail('RINGBUS_ERR_FIELD_TOO_LONG', 'R', '${n}', 'at most ${f.length} bytes', x);`,
      );
    } else if (f.type === 'bool') {
      lines.push(`    if (typeof x !== 'boolean') fail('RINGBUS_ERR_FIELD_TYPE', 'T', '${n}', 'a boolean', x);`);
    } else {
      const info = SCALARS[f.type as ScalarFieldType];
      lines.push(
        `    if (typeof x !== 'number') fail('RINGBUS_ERR_FIELD_TYPE', 'T', '${n}', 'a number (${f.type})', x);`,
      );
      if (info.float) {
        if (!f.nonFinite)
          lines.push(
            `    if (!Number.isFinite(x)) fail('RINGBUS_ERR_FIELD_NOT_FINITE', 'R', '${n}', 'a finite number (${f.type})', x);`,
          );
        if (f.type === 'f32')
          lines.push(
            `    if (Number.isFinite(x) && !Number.isFinite(Math.fround(x))) fail('RINGBUS_ERR_FIELD_RANGE', 'R', '${n}', 'within the f32 range', x);`,
          );
      } else {
        lines.push(
          `    if (!Number.isInteger(x) || x < ${info.min} || x > ${info.max}) fail('RINGBUS_ERR_FIELD_RANGE', 'R', '${n}', 'an integer in [${info.min}, ${info.max}] (${f.type})', x);`,
        );
      }
    }
    lines.push(`  } }`);
  }
  lines.push(
    `  for (const k in v) if (!known.has(k)) fail('RINGBUS_ERR_UNKNOWN_FIELD', 'T', k, 'a field of the schema (${[...known].join(', ')})', v[k]);`,
  );
  lines.push(`};`);
  const fail = (code: string, kind: string, field: string, expected: string, value: unknown): never => {
    const message = `${eventName}.${field} must be ${expected}, got ${show(value)}`;
    throw kind === 'R' ? new RingbusRangeError(code as never, message) : new RingbusTypeError(code as never, message);
  };

  return new Function('fail', 'known', lines.join('\n'))(fail, known) as (values: Record<string, unknown>) => void;
}
