/**
 * CLI usage errors and option parsing helpers. A usage error prints its message and the
 * command's usage and exits with status 2.
 */
import { RingbusError } from '../errors.js';

/** Bad command line: exit status 2. */
export function usageError(message: string): RingbusError {
  return new RingbusError('RINGBUS_ERR_CLI_USAGE', message);
}

/** Parses `--name N` as a non-negative safe integer. */
export function parseSequenceOption(name: string, value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw usageError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** Parses a required `--name VALUE` string option. */
export function requireString(name: string, value: string | boolean | undefined): string {
  if (typeof value !== 'string' || value.length === 0) throw usageError(`--${name} is required`);
  return value;
}
