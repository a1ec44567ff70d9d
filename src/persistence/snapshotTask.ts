/**
 * piscina task file (compiled to dist/src/persistence/snapshotTask.js): serializes and writes one
 * handler's state, or a set's manifest, off the hot path. Messages in snapshotProtocol.ts; the
 * file work is the same code SnapshotStore runs (snapshotFiles.ts).
 */
import { RingbusTypeError, show } from '../errors.js';
import type { SnapshotTask, SnapshotTaskResult } from './snapshotProtocol.js';
import { writeManifestFile, writeStateFile } from './snapshotFiles.js';

export default function snapshotTask(task: SnapshotTask): SnapshotTaskResult {
  try {
    switch (task?.op) {
      case 'state':
        return {
          ok: true,
          entry: writeStateFile(task.dataDir, task.sequence, task.handlerName, task.state, task.schema, task.hash),
        };
      case 'manifest':
        return { ok: true, path: writeManifestFile(task.dataDir, task.sequence, task.entries) };
      default:
        throw new RingbusTypeError(
          'RINGBUS_ERR_INVALID_OPTION',
          `snapshot task op must be 'state' or 'manifest', got ${show((task as { op?: unknown })?.op)}`,
        );
    }
  } catch (err) {
    const e = err as Error & { code?: unknown };
    return {
      ok: false,
      code: typeof e?.code === 'string' ? e.code : undefined,
      message: String(e?.message ?? err),
      stack: e?.stack,
    };
  }
}
