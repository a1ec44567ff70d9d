/**
 * State hashes used by the worker host and the bus: the canonical-JSON sha256 of
 * src/persistence/stateHash.ts (sorted keys; rejects Maps, Sets, non-finite numbers), so that a
 * snapshot's hash, a live hash and a replayed hash are computed the same way.
 */
export { hashState as defaultStateHash, combineStateHashes } from '../persistence/stateHash.js';
