import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defineEvent, RingBuffer, type Flyweight } from '../../src/index.js';

interface Trade extends Flyweight {
  id: number;
  px: number;
  spread: number;
  qty: number;
  level: number;
  delta: number;
  side: number;
  urgent: boolean;
  sym: string;
  blob: Uint8Array;
}
const Trade = defineEvent<Trade>('Trade', {
  id: 'i53',
  px: 'f64',
  spread: { type: 'f32', nonFinite: true },
  qty: 'u32',
  level: 'u16',
  delta: 'i32',
  side: 'i8',
  urgent: 'bool',
  sym: { type: 'ascii', length: 4 },
  blob: { type: 'bytes', length: 2 },
});

const valid = (): Record<string, unknown> => ({
  id: 1,
  px: 10.5,
  spread: 0.25,
  qty: 5,
  level: 2,
  delta: -3,
  side: -1,
  urgent: false,
  sym: 'ETH',
  blob: new Uint8Array([1, 2]),
});

type Case = [
  what: string,
  patch: Record<string, unknown>,
  code: string,
  cls: ErrorConstructor,
  field: string,
  shown: string,
];
const cases: Case[] = [
  ['an integer above its range', { qty: 2 ** 32 }, 'RINGBUS_ERR_FIELD_RANGE', RangeError, 'qty', '4294967296'],
  ['an integer below its range', { level: -1 }, 'RINGBUS_ERR_FIELD_RANGE', RangeError, 'level', '-1'],
  ['an i32 below -2^31', { delta: -(2 ** 31) - 1 }, 'RINGBUS_ERR_FIELD_RANGE', RangeError, 'delta', '-2147483649'],
  ['an i8 above 127', { side: 128 }, 'RINGBUS_ERR_FIELD_RANGE', RangeError, 'side', '128'],
  ['an i53 beyond 2^53 - 1', { id: 2 ** 53 }, 'RINGBUS_ERR_FIELD_RANGE', RangeError, 'id', '9007199254740992'],
  ['an i53 below -(2^53 - 1)', { id: -(2 ** 53) }, 'RINGBUS_ERR_FIELD_RANGE', RangeError, 'id', '-9007199254740992'],
  ['a non-integer for an integer field', { qty: 1.5 }, 'RINGBUS_ERR_FIELD_RANGE', RangeError, 'qty', '1.5'],
  ['NaN for an integer field', { level: Number.NaN }, 'RINGBUS_ERR_FIELD_RANGE', RangeError, 'level', 'NaN'],
  ['Infinity for an i53 field', { id: Infinity }, 'RINGBUS_ERR_FIELD_RANGE', RangeError, 'id', 'Infinity'],
  ['NaN for a float field', { px: Number.NaN }, 'RINGBUS_ERR_FIELD_NOT_FINITE', RangeError, 'px', 'NaN'],
  ['-Infinity for a float field', { px: -Infinity }, 'RINGBUS_ERR_FIELD_NOT_FINITE', RangeError, 'px', '-Infinity'],
  ['an f32 that overflows to infinity', { spread: 1e39 }, 'RINGBUS_ERR_FIELD_RANGE', RangeError, 'spread', '1e+39'],
  ['a string too long', { sym: 'BTCUSD' }, 'RINGBUS_ERR_FIELD_TOO_LONG', RangeError, 'sym', '"BTCUSD"'],
  ['bytes too long', { blob: new Uint8Array(3) }, 'RINGBUS_ERR_FIELD_TOO_LONG', RangeError, 'blob', 'Uint8Array(3)'],
  ['a non-ascii string', { sym: '€' }, 'RINGBUS_ERR_FIELD_NOT_ASCII', RangeError, 'sym', '"€"'],
  ['a string with NUL', { sym: 'a\0b' }, 'RINGBUS_ERR_FIELD_NOT_ASCII', RangeError, 'sym', 'index 1'],
  ['a missing field', { qty: undefined }, 'RINGBUS_ERR_FIELD_MISSING', TypeError, 'qty', 'undefined'],
  ['an unknown field', { venue: 'X' }, 'RINGBUS_ERR_UNKNOWN_FIELD', TypeError, 'venue', '"X"'],
  ['a string for a number', { qty: '5' }, 'RINGBUS_ERR_FIELD_TYPE', TypeError, 'qty', '"5"'],
  ['a bigint for a number', { id: 5n }, 'RINGBUS_ERR_FIELD_TYPE', TypeError, 'id', '5n'],
  ['null for a number', { px: null }, 'RINGBUS_ERR_FIELD_TYPE', TypeError, 'px', 'null'],
  ['a number for a bool', { urgent: 1 }, 'RINGBUS_ERR_FIELD_TYPE', TypeError, 'urgent', '1'],
  ['a number for a string', { sym: 42 }, 'RINGBUS_ERR_FIELD_TYPE', TypeError, 'sym', '42'],
  ['an array for bytes', { blob: [1, 2] }, 'RINGBUS_ERR_FIELD_TYPE', TypeError, 'blob', '[1,2]'],
];

function expectCoded(code: string, cls: ErrorConstructor, field: string, shown: string) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof cls, `expected a ${cls.name}, got ${String(e)}`);
    assert.equal((e as { code?: string }).code, code);
    const message = (e as Error).message;
    assert.ok(message.includes(`Trade.${field}`), `message ${JSON.stringify(message)} should name Trade.${field}`);
    assert.ok(message.includes(shown), `message ${JSON.stringify(message)} should show the value ${shown}`);
    return true;
  };
}

describe('event validation', () => {
  it('should accept a complete, in-range event', () => {
    assert.doesNotThrow(() => Trade.validate(valid()));
  });

  for (const [what, patch, code, cls, field, shown] of cases) {
    it(`should reject ${what} with ${code}, naming the field and the value`, () => {
      assert.throws(() => Trade.validate({ ...valid(), ...patch }), expectCoded(code, cls, field, shown));
    });
  }

  it('should reject something that is not an object with RINGBUS_ERR_FIELD_TYPE', () => {
    for (const v of [null, undefined, 5, 'x']) {
      assert.throws(
        () => Trade.validate(v as never),
        (e: unknown) => e instanceof TypeError && (e as { code?: string }).code === 'RINGBUS_ERR_FIELD_TYPE',
      );
    }
  });

  it('should allow NaN and infinities in a float field declared nonFinite, and round-trip them', () => {
    const r = new RingBuffer<Trade>({ capacity: 4, event: Trade });
    for (const spread of [Number.NaN, Infinity, -Infinity]) {
      const s = r.publishEvent({ ...valid(), spread });
      assert.ok(Object.is(r.get(s).spread, spread));
    }
  });

  it('should accept the boundary values of every integer type', () => {
    for (const patch of [
      { qty: 0 },
      { qty: 2 ** 32 - 1 },
      { level: 65535 },
      { delta: -(2 ** 31) },
      { delta: 2 ** 31 - 1 },
      { side: -128 },
      { side: 127 },
      { id: 2 ** 53 - 1 },
      { id: -(2 ** 53 - 1) },
      { sym: '' },
      { sym: 'ABCD' },
      { blob: new Uint8Array(0) },
      { blob: new Uint8Array(2) },
    ]) {
      assert.doesNotThrow(() => Trade.validate({ ...valid(), ...patch }), JSON.stringify(patch));
    }
  });
});

for (const producerType of ['single', 'multi'] as const) {
  describe(`publishEvent with an invalid value (${producerType} producer)`, () => {
    for (const [what, patch, code] of cases) {
      it(`should throw ${code} for ${what} before claiming a slot, then publish the next valid event in order`, () => {
        const r = new RingBuffer<Trade>({ capacity: 4, event: Trade, producerType });
        const consumer = r.newSequence();
        r.addGatingSequences(consumer);
        const barrier = r.newBarrier();
        const first = r.publishEvent({ ...valid(), id: 100 });
        const cursorBefore = r.getCursor();
        const roomBefore = r.remainingCapacity();
        assert.throws(() => r.publishEvent({ ...valid(), ...patch }), { code });
        assert.throws(() => r.tryPublishEvent({ ...valid(), ...patch }), { code });
        assert.throws(() => r.publishEventWithTimeout({ ...valid(), ...patch }, 0), { code });
        assert.throws(
          () =>
            r.publishEvents([
              { ...valid(), id: 7 },
              { ...valid(), ...patch },
            ]),
          { code },
        );
        assert.equal(r.getCursor(), cursorBefore, 'the cursor did not move');
        assert.equal(r.remainingCapacity(), roomBefore, 'no slot was taken');
        const second = r.publishEvent({ ...valid(), id: 200, sym: 'OK' });
        assert.equal(second, first + 1, 'the next valid publish gets the next sequence');
        assert.equal(barrier.waitFor(first), second, 'no hole: everything up to it is readable');
        assert.equal(r.get(first).id, 100);
        assert.deepEqual(r.get(second).$toObject(), { ...valid(), id: 200, sym: 'OK' });
      });
    }
  });
}
