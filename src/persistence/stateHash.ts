/**
 * Deterministic digests of handler state, to prove that a live run, a recovery and a replay reach
 * the same state.
 *
 * Canonical JSON = exactly what a JSON snapshot keeps, written in one order:
 *   - object keys sorted (by UTF-16 code units); keys whose value is undefined are left out
 *     (as JSON.stringify does); arrays keep their order, undefined items become null;
 *   - numbers as JSON writes them; -0 is written 0 (JSON turns -0 into 0, so a restored state
 *     would otherwise hash differently);
 *   - a value with toJSON() (Date) is replaced by its result, as JSON.stringify does;
 *   - values a JSON snapshot would lose or change silently are REJECTED with
 *     RINGBUS_ERR_STATE_NOT_CANONICAL naming the path: Map, Set, WeakMap, WeakSet, NaN, ±Infinity,
 *     BigInt, functions, symbols, cycles. Convert Maps to sorted arrays of entries in snapshot().
 * So `hashState(state) === hashState(JSON.parse(JSON.stringify(state)))` for every accepted state.
 *
 * Allocates (strings); call it off the hot path.
 */
import { createHash } from 'node:crypto';
import { RingbusError, RingbusTypeError, show } from '../errors.js';

function reject(path: string, what: string): never {
  throw new RingbusError(
    'RINGBUS_ERR_STATE_NOT_CANONICAL',
    `state at ${path} is ${what}; canonical JSON (snapshots, state hashes) cannot carry it faithfully`,
  );
}

function write(value: unknown, path: string, key: string, out: string[], stack: Set<object>): void {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(k: string): unknown }).toJSON(key);
  }
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) reject(path, `the number ${show(value)}`);
      out.push(value === 0 ? '0' : JSON.stringify(value));
      return;
    case 'bigint':
      return reject(path, `the BigInt ${show(value)}`);
    case 'function':
      return reject(path, 'a function');
    case 'symbol':
      return reject(path, 'a symbol');
    case 'undefined':
      reject(path, 'undefined');
  }
  if (value === null) {
    out.push('null');
    return;
  }
  const obj = value as object;
  if (obj instanceof Map || obj instanceof Set || obj instanceof WeakMap || obj instanceof WeakSet) {
    reject(path, `a ${obj.constructor.name} (JSON writes it as {}); convert it to an array or a plain object`);
  }
  if (stack.has(obj)) reject(path, 'a cycle back to an enclosing object');
  stack.add(obj);
  if (Array.isArray(obj)) {
    out.push('[');
    for (let i = 0; i < obj.length; i++) {
      if (i > 0) out.push(',');
      const item: unknown = obj[i];
      if (item === undefined) out.push('null');
      else write(item, `${path}[${i}]`, String(i), out, stack);
    }
    out.push(']');
  } else {
    const keys = Object.keys(obj).sort();
    out.push('{');
    let first = true;
    for (const k of keys) {
      const v: unknown = (obj as Record<string, unknown>)[k];
      if (v === undefined) continue;
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(k), ':');
      write(v, `${path}.${k}`, k, out, stack);
    }
    out.push('}');
  }
  stack.delete(obj);
}

/** The canonical JSON text of `value` (see the module comment). */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, '$', '', out, new Set());
  return out.join('');
}

/** sha256 hex of canonicalJson(value). */
export function hashState(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/**
 * One digest for a whole bus: sha256 over `"name"=hash\n` lines (name JSON-quoted) sorted by handler name, so the
 * result does not depend on the order handlers report in.
 */
export function combineStateHashes(hashes: Readonly<Record<string, string>>): string {
  if (typeof hashes !== 'object' || hashes === null)
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `hashes must be an object of handler name → hex digest, got ${show(hashes)}`,
    );
  const names = Object.keys(hashes).sort();
  const h = createHash('sha256');
  for (const name of names) {
    const hex = hashes[name];
    if (typeof hex !== 'string' || !/^[0-9a-f]+$/.test(hex)) {
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `hashes[${show(name)}] must be a lower-case hex digest, got ${show(hex)}`,
      );
    }
    h.update(`${JSON.stringify(name)}=${hex}\n`);
  }
  return h.digest('hex');
}
