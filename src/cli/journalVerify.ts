/**
 * `ringbus journal verify --data-dir D [--json]`: checks every journal segment, the segment chain
 * and the checkpoint without modifying anything: the same verdict start() and replay act on.
 * Exit 0 when ok (a torn tail is ok: it is reported in truncatedBytes and cut on the next open
 * for append), 1 when any damage was found.
 */
import { existsSync, statSync } from 'node:fs';
import { verifyJournal } from '../persistence/verifyJournal.js';
import { writeOut, type CliCommand } from './command.js';
import { requireString, usageError } from './usage.js';

export function checkDataDir(value: string | boolean | undefined): string {
  const dir = requireString('data-dir', value);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw usageError(`--data-dir ${JSON.stringify(dir)} is not a directory`);
  return dir;
}

export const journalVerifyCommand: CliCommand = {
  path: ['journal', 'verify'],
  summary: 'check every journal segment (headers, lengths, CRCs, contiguous sequences) without modifying it',
  usage: [
    'ringbus journal verify --data-dir D [--json]',
    '',
    '  --data-dir D   the data directory (holds journal/)',
    '  --json         print { ok, segments, records, firstSequence, lastSequence, truncatedBytes, errors: [{ file, offset, sequence, message, code }] }',
    '',
    'Exit status: 0 ok (a torn tail is reported, not an error), 1 damage found, 2 bad usage.',
  ].join('\n'),
  options: {
    'data-dir': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const dir = checkDataDir(values['data-dir']);
    const r = verifyJournal(dir);
    if (values.json === true) {
      const out = {
        ok: r.ok,
        segments: r.segments,
        records: r.records,
        firstSequence: r.firstSequence,
        lastSequence: r.lastSequence,
        truncatedBytes: r.truncatedBytes,
        errors: r.errors,
      };
      await writeOut(io.stdout, JSON.stringify(out) + '\n');
    } else {
      const range = r.records > 0 ? `sequences ${r.firstSequence}..${r.lastSequence}` : 'no records';
      let text = `${r.ok ? 'ok' : 'DAMAGED'}: ${r.segments} segment(s), ${r.records} record(s), ${range}, torn tail ${r.truncatedBytes} byte(s)\n`;
      for (const e of r.errors)
        text += `  ${e.file} @ byte ${e.offset} (expected sequence ${e.sequence}): ${e.message} [${e.code}]\n`;
      await writeOut(io.stdout, text);
    }
    return r.ok ? 0 : 1;
  },
};
