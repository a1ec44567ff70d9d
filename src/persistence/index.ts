/**
 * Persistence: journal segments, snapshot sets, dead letters, state hashes, the data directory
 * manifest. Everything here works on files only; the bus wires it in (see each class's comment).
 */
export { crc32c } from './crc32c.js';
export { JournalWriter, type JournalWriterOptions } from './JournalWriter.js';
export {
  parseFsyncPolicy,
  parseFsyncFlag,
  describeFsyncPolicy,
  type FsyncPolicy,
  type ParsedFsyncPolicy,
} from './fsyncPolicy.js';
export { JournalReader, type JournalReaderOptions, type Upcaster, type TornTail } from './JournalReader.js';
export { JournalRecord } from './JournalRecord.js';
export { type JournalRecovery } from './journalRecovery.js';
export { verifyJournal, type JournalVerifyResult, type JournalVerifyError } from './verifyJournal.js';
export { listSegments, pruneJournal, journalDirectory, type SegmentFile } from './journalFiles.js';
export { SnapshotStore, type SnapshotWriteOptions, type LatestSnapshot } from './SnapshotStore.js';
export { SnapshotWriterPool, type SnapshotWriterPoolOptions } from './SnapshotWriterPool.js';
export { type SnapshotEntry, type StateSchema, type LoadedSnapshotSet, snapshotDirectory } from './snapshotFiles.js';
export { hashState, canonicalJson, combineStateHashes } from './stateHash.js';
export {
  DeadLetterWriter,
  readDeadLetters,
  scanDeadLetters,
  type DeadLetter,
  type DeadLetterInput,
  type DeadLetterWriterOptions,
} from './DeadLetterWriter.js';
export {
  writeManifest,
  readManifest,
  DATA_DIR_MANIFEST_NAME,
  type DataDirManifest,
  type ManifestHandler,
} from './dataDirManifest.js';
