/**
 * `ringbus journal cat --data-dir D [--from N] [--to N] [--json] [--events-only]`: prints journal
 * records, decoded with the event schema in `<D>/manifest.json` (without a manifest, event bytes
 * are printed as hex). With --json, one object per line:
 *   { "sequence", "timestampNs", "kind", "aux", ...fields }
 * (when a field is itself named sequence, timestampNs, kind or aux, the fields go under "fields").
 * Control records (snapshot and state-hash markers the bus journals) and void slots (a failed
 * publish) carry no event: they are printed as such, without fields ("control": "snapshot" in
 * JSON), or skipped with --events-only.
 * A torn tail ends the listing with a note on stderr; damage before it is an error (exit 1).
 */
import { KIND_CONTROL, KIND_EVENT, KIND_VOID } from '../layout/RingBufferDescriptor.js';
import { CONTROL_SNAPSHOT, CONTROL_STATE_HASH } from '../runtime/protocol.js';
import { readManifest } from '../persistence/dataDirManifest.js';
import { JournalReader } from '../persistence/JournalReader.js';
import { writeOut, type CliCommand } from './command.js';
import { EventDecoder } from './EventDecoder.js';
import { checkDataDir } from './journalVerify.js';
import { parseSequenceOption, usageError } from './usage.js';

const META_KEYS = new Set(['sequence', 'timestampNs', 'kind', 'aux']);
const KIND_NAMES: Record<number, string> = { [KIND_EVENT]: 'EVENT', [KIND_VOID]: 'VOID', [KIND_CONTROL]: 'CONTROL' };
/** What a non-event record is, for the listing. */
function controlName(kind: number, aux: number): string {
  if (kind === KIND_VOID) return 'void';
  if (aux === CONTROL_SNAPSHOT) return 'snapshot';
  if (aux === CONTROL_STATE_HASH) return 'state-hash';
  return `control-${aux}`;
}
/** Output is written in pieces of about this many characters. */
const FLUSH_CHARS = 64 * 1024;

export const journalCatCommand: CliCommand = {
  path: ['journal', 'cat'],
  summary: 'print journal records, decoded with the schema in the data directory manifest',
  usage: [
    'ringbus journal cat --data-dir D [--from N] [--to N] [--json] [--events-only]',
    '',
    '  --data-dir D   the data directory (holds journal/ and manifest.json)',
    '  --from N       first sequence to print (default: the first in the journal)',
    '  --to N         last sequence to print (inclusive; default: the last)',
    '  --json         one JSON object per line: { sequence, timestampNs, kind, aux, ...fields }',
    '  --events-only  skip control records (snapshot / state-hash markers) and void slots',
    '',
    'Control records and void slots carry no event: they print as "CONTROL aux=1 (control record:',
    'snapshot marker, not an event)", in JSON as { sequence, timestampNs, kind, aux, control: "snapshot" }.',
    '',
    'Exit status: 0 ok, 1 damaged journal or manifest, 2 bad usage.',
  ].join('\n'),
  options: {
    'data-dir': { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    json: { type: 'boolean' },
    'events-only': { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const dir = checkDataDir(values['data-dir']);
    const from = parseSequenceOption('from', values.from) ?? 0;
    const to = parseSequenceOption('to', values.to) ?? Number.MAX_SAFE_INTEGER;
    if (to < from) throw usageError(`--to ${to} is below --from ${from}`);
    const json = values.json === true;
    const eventsOnly = values['events-only'] === true;
    const manifest = readManifest(dir);
    if (manifest === null)
      await writeOut(io.stderr, `ringbus: no manifest.json in ${dir}: event bytes are printed as hex (payloadHex)\n`);
    const decoder = manifest === null ? null : new EventDecoder(manifest.event);
    const nested = decoder !== null && decoder.fieldNames.some((n) => META_KEYS.has(n));
    const reader = new JournalReader(dir, manifest === null ? {} : { fingerprint: manifest.fingerprint });
    let out = '';
    try {
      reader.seek(from);
      for (let r = reader.next(); r !== null && r.sequence <= to; r = reader.next()) {
        if (r.kind !== KIND_EVENT) {
          if (eventsOnly) continue;
          const control = controlName(r.kind, r.aux);
          out += json
            ? JSON.stringify({ sequence: r.sequence, timestampNs: r.timestampNs, kind: r.kind, aux: r.aux, control }) +
              '\n'
            : `#${r.sequence} t=${r.timestampNs}ns ${KIND_NAMES[r.kind] ?? `kind=${r.kind}`} aux=${r.aux} (${r.kind === KIND_VOID ? 'void slot: a failed publish' : `control record: ${control} marker`}, not an event)\n`;
          continue;
        }
        const fields = decoder === null ? { payloadHex: Buffer.from(r.payload).toString('hex') } : decoder.decode(r);
        if (json) {
          const obj = nested
            ? { sequence: r.sequence, timestampNs: r.timestampNs, kind: r.kind, aux: r.aux, fields }
            : { sequence: r.sequence, timestampNs: r.timestampNs, kind: r.kind, aux: r.aux, ...fields };
          out += JSON.stringify(obj) + '\n';
        } else {
          let line = `#${r.sequence} t=${r.timestampNs}ns ${KIND_NAMES[r.kind] ?? `kind=${r.kind}`} aux=${r.aux}`;
          for (const [k, v] of Object.entries(fields))
            line += ` ${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
          out += line + '\n';
        }
        if (out.length >= FLUSH_CHARS) {
          await writeOut(io.stdout, out);
          out = '';
        }
      }
    } finally {
      // what was decoded before a damaged record is still printed
      if (out.length > 0) await writeOut(io.stdout, out);
      reader.close();
    }
    const torn = reader.tornTail;
    if (torn !== null)
      await writeOut(
        io.stderr,
        `ringbus: the journal ends in a torn tail at ${torn.file} byte ${torn.offset} (${torn.bytes} bytes: ${torn.reason})\n`,
      );
    return 0;
  },
};
