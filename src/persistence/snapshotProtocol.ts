/**
 * Messages between SnapshotWriterPool (main thread) and snapshotTask (piscina worker). Everything
 * here is structured-cloneable.
 */
import type { SnapshotEntry, StateSchema } from './snapshotFiles.js';

/** Serialize one handler's state and write its file atomically. */
export interface WriteStateTask {
  readonly op: 'state';
  readonly dataDir: string;
  readonly sequence: number;
  readonly handlerName: string;
  readonly state: unknown;
  readonly schema?: StateSchema;
  readonly hash?: boolean;
}

/** Write a set's manifest (last): the set is complete when the task resolves. */
export interface WriteManifestTask {
  readonly op: 'manifest';
  readonly dataDir: string;
  readonly sequence: number;
  readonly entries: Readonly<Record<string, SnapshotEntry>>;
}

export type SnapshotTask = WriteStateTask | WriteManifestTask;

/**
 * What a task resolves to: errors come back as data, because an Error crossing the thread
 * boundary loses its `code` (structured clone keeps only name, message and stack).
 */
export type SnapshotTaskResult =
  | { readonly ok: true; readonly entry?: SnapshotEntry; readonly path?: string }
  | { readonly ok: false; readonly code?: string; readonly message: string; readonly stack?: string };
