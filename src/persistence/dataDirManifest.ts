/**
 * `<dataDir>/manifest.json`: what a data directory holds, so that tools (`ringbus journal cat`,
 * replay) can decode it without the application's code.
 *
 *   {
 *     "formatVersion": 1,
 *     "event": { "name": "Order", "fields": [["id", "i53"], ["symbol", { "type": "ascii", "length": 8 }]] },
 *     "fingerprint": "1a2b3c4d",            // defineEvent(event.name, event.fields).fingerprint
 *     "handlers": [{ "name": "risk", ... }],  // free-form per handler; "name" required
 *     "createdAt": "2024-01-01T00:00:00.000Z",
 *     "checksum": "crc32c:89abcdef"          // over the rest, see below
 *   }
 *
 * `checksum` is the CRC32C of JSON.stringify(<every other property, in order>, null, 2): schema,
 * wiring and handler options change what a replay rebuilds, so any edit (one digit of a risk
 * limit) is refused with RINGBUS_ERR_DATA_DIR_MANIFEST by start() and replay. Format version 1
 * manifests (no checksum) are refused the same way.
 *
 * `event` is EventDefinition (src/schema/defineEvent.ts) as JSON; a `bytes` field default
 * (Uint8Array) is stored as { "$hex": "..." } and restored on read. Written atomically.
 *
 * Wiring: on start, `readManifest(dir)`: null → `writeManifest(dir, { event: Order.definition,
 * handlers })`; otherwise compare `.fingerprint` with the current schema's (a different one needs
 * upcasters for the journal, see JournalReader).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RingbusError, RingbusTypeError, show } from '../errors.js';
import { defineEvent, type EventDefinition } from '../schema/defineEvent.js';
import { crc32c } from './crc32c.js';
import { ensureDirectory, writeFileAtomicSync } from './fsUtil.js';

const CHECKSUM_PREFIX = 'crc32c:';

function checksumOf(body: string): string {
  const bytes = new TextEncoder().encode(body);
  return CHECKSUM_PREFIX + crc32c(bytes, 0, bytes.length).toString(16).padStart(8, '0');
}

/** Manifest format version. */
export const DATA_DIR_MANIFEST_VERSION = 2;
/** File name inside the data directory. */
export const DATA_DIR_MANIFEST_NAME = 'manifest.json';

/** One handler as the manifest lists it. */
export interface ManifestHandler {
  readonly name: string;
  readonly [key: string]: unknown;
}

export interface DataDirManifest {
  readonly formatVersion: number;
  readonly event: EventDefinition;
  readonly fingerprint: string;
  readonly handlers: readonly ManifestHandler[];
  readonly createdAt: string;
}

function bad(path: string, message: string): RingbusError {
  return new RingbusError('RINGBUS_ERR_DATA_DIR_MANIFEST', `data directory manifest ${path}: ${message}`);
}

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array
    ? { $hex: Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex') }
    : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as { $hex?: unknown }).$hex === 'string'
  ) {
    return new Uint8Array(Buffer.from((value as { $hex: string }).$hex, 'hex'));
  }
  return value;
}

/** Writes `<dataDir>/manifest.json` atomically (fingerprint computed from the event definition); returns what it wrote. */
export function writeManifest(
  dataDir: string,
  input: { event: EventDefinition; handlers?: readonly ManifestHandler[]; createdAt?: string },
): DataDirManifest {
  if (typeof input !== 'object' || input === null)
    throw new RingbusTypeError('RINGBUS_ERR_INVALID_OPTION', `manifest input must be an object, got ${show(input)}`);
  const event = input.event;
  if (typeof event !== 'object' || event === null || typeof event.name !== 'string' || !Array.isArray(event.fields)) {
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `manifest event must be an EventDefinition { name, fields: [[name, spec], ...] } (EventType.definition), got ${show(event)}`,
    );
  }
  const handlers = input.handlers ?? [];
  for (const h of handlers) {
    if (typeof h !== 'object' || h === null || typeof h.name !== 'string')
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `manifest handlers must be objects with a name, got ${show(h)}`,
      );
  }
  const type = defineEvent(event.name, event.fields);
  const manifest: DataDirManifest = {
    formatVersion: DATA_DIR_MANIFEST_VERSION,
    event: { name: event.name, fields: event.fields.map(([n, spec]) => [n, spec] as const) },
    fingerprint: type.fingerprint,
    handlers: [...handlers],
    createdAt: input.createdAt ?? new Date().toISOString(),
  };
  ensureDirectory(dataDir);
  writeFileAtomicSync(
    join(dataDir, DATA_DIR_MANIFEST_NAME),
    new TextEncoder().encode(withChecksum(JSON.stringify(manifest, replacer, 2)) + '\n'),
  );
  return manifest;
}

/** The manifest text with its checksum as the last property. */
function withChecksum(body: string): string {
  const plain = JSON.parse(body) as Record<string, unknown>;
  return JSON.stringify({ ...plain, checksum: checksumOf(body) }, null, 2);
}

/**
 * Reads and checks `<dataDir>/manifest.json`: null when it does not exist;
 * RINGBUS_ERR_DATA_DIR_MANIFEST when it is not JSON, its checksum does not match (checked first),
 * it has another format version, lacks a field, or its fingerprint is not the one its event definition gives.
 */
export function readManifest(dataDir: string): DataDirManifest | null {
  const path = join(dataDir, DATA_DIR_MANIFEST_NAME);
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw bad(path, `not JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw bad(path, `expected an object, got ${show(raw)}`);
  const { checksum, ...rest } = raw as Record<string, unknown>;
  const body = JSON.stringify(rest, null, 2);
  const computed = checksumOf(body);
  if (checksum !== computed)
    throw bad(
      path,
      checksum === undefined
        ? `it has no "checksum" (format version ${show(rest.formatVersion)}; this build reads ${DATA_DIR_MANIFEST_VERSION}, which checksums schema, wiring and handler options)`
        : `checksum mismatch: it records ${show(checksum)}, its contents give ${computed} (the file was edited or damaged)`,
    );
  const m = JSON.parse(body, reviver) as Partial<DataDirManifest>;
  if (m.formatVersion !== DATA_DIR_MANIFEST_VERSION)
    throw bad(path, `format version ${show(m.formatVersion)}, this build reads ${DATA_DIR_MANIFEST_VERSION}`);
  const event = m.event;
  if (typeof event !== 'object' || event === null || typeof event.name !== 'string' || !Array.isArray(event.fields))
    throw bad(path, `"event" must be { name, fields }, got ${show(event)}`);
  if (typeof m.fingerprint !== 'string')
    throw bad(path, `"fingerprint" must be 8 hex digits, got ${show(m.fingerprint)}`);
  if (!Array.isArray(m.handlers)) throw bad(path, `"handlers" must be an array, got ${show(m.handlers)}`);
  let fingerprint: string;
  try {
    fingerprint = defineEvent(event.name, event.fields).fingerprint;
  } catch (err) {
    throw bad(path, `its event definition is invalid: ${(err as Error).message}`);
  }
  if (fingerprint !== m.fingerprint)
    throw bad(path, `records fingerprint ${m.fingerprint}, but its event definition gives ${fingerprint}`);
  return {
    formatVersion: m.formatVersion,
    event,
    fingerprint,
    handlers: m.handlers,
    createdAt: String(m.createdAt ?? ''),
  };
}
