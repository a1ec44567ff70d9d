/**
 * Writing and checking snapshot files (names and manifest shape in layout/SnapshotDescriptor.ts).
 * Shared by SnapshotStore (main thread) and snapshotTask (piscina worker). Cold path.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastJson from 'fast-json-stringify';
import { RingbusError, RingbusTypeError, show } from '../errors.js';
import {
  SNAPSHOT_DIR_NAME,
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_HANDLER_NAME_PATTERN,
  snapshotManifestFileName,
  snapshotStateFileName,
} from '../layout/SnapshotDescriptor.js';
import { crc32c } from './crc32c.js';
import { ensureDirectory, writeFileAtomicSync } from './fsUtil.js';
import { hashState } from './stateHash.js';

/** One handler's state file as its set's manifest lists it. */
export interface SnapshotEntry {
  readonly file: string;
  readonly length: number;
  readonly crc32c: number;
  /** hashState(state) when it was asked for. */
  readonly stateHash?: string;
}

/** A JSON schema for fast-json-stringify (an object; see that package's docs). */
export type StateSchema = Record<string, unknown>;

/** The manifest JSON. */
export interface SnapshotManifest {
  readonly formatVersion: number;
  readonly sequence: number;
  readonly createdAt: string;
  readonly handlers: Readonly<Record<string, SnapshotEntry>>;
}

const encoder = new TextEncoder();
const compiled = new Map<string, (doc: unknown) => string>();

/** `<dataDir>/snapshots`. */
export function snapshotDirectory(dataDir: string): string {
  return join(dataDir, SNAPSHOT_DIR_NAME);
}

export function checkSnapshotSequence(sequence: unknown): asserts sequence is number {
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 0) {
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `snapshot sequence must be a non-negative integer (the last sequence the state includes), got ${show(sequence)}`,
    );
  }
}

export function checkHandlerName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !SNAPSHOT_HANDLER_NAME_PATTERN.test(name)) {
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `snapshot handler name must match ${SNAPSHOT_HANDLER_NAME_PATTERN} (it becomes part of a file name), got ${show(name)}`,
    );
  }
}

/** JSON text of a state: fast-json-stringify when a schema is given (compiled once per schema text), else JSON.stringify. */
export function serializeState(state: unknown, schema?: StateSchema): string {
  if (schema === undefined) {
    const text = JSON.stringify(state);
    if (text === undefined)
      throw new RingbusError('RINGBUS_ERR_STATE_NOT_CANONICAL', `snapshot state ${show(state)} has no JSON form`);
    return text;
  }
  const key = JSON.stringify(schema);
  let stringify = compiled.get(key);
  if (stringify === undefined) {
    stringify = fastJson(schema as unknown as Parameters<typeof fastJson>[0]) as (doc: unknown) => string;
    compiled.set(key, stringify);
  }
  return stringify(state);
}

/** Writes one handler's state file atomically; returns its manifest entry. */
export function writeStateFile(
  dataDir: string,
  sequence: number,
  handlerName: string,
  state: unknown,
  schema?: StateSchema,
  hash?: boolean,
): SnapshotEntry {
  checkSnapshotSequence(sequence);
  checkHandlerName(handlerName);
  const bytes = encoder.encode(serializeState(state, schema));
  const dir = snapshotDirectory(dataDir);
  ensureDirectory(dir);
  const file = snapshotStateFileName(sequence, handlerName);
  writeFileAtomicSync(join(dir, file), bytes);
  const entry: SnapshotEntry = { file, length: bytes.length, crc32c: crc32c(bytes, 0, bytes.length) };
  return hash === true ? { ...entry, stateHash: hashState(state) } : entry;
}

/** Writes the manifest of the set at `sequence` atomically: the set is complete once this returns. Returns its path. */
export function writeManifestFile(
  dataDir: string,
  sequence: number,
  entries: Readonly<Record<string, SnapshotEntry>>,
): string {
  checkSnapshotSequence(sequence);
  if (typeof entries !== 'object' || entries === null)
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `snapshot entries must be an object of handler name → entry, got ${show(entries)}`,
    );
  const handlers: Record<string, SnapshotEntry> = {};
  for (const name of Object.keys(entries).sort()) {
    checkHandlerName(name);
    const e = entries[name]!;
    if (e.file !== snapshotStateFileName(sequence, name)) {
      throw new RingbusTypeError(
        'RINGBUS_ERR_INVALID_OPTION',
        `snapshot entry for ${show(name)} names file ${show(e.file)}, expected ${show(snapshotStateFileName(sequence, name))} (an entry from another sequence?)`,
      );
    }
    handlers[name] = e;
  }
  const manifest: SnapshotManifest = {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    sequence,
    createdAt: new Date().toISOString(),
    handlers,
  };
  const dir = snapshotDirectory(dataDir);
  ensureDirectory(dir);
  const path = join(dir, snapshotManifestFileName(sequence));
  writeFileAtomicSync(path, encoder.encode(JSON.stringify(manifest, null, 2) + '\n'));
  return path;
}

function corrupt(message: string): RingbusError {
  return new RingbusError('RINGBUS_ERR_SNAPSHOT_CORRUPT', message);
}

/** A complete set, loaded and checked. */
export interface LoadedSnapshotSet {
  readonly sequence: number;
  readonly states: Map<string, unknown>;
  /** Recorded state hashes (handlers written with hashing on). */
  readonly hashes: Map<string, string>;
}

/** Loads and checks the set at `sequence`; throws RINGBUS_ERR_SNAPSHOT_CORRUPT naming the file and the problem. */
export function loadSnapshotSet(dataDir: string, sequence: number): LoadedSnapshotSet {
  const dir = snapshotDirectory(dataDir);
  const manifestPath = join(dir, snapshotManifestFileName(sequence));
  let manifest: SnapshotManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as SnapshotManifest;
  } catch (err) {
    throw corrupt(`snapshot manifest ${manifestPath} cannot be read: ${(err as Error).message}`);
  }
  if (manifest?.formatVersion !== SNAPSHOT_FORMAT_VERSION)
    throw corrupt(
      `snapshot manifest ${manifestPath} has format version ${show(manifest?.formatVersion)}, expected ${SNAPSHOT_FORMAT_VERSION}`,
    );
  if (manifest.sequence !== sequence)
    throw corrupt(
      `snapshot manifest ${manifestPath} says sequence ${show(manifest.sequence)}, its name says ${sequence}`,
    );
  if (typeof manifest.handlers !== 'object' || manifest.handlers === null)
    throw corrupt(`snapshot manifest ${manifestPath} has no handlers object`);
  const states = new Map<string, unknown>();
  const hashes = new Map<string, string>();
  for (const name of Object.keys(manifest.handlers).sort()) {
    const e = manifest.handlers[name]!;
    if (!SNAPSHOT_HANDLER_NAME_PATTERN.test(name) || e?.file !== snapshotStateFileName(sequence, name)) {
      throw corrupt(`snapshot manifest ${manifestPath}: entry ${show(name)} names file ${show(e?.file)}`);
    }
    const path = join(dir, e.file);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw corrupt(`snapshot state ${path} listed in ${manifestPath} cannot be read: ${(err as Error).message}`);
    }
    if (bytes.length !== e.length)
      throw corrupt(`snapshot state ${path} has ${bytes.length} bytes, the manifest says ${show(e.length)}`);
    const crc = crc32c(bytes, 0, bytes.length);
    if (crc !== e.crc32c)
      throw corrupt(`snapshot state ${path} has CRC32C ${crc}, the manifest says ${show(e.crc32c)}`);
    let state: unknown;
    try {
      state = JSON.parse(new TextDecoder().decode(bytes));
    } catch (err) {
      throw corrupt(`snapshot state ${path} is not JSON: ${(err as Error).message}`);
    }
    if (e.stateHash !== undefined) {
      const actual = hashState(state);
      if (actual !== e.stateHash)
        throw corrupt(
          `snapshot state ${path} hashes to ${actual} after loading, the manifest recorded ${e.stateHash}: the state does not survive a JSON round trip`,
        );
      hashes.set(name, e.stateHash);
    }
    states.set(name, state);
  }
  return { sequence, states, hashes };
}
