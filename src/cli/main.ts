#!/usr/bin/env node
/**
 * The `ringbus` command: `ringbus <command> [options]`; `ringbus --help` lists the commands
 * (commands.ts). Exit status: 0 ok, 1 failure (damaged data, a failed check), 2 bad usage
 * (RINGBUS_ERR_CLI_USAGE).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RingbusError } from '../errors.js';
import type { CliCommand, CliIo } from './command.js';
import { writeOut } from './command.js';
import { COMMANDS } from './commands.js';
import { usageError } from './usage.js';

function overview(commands: readonly CliCommand[], prefix: readonly string[]): string {
  const lines = ['Usage: ringbus <command> [options]', '', 'Commands:'];
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  for (const c of commands)
    if (prefix.every((w, i) => c.path[i] === w)) lines.push(`  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  lines.push('', 'Run `ringbus <command> --help` for its options.');
  return lines.join('\n') + '\n';
}

/** The command whose path is the longest prefix of `argv`, and the words left after it. */
function find(argv: readonly string[]): { command: CliCommand; rest: string[] } | null {
  let best: CliCommand | null = null;
  for (const c of COMMANDS) {
    if (c.path.every((w, i) => argv[i] === w) && (best === null || c.path.length > best.path.length)) best = c;
  }
  return best === null ? null : { command: best, rest: argv.slice(best.path.length) };
}

/** Runs the CLI on `argv` (the words after `ringbus`); resolves to the exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command: CliCommand | null = null;
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      await writeOut(argv.length === 0 ? io.stderr : io.stdout, overview(COMMANDS, []));
      return argv.length === 0 ? 2 : 0;
    }
    const found = find(argv);
    if (found === null) {
      const group = COMMANDS.filter((c) => c.path[0] === argv[0]);
      if (group.length > 0 && (argv[1] === '--help' || argv[1] === '-h')) {
        await writeOut(io.stdout, overview(group, [argv[0]!]));
        return 0;
      }
      if (group.length > 0 && argv.length === 1) {
        const subcommands = group.map((c) => c.path[1]).join('|');
        const err = usageError(`${JSON.stringify(argv[0])} needs a subcommand: ringbus ${argv[0]} <${subcommands}>`);
        await writeOut(io.stderr, `ringbus: ${err.message} [${err.code}]\n\n${overview(group, [argv[0]!])}`);
        return 2;
      }
      throw usageError(
        `unknown command ${JSON.stringify(
          argv
            .filter((a) => !a.startsWith('-'))
            .slice(0, 2)
            .join(' '),
        )}`,
      );
    }
    command = found.command;
    let parsed;
    try {
      parsed = parseArgs({
        args: found.rest,
        options: { ...command.options, help: { type: 'boolean', short: 'h' } },
        strict: true,
        allowPositionals: command.allowPositionals === true,
      });
    } catch (err) {
      throw usageError((err as Error).message);
    }
    if (parsed.values.help === true) {
      await writeOut(io.stdout, command.usage + '\n');
      return 0;
    }
    return await command.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals, io);
  } catch (err) {
    if (err instanceof RingbusError && err.code === 'RINGBUS_ERR_CLI_USAGE') {
      await writeOut(
        io.stderr,
        `ringbus: ${err.message} [${err.code}]\n\n${command === null ? overview(COMMANDS, []) : `Usage: ${command.usage}\n`}`,
      );
      return 2;
    }
    const e = err as Error & { code?: string };
    await writeOut(io.stderr, `ringbus: ${e.message}${e.code ? ` [${e.code}]` : ''}\n`);
    return 1;
  }
}

function isMain(): boolean {
  if (process.argv[1] === undefined) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // `ringbus journal cat ... | head`: the reader went away; not an error of ours
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (status) => {
      process.exitCode = status;
    },
    (err: unknown) => {
      process.stderr.write(`ringbus: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
