/**
 * The subcommand table of `ringbus`. Each entry is a CliCommand (command.ts) in its own file; to
 * add one, write it and list it here — dispatch, --help and usage errors come from the table.
 */
import type { CliCommand } from './command.js';
import { journalCatCommand } from './journalCat.js';
import { journalVerifyCommand } from './journalVerify.js';
import { readModelCommand } from './readModelCommand.js';
import { replayCommand } from './replay.js';
import { replicationRelayCommand, replicationStatusCommand, standbyCommand } from './replicationCommands.js';

export const COMMANDS: readonly CliCommand[] = [
  journalVerifyCommand,
  journalCatCommand,
  replayCommand,
  replicationRelayCommand,
  replicationStatusCommand,
  standbyCommand,
  readModelCommand,
];
