/**
 * The shape of one `ringbus` subcommand. Each lives in its own file and is listed in the table
 * in commands.ts.
 */
import type { ParseArgsConfig } from 'node:util';

/** Where a command writes. `write` returns false when the stream wants the caller to wait for 'drain'. */
export interface CliStream {
  write(text: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
}

export type CliValues = Record<string, string | boolean | undefined>;

export interface CliCommand {
  /** Words after `ringbus`, e.g. ['journal', 'verify']. */
  readonly path: readonly string[];
  /** One line for `ringbus --help`. */
  readonly summary: string;
  /** Synopsis and option list for `ringbus <path> --help` and usage errors. */
  readonly usage: string;
  /** node:util parseArgs options (strict: unknown options are usage errors). */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  readonly allowPositionals?: boolean;
  /** Runs the command; resolves to the exit status. Throws a RINGBUS_ERR_CLI_USAGE error for bad usage (exit 2). */
  run(values: CliValues, positionals: string[], io: CliIo): Promise<number>;
}

/** Writes text, waiting for 'drain' when the stream's buffer is full. */
export async function writeOut(stream: CliStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}
