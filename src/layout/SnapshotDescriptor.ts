/**
 * Layout of the snapshot directory `<dataDir>/snapshots/`. Snapshots are JSON text, so this file
 * fixes names and the manifest shape rather than byte offsets.
 *
 *   snapshots/
 *     00000000000000001000.state.risk.json        one handler's state at sequence 1000 (JSON)
 *     00000000000000001000.state.matching.json
 *     00000000000000001000.manifest.json          written LAST: the set for 1000 is complete
 *     00000000000000002000.state.risk.json        a set being written (no manifest yet): ignored
 *     00000000000000002000.state.risk.json.tmp-…  a temp file a crash left behind: ignored
 *
 * Every file is written atomically: temp file, fsync, rename, fsync directory. A set at S is
 * complete only when `<S>.manifest.json` exists and every state file it lists has the length and
 * CRC32C it records:
 *
 *   {
 *     "formatVersion": 1,
 *     "sequence": 1000,                       // every state describes the bus after this sequence
 *     "createdAt": "2024-01-01T00:00:00.000Z",
 *     "handlers": {
 *       "risk": { "file": "00000000000000001000.state.risk.json", "length": 123,
 *                 "crc32c": 305419896, "stateHash": "…64 hex…" (optional) }
 *     }
 *   }
 */

/** Sub-directory of the data directory that holds snapshots. */
export const SNAPSHOT_DIR_NAME = 'snapshots';
/** Manifest format version. */
export const SNAPSHOT_FORMAT_VERSION = 1;
/** Digits of the sequence prefix of every snapshot file name. */
export const SNAPSHOT_SEQUENCE_DIGITS = 20;
/** Infix of state files. */
export const SNAPSHOT_STATE_INFIX = '.state.';
/** Suffix of state files. */
export const SNAPSHOT_STATE_SUFFIX = '.json';
/** Name suffix of a set's manifest (after the sequence prefix). */
export const SNAPSHOT_MANIFEST_SUFFIX = '.manifest.json';
/** Infix of temp files (followed by pid and a counter). */
export const SNAPSHOT_TEMP_INFIX = '.tmp-';
/** Handler names usable in file names. */
export const SNAPSHOT_HANDLER_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,127}$/;

/** The zero-padded sequence prefix. */
export function snapshotSequencePrefix(sequence: number): string {
  return String(sequence).padStart(SNAPSHOT_SEQUENCE_DIGITS, '0');
}

/** File name of one handler's state at a sequence. */
export function snapshotStateFileName(sequence: number, handlerName: string): string {
  return snapshotSequencePrefix(sequence) + SNAPSHOT_STATE_INFIX + handlerName + SNAPSHOT_STATE_SUFFIX;
}

/** File name of the manifest of the set at a sequence. */
export function snapshotManifestFileName(sequence: number): string {
  return snapshotSequencePrefix(sequence) + SNAPSHOT_MANIFEST_SUFFIX;
}

/** Sequence of a manifest file name, or -1. */
export function parseSnapshotManifestName(name: string): number {
  if (
    name.length !== SNAPSHOT_SEQUENCE_DIGITS + SNAPSHOT_MANIFEST_SUFFIX.length ||
    !name.endsWith(SNAPSHOT_MANIFEST_SUFFIX)
  )
    return -1;
  return parsePrefix(name);
}

/** Sequence prefix of any snapshot file (state, manifest or temp), or -1. */
export function parseSnapshotFilePrefix(name: string): number {
  if (name.length <= SNAPSHOT_SEQUENCE_DIGITS || name[SNAPSHOT_SEQUENCE_DIGITS] !== '.') return -1;
  return parsePrefix(name);
}

function parsePrefix(name: string): number {
  const digits = name.slice(0, SNAPSHOT_SEQUENCE_DIGITS);
  if (!/^[0-9]+$/.test(digits)) return -1;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : -1;
}
