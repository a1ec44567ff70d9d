/**
 * Digest of a handler's state: sha256 (hex) of the JSON text of its canonical snapshot. Snapshots
 * here are built in a fixed order (arrays sorted by id, objects with keys written in one order), so
 * equal states give equal text. Not a hot-path function: it allocates the whole JSON text.
 */
import { createHash } from 'node:crypto';

export function hashState(snapshot: unknown): string {
  return createHash('sha256').update(JSON.stringify(snapshot)).digest('hex');
}
