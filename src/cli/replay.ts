/**
 * `ringbus replay --data-dir D [--to-seq N | --to-time T] [--from-scratch] [--dump] [--json]`:
 * rebuilds the bus the data directory was written with (handlers, wiring and options from its
 * manifest.json), restores the newest snapshot at or before the target, replays the journal up to
 * the target through the same handlers, and prints the state hash. Read-only: nothing in the
 * directory changes. Time travel: --to-seq / --to-time stop at an earlier point; --dump prints each
 * handler's state there ("what did the book look like at sequence N?").
 */
import { readManifest } from '../persistence/dataDirManifest.js';
import { busFromManifest } from '../topology/busFromManifest.js';
import { listSegments } from '../persistence/journalFiles.js';
import { readSegmentHeaderOf } from '../topology/segmentEpoch.js';
import { writeOut, type CliCommand } from './command.js';
import { checkDataDir } from './journalVerify.js';
import { createProgress, type ProgressReporter } from './progress.js';
import { parseSequenceOption, usageError } from './usage.js';

/** --to-time: ms since 1970 (a number) or an ISO date, converted to ns since the journal's epoch. */
function parseTime(value: string | boolean | undefined, epochMs: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw usageError('--to-time needs a value');
  const ms = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw usageError(`--to-time must be ms since 1970 or an ISO date, got ${JSON.stringify(value)}`);
  return (ms - epochMs) * 1e6;
}

export const replayCommand: CliCommand = {
  path: ['replay'],
  summary: 'rebuild state from snapshot + journal with the recorded handlers; print the state hash (read-only)',
  usage: [
    'ringbus replay --data-dir D [--to-seq N | --to-time T] [--from-scratch] [--dump] [--json]',
    '',
    '  --data-dir D     the data directory (manifest.json, journal/, snapshots/)',
    '  --to-seq N       stop after sequence N (default: the end of the journal)',
    '  --to-time T      stop after the last event stamped at or before T (ms since 1970, or an ISO date)',
    '  --from-scratch   ignore snapshots: replay the whole journal from its first record',
    "  --dump           also print every stateful handler's state at that point",
    '  --json           print { lastSequence, stateHash, durationMs, eventsPerSec, snapshot, replayed [, states] }',
    '                   (durationMs: from the first replayed record to the last one processed by every handler)',
    '',
    'Handlers are loaded from the module URLs recorded in manifest.json: the application must be installed where it was.',
  ].join('\n'),
  options: {
    'data-dir': { type: 'string' },
    'to-seq': { type: 'string' },
    'to-time': { type: 'string' },
    'from-scratch': { type: 'boolean' },
    dump: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const dataDir = checkDataDir(values['data-dir']);
    const manifest = readManifest(dataDir);
    if (!manifest) throw usageError(`${dataDir} has no manifest.json: it was not written by a ringbus bus`);
    if (values['to-seq'] !== undefined && values['to-time'] !== undefined)
      throw usageError('give --to-seq or --to-time, not both');
    const segments = listSegments(dataDir);
    if (segments.length === 0) throw usageError(`${dataDir} has no journal segments to replay`);
    const epochMs = readSegmentHeaderOf(segments[0]!.path).epochMs;
    const toSeq = parseSequenceOption('to-seq', values['to-seq']);
    const toTime = parseTime(values['to-time'], epochMs);
    let progress: ProgressReporter | null = null;
    const bus = busFromManifest({
      dataDir,
      readOnly: true,
      ignoreSnapshots: values['from-scratch'] === true,
      recoverTo: toTime !== undefined ? { timestampNs: toTime } : { sequence: toSeq ?? Number.MAX_SAFE_INTEGER },
      onReplayProgress: (done, total) => {
        progress ??= createProgress({ total, label: 'replay' });
        progress.update(done);
      },
    });
    await bus.start();
    try {
      await bus.drain({ timeoutMs: 24 * 3600_000 });
      (progress as ProgressReporter | null)?.finish();
      const r = bus.recovery!;
      // from the first replayed record to every handler having processed the last (worker start-up excluded)
      const durationMs = performance.now() - r.replayStartedAt;
      const replayed = Math.max(0, r.replayedThrough - r.startSequence + 1);
      const { hash } = await bus.stateHash();
      const states = values.dump === true ? (await bus.captureState()).states : undefined;
      const out = {
        lastSequence: r.replayedThrough,
        stateHash: hash,
        durationMs: Math.round(durationMs * 1000) / 1000,
        eventsPerSec: durationMs > 0 ? Math.round(replayed / (durationMs / 1000)) : 0,
        snapshot: r.snapshot?.sequence ?? null,
        replayed,
        ...(states ? { states } : {}),
      };
      if (values.json === true) await writeOut(io.stdout, JSON.stringify(out) + '\n');
      else {
        let text = `replayed ${replayed} event(s) after ${out.snapshot === null ? 'no snapshot' : `snapshot ${out.snapshot}`} through sequence ${out.lastSequence} in ${out.durationMs.toFixed(1)} ms (${out.eventsPerSec} events/s)\nstate hash ${hash}\n`;
        if (states) text += JSON.stringify(states, null, 2) + '\n';
        await writeOut(io.stdout, text);
      }
      return 0;
    } finally {
      await bus.shutdown();
    }
  },
};
