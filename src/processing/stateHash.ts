import { createHash } from 'node:crypto';

/** Canonical JSON (sorted keys) → sha256 hex. Placeholder until persistence's hashState is wired. */
export function defaultStateHash(state: unknown): string {
  return createHash('sha256').update(JSON.stringify(state)).digest('hex');
}

/** Order-independent combination of per-handler hashes (sorted by handler name). */
export function combineStateHashes(hashes: Readonly<Record<string, string | null>>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(hashes).sort()) h.update(`${name}=${hashes[name] ?? '-'}\n`);
  return h.digest('hex');
}
