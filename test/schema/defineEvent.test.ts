import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  defineEvent,
  RingBuffer,
  SLOT_HEADER_BYTES,
  type FieldsInput,
  type FieldSpec,
  type Flyweight,
} from '../../src/index.js';

const ALL: Record<string, FieldSpec> = {
  a_u8: 'u8',
  b_i8: 'i8',
  c_u16: 'u16',
  d_i16: 'i16',
  e_u32: 'u32',
  f_i32: 'i32',
  g_f32: 'f32',
  h_f64: 'f64',
  i_i53: 'i53',
  j_bool: 'bool',
  k_ascii: { type: 'ascii', length: 6 },
  l_bytes: { type: 'bytes', length: 5 },
};
const All = defineEvent('All', ALL);

/** Writes `values` through a fresh flyweight over a one-slot buffer and reads every field back. */
function roundTrip(values: Record<string, unknown>): Record<string, unknown> {
  const buffer = new SharedArrayBuffer(All.slotSize * 2);
  const w = new All.Flyweight(buffer).$wrap(All.slotSize); // the second slot: offsets are honoured
  w.$write(values);
  return new All.Flyweight(buffer).$wrap(All.slotSize).$toObject();
}

const low = {
  a_u8: 0,
  b_i8: -128,
  c_u16: 0,
  d_i16: -32768,
  e_u32: 0,
  f_i32: -(2 ** 31),
  g_f32: -3.4028234663852886e38,
  h_f64: -Number.MAX_VALUE,
  i_i53: -(2 ** 53 - 1),
  j_bool: false,
  k_ascii: '',
  l_bytes: new Uint8Array(0),
};
const high = {
  a_u8: 255,
  b_i8: 127,
  c_u16: 65535,
  d_i16: 32767,
  e_u32: 2 ** 32 - 1,
  f_i32: 2 ** 31 - 1,
  g_f32: 3.4028234663852886e38,
  h_f64: Number.MAX_VALUE,
  i_i53: 2 ** 53 - 1,
  j_bool: true,
  k_ascii: '~~~~~~',
  l_bytes: new Uint8Array([255, 254, 253, 252, 251]),
};

describe('defineEvent field types', () => {
  it('should round-trip the lowest value of every field type', () => {
    All.validate(low);
    assert.deepEqual(roundTrip(low), { ...low, l_bytes: new Uint8Array(5) });
  });

  it('should round-trip the highest value of every field type', () => {
    All.validate(high);
    assert.deepEqual(roundTrip(high), high);
  });

  it('should round-trip ordinary values, rounding f32 like Math.fround', () => {
    const v = {
      a_u8: 7,
      b_i8: -7,
      c_u16: 1234,
      d_i16: -1234,
      e_u32: 3_000_000_000,
      f_i32: -123456789,
      g_f32: 0.1,
      h_f64: 0.1,
      i_i53: -4_503_599_627_370_497,
      j_bool: true,
      k_ascii: 'BTC/US',
      l_bytes: new Uint8Array([1, 2]),
    };
    All.validate(v);
    const back = roundTrip(v);
    assert.equal(back.g_f32, Math.fround(0.1));
    assert.notEqual(back.g_f32, 0.1);
    assert.equal(back.h_f64, 0.1);
    assert.equal(back.i_i53, -4_503_599_627_370_497);
    assert.deepEqual(back.l_bytes, new Uint8Array([1, 2, 0, 0, 0]), 'short bytes are zero-padded');
    assert.deepEqual({ ...back, g_f32: 0.1, l_bytes: v.l_bytes }, v);
  });

  it('should accept f32 values that round to the largest f32 and keep -0, tiny and subnormal values', () => {
    const F = defineEvent('F', { x: 'f32', y: 'f64' });
    F.validate({ x: 3.4028235e38, y: 0 }); // the usual FLT_MAX literal, a hair above the exact value
    const buffer = new SharedArrayBuffer(F.slotSize);
    const f = new F.Flyweight(buffer).$wrap(0);
    f.x = 3.4028235e38;
    assert.equal(f.x, 3.4028234663852886e38);
    f.x = -0;
    assert.ok(Object.is(f.x, -0));
    f.x = 1e-45;
    assert.equal(f.x, Math.fround(1e-45));
    f.y = Number.MIN_VALUE;
    assert.equal(f.y, Number.MIN_VALUE);
  });

  it('should overwrite a longer ascii value with a shorter one completely', () => {
    const buffer = new SharedArrayBuffer(All.slotSize);
    const f = new All.Flyweight(buffer).$wrap(0);
    f.k_ascii = 'ABCDEF';
    f.k_ascii = 'XY';
    assert.equal(f.k_ascii, 'XY');
    f.l_bytes = new Uint8Array([9, 9, 9, 9, 9]);
    f.l_bytes = new Uint8Array([1]);
    assert.deepEqual([...(f.l_bytes as Uint8Array)], [1, 0, 0, 0, 0]);
  });

  it('should read and write the slot header through $timestamp, $kind and $aux', () => {
    const buffer = new SharedArrayBuffer(All.slotSize);
    const f = new All.Flyweight(buffer).$wrap(0);
    f.$timestamp = 123456.5;
    f.$kind = 2;
    f.$aux = 0xffffffff;
    assert.deepEqual([f.$timestamp, f.$kind, f.$aux], [123456.5, 2, 0xffffffff]);
    f.a_u8 = 1;
    assert.deepEqual(f.$timestamp, 123456.5, 'fields never overlap the header');
    assert.equal(f.$bytes().length, All.payloadSize);
  });
});

describe('defineEvent layout', () => {
  it('should align every scalar field on its own size, after the slot header, without overlaps', () => {
    const fields = [...All.fields].sort((x, y) => x.offset - y.offset);
    let end = SLOT_HEADER_BYTES;
    for (const f of fields) {
      if (f.type !== 'ascii' && f.type !== 'bytes')
        assert.equal(f.offset % f.size, 0, `${f.name} at ${f.offset} (size ${f.size})`);
      assert.ok(f.offset >= end, `${f.name} overlaps the field before it`);
      end = f.offset + f.size;
    }
    assert.equal(All.payloadSize, end - SLOT_HEADER_BYTES);
    assert.equal(All.slotSize % 8, 0);
    assert.ok(All.slotSize >= end && All.slotSize < end + 8);
  });

  it('should keep fields in declaration order in `fields` whatever the layout order', () => {
    assert.deepEqual(
      All.fields.map((f) => f.name),
      Object.keys(ALL),
    );
  });

  it('should align fields declared smallest first as well', () => {
    const E = defineEvent('E', { a: 'u8', b: 'u16', c: 'u32', d: 'f64', e: 'bool', f: 'i53', g: 'i16' });
    for (const f of E.fields) assert.equal(f.offset % f.size, 0, f.name);
  });
});

describe('defineEvent fingerprint', () => {
  const base: FieldsInput = { id: 'i53', px: 'f64', sym: { type: 'ascii', length: 8 } };

  it('should give the same 8-hex-digit fingerprint for the same definition, in object or pair form', () => {
    const a = defineEvent('Q', base);
    const b = defineEvent('Q', { ...base });
    const c = defineEvent('Q', [
      ['id', 'i53'],
      ['px', 'f64'],
      ['sym', { type: 'ascii', length: 8 }],
    ]);
    assert.match(a.fingerprint, /^[0-9a-f]{8}$/);
    assert.equal(a.fingerprint, b.fingerprint);
    assert.equal(a.fingerprint, c.fingerprint);
    assert.equal(a.fingerprintValue, Number.parseInt(a.fingerprint, 16));
  });

  it('should change the fingerprint when the name, a field name, a type, a length, the order or nonFinite changes', () => {
    const ref = defineEvent('Q', base).fingerprint;
    const variants: Array<[string, FieldsInput]> = [
      ['R', base],
      ['Q', { ident: 'i53', px: 'f64', sym: { type: 'ascii', length: 8 } }],
      ['Q', { id: 'i53', px: 'f32', sym: { type: 'ascii', length: 8 } }],
      ['Q', { id: 'i53', px: 'f64', sym: { type: 'ascii', length: 9 } }],
      ['Q', { id: 'i53', px: 'f64', sym: { type: 'bytes', length: 8 } }],
      ['Q', { px: 'f64', id: 'i53', sym: { type: 'ascii', length: 8 } }],
      ['Q', { id: 'i53', px: { type: 'f64', nonFinite: true }, sym: { type: 'ascii', length: 8 } }],
      ['Q', { id: 'i53', px: 'f64', sym: { type: 'ascii', length: 8 }, extra: 'u8' }],
    ];
    const seen = new Set([ref]);
    for (const [name, fields] of variants) {
      const fp = defineEvent(name, fields).fingerprint;
      assert.notEqual(fp, ref, `${name} ${JSON.stringify(fields)}`);
      seen.add(fp);
    }
    assert.equal(seen.size, variants.length + 1, 'every variant has its own fingerprint');
  });

  it('should rebuild the same type from `definition`, also after a structured clone', () => {
    const E = defineEvent('Q', { ...base, flag: { type: 'bool', default: false } });
    const again = defineEvent(E.definition.name, E.definition.fields);
    const cloned = structuredClone(E.definition);
    const fromClone = defineEvent(cloned.name, cloned.fields);
    for (const t of [again, fromClone]) {
      assert.equal(t.fingerprint, E.fingerprint);
      assert.equal(t.slotSize, E.slotSize);
      assert.deepEqual(t.fields, E.fields);
    }
  });

  it('should freeze the returned type and its definition', () => {
    const E = defineEvent('Q', base);
    assert.ok(Object.isFrozen(E));
    assert.ok(Object.isFrozen(E.definition));
    assert.ok(Object.isFrozen(E.fields));
  });
});

describe('defineEvent defaults', () => {
  interface D extends Flyweight {
    qty: number;
    tif: string;
    live: boolean;
    px: number;
  }
  const D = defineEvent<D>('D', {
    qty: { type: 'u32', default: 1 },
    tif: { type: 'ascii', length: 3, default: 'GTC' },
    live: { type: 'bool', default: true },
    px: 'f64',
  });

  it('should fill missing fields from their defaults on publish and let given values win', () => {
    const r = new RingBuffer<D>({ capacity: 4, event: D });
    r.publishEvent({ px: 5 });
    r.publishEvent({ px: 6, qty: 9, tif: 'IOC', live: false });
    assert.deepEqual(r.get(0).$toObject(), { qty: 1, tif: 'GTC', live: true, px: 5 });
    assert.deepEqual(r.get(1).$toObject(), { qty: 9, tif: 'IOC', live: false, px: 6 });
  });

  it('should still require fields without a default', () => {
    assert.throws(() => D.validate({ qty: 2 }), { code: 'RINGBUS_ERR_FIELD_MISSING' });
  });

  it('should reject a default that its own field would reject, naming the field', () => {
    const bad: Array<[FieldSpec, string]> = [
      [{ type: 'u8', default: 256 }, '256'],
      [{ type: 'i32', default: 1.5 }, '1.5'],
      [{ type: 'ascii', length: 2, default: 'abc' }, '"abc"'],
      [{ type: 'bool', default: 1 as never }, '1'],
      [{ type: 'f64', default: Number.NaN }, 'NaN'],
    ];
    for (const [spec, value] of bad) {
      assert.throws(
        () => defineEvent('B', { x: spec }),
        (e: unknown) =>
          e instanceof RangeError &&
          (e as { code?: string }).code === 'RINGBUS_ERR_INVALID_SCHEMA' &&
          (e as Error).message.includes('"x"') &&
          (e as Error).message.includes(value),
      );
    }
    assert.doesNotThrow(() => defineEvent('B', { x: { type: 'f64', default: Number.NaN, nonFinite: true } }));
  });
});

describe('defineEvent schema errors', () => {
  function schemaError(code: string, cls: ErrorConstructor, mention: string) {
    return (e: unknown): boolean =>
      e instanceof cls && (e as { code?: string }).code === code && (e as Error).message.includes(mention);
  }

  it('should reject an unknown field type with RINGBUS_ERR_UNKNOWN_FIELD_TYPE naming the field and the type', () => {
    assert.throws(
      () => defineEvent('X', { a: 'u64' as never }),
      schemaError('RINGBUS_ERR_UNKNOWN_FIELD_TYPE', TypeError, '"u64"'),
    );
    assert.throws(
      () => defineEvent('X', { a: { type: 'string' } as never }),
      schemaError('RINGBUS_ERR_UNKNOWN_FIELD_TYPE', TypeError, '"a"'),
    );
    assert.throws(
      () => defineEvent('X', { a: 42 as never }),
      schemaError('RINGBUS_ERR_UNKNOWN_FIELD_TYPE', TypeError, '42'),
    );
    assert.throws(
      () => defineEvent('X', { a: null as never }),
      schemaError('RINGBUS_ERR_UNKNOWN_FIELD_TYPE', TypeError, 'null'),
    );
    assert.throws(
      () => defineEvent('X', { a: 'toString' as never }),
      schemaError('RINGBUS_ERR_UNKNOWN_FIELD_TYPE', TypeError, '"toString"'),
    );
  });

  it('should reject a field named twice with RINGBUS_ERR_DUPLICATE_FIELD naming it', () => {
    assert.throws(
      () =>
        defineEvent('X', [
          ['a', 'u8'],
          ['a', 'u8'],
        ]),
      schemaError('RINGBUS_ERR_DUPLICATE_FIELD', TypeError, '"a"'),
    );
    assert.throws(
      () =>
        defineEvent('X', [
          ['a', 'u8'],
          ['b', 'i8'],
          ['a', 'f64'],
        ]),
      schemaError('RINGBUS_ERR_DUPLICATE_FIELD', TypeError, '"a"'),
    );
  });

  it('should reject bad event and field names with RINGBUS_ERR_INVALID_SCHEMA naming them', () => {
    for (const name of ['', '1abc', 'a-b', 'a b', 'x'.repeat(65), 42 as never]) {
      assert.throws(
        () => defineEvent(name, { a: 'u8' }),
        schemaError('RINGBUS_ERR_INVALID_SCHEMA', TypeError, 'event name'),
      );
    }
    for (const field of ['', '$base', 'a-b', '9a', 'constructor', '__proto__', 'toString', 'x'.repeat(65)]) {
      assert.throws(
        () => defineEvent('X', [[field, 'u8']]),
        schemaError(
          'RINGBUS_ERR_INVALID_SCHEMA',
          TypeError,
          JSON.stringify(field.length > 64 ? field.slice(0, 64) + '…' : field),
        ),
      );
    }
  });

  it('should reject malformed field lists and lengths with RINGBUS_ERR_INVALID_SCHEMA', () => {
    assert.throws(() => defineEvent('X', {}), schemaError('RINGBUS_ERR_INVALID_SCHEMA', TypeError, 'no fields'));
    assert.throws(() => defineEvent('X', null as never), schemaError('RINGBUS_ERR_INVALID_SCHEMA', TypeError, 'null'));
    assert.throws(
      () => defineEvent('X', [['a']] as never),
      schemaError('RINGBUS_ERR_INVALID_SCHEMA', TypeError, '["a"]'),
    );
    for (const length of [0, -1, 1.5, 65537, undefined]) {
      assert.throws(
        () => defineEvent('X', { s: { type: 'ascii', length } as never }),
        schemaError('RINGBUS_ERR_INVALID_SCHEMA', TypeError, String(length)),
      );
      assert.throws(
        () => defineEvent('X', { s: { type: 'bytes', length } as never }),
        schemaError('RINGBUS_ERR_INVALID_SCHEMA', TypeError, 'length'),
      );
    }
    assert.throws(
      () => defineEvent('X', { n: { type: 'u32', nonFinite: true } }),
      schemaError('RINGBUS_ERR_INVALID_SCHEMA', TypeError, 'nonFinite'),
    );
  });

  it("should accept field names that shadow the generated code's own locals", () => {
    const E = defineEvent('Locals', {
      v: 'u8',
      d: 'u16',
      x: 'u32',
      n: { type: 'ascii', length: 2 },
      b: 'i8',
      o: 'f64',
      i: { type: 'bytes', length: 2, default: new Uint8Array([4]) },
      fail: 'bool',
      known: 'i53',
    });
    const r = new RingBuffer({ capacity: 2, event: E });
    const values = { v: 1, d: 2, x: 3, n: 'ab', b: -4, o: 0.5, fail: true, known: 2 ** 40 };
    r.publishEvent(values);
    assert.deepEqual(r.get(0).$toObject(), { ...values, i: new Uint8Array([4, 0]) });
    assert.throws(
      () => E.validate({ ...values, x: -1 }),
      (e: unknown) => (e as Error).message.includes('Locals.x'),
    );
  });
});
