import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ERROR_CODES,
  RingbusError,
  RingbusRangeError,
  RingbusTypeError,
  show,
  type RingbusErrorCode,
} from '../src/errors.js';

// dist/test/errors.test.js → docs/errors.md at the repository root
const docsUrl = new URL('../../docs/errors.md', import.meta.url);
const codes = Object.keys(ERROR_CODES) as RingbusErrorCode[];

function documentedHeadings(): string[] {
  const text = readFileSync(docsUrl, 'utf8');
  return [...text.matchAll(/^## (RINGBUS_ERR_[A-Z0-9_]+)\s*$/gm)].map((m) => m[1]!);
}

/** The text of the section under `## code`, up to the next `## ` heading. */
function section(code: string): string {
  const text = readFileSync(docsUrl, 'utf8');
  const start = text.indexOf(`\n## ${code}\n`);
  const rest = text.slice(start + code.length + 5);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('error documentation', () => {
  it('should have a "## CODE" section in docs/errors.md for every code in ERROR_CODES', () => {
    const headings = new Set(documentedHeadings());
    const missing = codes.filter((c) => !headings.has(c));
    assert.deepEqual(missing, [], `undocumented codes: ${missing.join(', ')}`);
  });

  it('should document no code that ERROR_CODES lacks, and each code once', () => {
    const headings = documentedHeadings();
    const unknown = headings.filter((h) => !(h in ERROR_CODES));
    assert.deepEqual(unknown, [], `docs/errors.md documents unknown codes: ${unknown.join(', ')}`);
    const twice = headings.filter((h, i) => headings.indexOf(h) !== i);
    assert.deepEqual(twice, [], `documented more than once: ${twice.join(', ')}`);
  });

  it('should say in every section what the code means, its class, what throws it and how to fix it', () => {
    for (const code of codes) {
      const body = section(code);
      for (const label of ['**Meaning:**', '**Class:**', '**Thrown by:**', '**Fix:**']) {
        assert.ok(body.includes(label), `section ${code} lacks ${label}`);
      }
    }
  });

  it('should give every code a one-line meaning in ERROR_CODES', () => {
    for (const code of codes) {
      assert.match(code, /^RINGBUS_ERR_[A-Z0-9_]+$/);
      assert.equal(typeof ERROR_CODES[code], 'string');
      assert.ok(ERROR_CODES[code].length > 10, code);
    }
  });
});

describe('error classes', () => {
  const classes: Array<
    [new (code: RingbusErrorCode, message: string, options?: { cause?: unknown }) => Error, ErrorConstructor, string]
  > = [
    [RingbusTypeError, TypeError, 'TypeError'],
    [RingbusRangeError, RangeError, 'RangeError'],
    [RingbusError, Error, 'Error'],
  ];

  for (const [Cls, Base, baseName] of classes) {
    it(`should make ${Cls.name} a ${baseName} carrying its code, with the code in its name`, () => {
      for (const code of codes) {
        const err = new Cls(code, `something about ${code}`) as Error & { code: string };
        assert.ok(err instanceof Cls);
        assert.ok(err instanceof Base);
        assert.ok(err instanceof Error);
        assert.equal(err.code, code);
        assert.equal(err.name, `${baseName} [${code}]`);
        assert.ok(err.name.includes(code));
        assert.equal(err.message, `something about ${code}`);
        assert.ok(err.stack!.includes(code), 'a stack trace shows the code');
        assert.ok(Object.keys(err).includes('code'), 'code is enumerable (shows in util.inspect and JSON)');
      }
    });

    it(`should keep the cause given to ${Cls.name}`, () => {
      const cause = new Error('root');
      const err = new Cls('RINGBUS_ERR_RECOVERY', 'wrapped', { cause });
      assert.equal(err.cause, cause);
    });
  }

  it('should keep the three classes apart', () => {
    const t = new RingbusTypeError('RINGBUS_ERR_FIELD_TYPE', 'x');
    const r = new RingbusRangeError('RINGBUS_ERR_FIELD_RANGE', 'x');
    const e = new RingbusError('RINGBUS_ERR_BUS_HALTED', 'x');
    assert.ok(!(t instanceof RangeError) && !(t instanceof RingbusError));
    assert.ok(!(r instanceof TypeError) && !(r instanceof RingbusError));
    assert.ok(!(e instanceof TypeError) && !(e instanceof RangeError));
  });
});

describe('show()', () => {
  it('should format values for error messages', () => {
    assert.equal(show('abc'), '"abc"');
    assert.equal(show('x'.repeat(70)), JSON.stringify('x'.repeat(64) + '…'));
    assert.equal(show(5n), '5n');
    assert.equal(show(-0), '-0');
    assert.equal(show(Number.NaN), 'NaN');
    assert.equal(show(-Infinity), '-Infinity');
    assert.equal(show(undefined), 'undefined');
    assert.equal(show(null), 'null');
    assert.equal(show(new Uint8Array(3)), 'Uint8Array(3)');
    assert.equal(
      show(() => 1),
      'function',
    );
    assert.equal(show({ a: [1, 'b'] }), '{"a":[1,"b"]}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(show(cyclic), '[object Object]');
    assert.equal(show(Symbol('s')), 'Symbol(s)');
  });
});
