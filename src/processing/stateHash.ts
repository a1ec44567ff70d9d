import { createHash } from 'node:crypto';

/** Canonical JSON (sorted keys) → sha256 hex. Placeholder until persistence's hashState is wired. */
export function defaultStateHash(state: unknown): string {
  return createHash('sha256').update(JSON.stringify(state)).digest('hex');
}
