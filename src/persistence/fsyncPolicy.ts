/**
 * The journal's fsync policies: one parser for every place that takes one (JournalWriter,
 * the bus's persistence options, the example's and the CLI's `--fsync` flag).
 *
 *   'batch'      every record written is fdatasynced before the durable sequence passes it
 *   { everyMs }  records are written at batch end; an fdatasync at most every everyMs advances
 *                the durable sequence
 *   'none'       never fdatasynced by the journal: durable means written to the OS (survives a
 *                process crash, not a power loss)
 */
import { RingbusRangeError, RingbusTypeError, show } from '../errors.js';

export type FsyncPolicy = 'none' | 'batch' | { readonly everyMs: number };

/** A validated policy: `mode` for switches on the hot path, `everyMs` 0 unless periodic. */
export interface ParsedFsyncPolicy {
  readonly mode: 'none' | 'batch' | 'every';
  readonly everyMs: number;
  /** The policy as the caller would write it (structured-cloneable). */
  readonly policy: FsyncPolicy;
}

/**
 * Validates a policy value; `name` is the option's path for the error message
 * (e.g. 'persistence.fsync'). undefined means the default, 'batch'.
 */
export function parseFsyncPolicy(value: unknown, name = 'fsync'): ParsedFsyncPolicy {
  if (value === undefined || value === 'batch') return { mode: 'batch', everyMs: 0, policy: 'batch' };
  if (value === 'none') return { mode: 'none', everyMs: 0, policy: 'none' };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const everyMs = (value as { everyMs?: unknown }).everyMs;
    if (typeof everyMs === 'number' && Number.isFinite(everyMs) && everyMs > 0)
      return { mode: 'every', everyMs, policy: { everyMs } };
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `${name}.everyMs must be a finite number > 0, got ${show(everyMs)}`,
    );
  }
  throw new RingbusTypeError(
    'RINGBUS_ERR_INVALID_OPTION',
    `${name} must be 'none', 'batch' or { everyMs: number > 0 }, got ${show(value)}`,
  );
}

/**
 * Parses the command-line spelling: 'batch', 'none', or a number of milliseconds (→ { everyMs }).
 * `flag` names the flag in the error message (e.g. '--fsync').
 */
export function parseFsyncFlag(text: string, flag = '--fsync'): FsyncPolicy {
  if (text === 'batch' || text === 'none') return text;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(ms > 0))
    throw new RingbusRangeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `${flag} must be 'batch', 'none' or a number of milliseconds > 0, got ${show(text)}`,
    );
  return { everyMs: ms };
}

/** How the policy reads in reports and placement explanations: 'batch', 'none', 'every 5 ms'. */
export function describeFsyncPolicy(policy: FsyncPolicy): string {
  return typeof policy === 'string' ? policy : `every ${policy.everyMs} ms`;
}
