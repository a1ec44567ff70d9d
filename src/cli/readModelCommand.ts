/**
 * `ringbus read-model`: the query side as a process of its own (docs/replication.md#read-model).
 * It folds a bus's stream (e.g. execution reports) with a fold module the user gives and prints
 * the model and its lag as JSON lines. Generic: the module decides what the model is.
 *
 * The module's default export is a factory `() => { apply(fields, record), view() }`: `apply`
 * folds one event (its input fields as a plain object; `record` has its sequence, timestamp and
 * epoch), `view()` returns the model as JSON-serialisable data.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ReadModel } from '../replication/ReadModel.js';
import type { ReplicatedRecord } from '../replication/recordMessage.js';
import { busStreamNames } from '../replication/streamNames.js';
import { writeOut, type CliCommand } from './command.js';
import { parseSequenceOption, requireString, usageError } from './usage.js';

/** What a fold module's default export returns. */
export interface ReadModelFold {
  apply(fields: Record<string, unknown>, record: ReplicatedRecord): void;
  view(): unknown;
}

async function loadFold(file: string): Promise<ReadModelFold> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  } catch (err) {
    throw usageError(`--module ${JSON.stringify(file)} could not be loaded: ${(err as Error).message}`);
  }
  const fold = typeof mod.default === 'function' ? (mod.default as () => unknown)() : null;
  const f = fold as Partial<ReadModelFold> | null;
  if (f === null || typeof f !== 'object' || typeof f.apply !== 'function' || typeof f.view !== 'function')
    throw usageError(
      `--module ${JSON.stringify(file)} must export as default a function returning { apply(fields, record), view() }`,
    );
  return f as ReadModelFold;
}

export const readModelCommand: CliCommand = {
  path: ['read-model'],
  summary: "fold a bus's NATS JetStream stream with a module (a read model) and print it with its lag",
  usage: [
    'ringbus read-model --servers URLS --bus NAME --module FILE [--report-ms MS]',
    '',
    '  --servers URLS   NATS server(s), comma-separated (127.0.0.1:4222)',
    '  --bus NAME       the bus whose stream is folded (its relay must have put its manifest)',
    '  --module FILE    JavaScript module whose default export returns { apply(fields, record), view() }',
    '  --report-ms MS   print the model as one JSON line this often (default 1000)',
    '',
    'Prints {"event":"read-model","bus","applied","lag":{"events","ms"},"model"} every --report-ms and once',
    'more on SIGINT/SIGTERM (exit 0); a replication error (e.g. a gap in the stream) exits 1.',
  ].join('\n'),
  options: {
    servers: { type: 'string' },
    bus: { type: 'string' },
    module: { type: 'string' },
    'report-ms': { type: 'string' },
  },
  async run(values, _positionals, io) {
    const servers = requireString('servers', values.servers);
    const bus = requireString('bus', values.bus);
    try {
      busStreamNames(bus);
    } catch (err) {
      throw usageError(`--bus: ${(err as Error).message}`);
    }
    const every = parseSequenceOption('report-ms', values['report-ms']) ?? 1000;
    if (every < 1) throw usageError(`--report-ms must be at least 1, got ${every}`);
    const fold = await loadFold(requireString('module', values.module));
    const model = await ReadModel.start({ servers, bus, apply: (fields, record) => fold.apply(fields, record) });
    const line = (): string =>
      JSON.stringify({
        event: 'read-model',
        bus,
        applied: model.appliedSequence(),
        lag: model.lag(),
        model: fold.view(),
      }) + '\n';
    let stop!: () => void;
    const signalled = new Promise<void>((resolve) => (stop = resolve));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const timer = setInterval(() => void writeOut(io.stdout, line()), every);
    try {
      await Promise.race([model.done, signalled]);
      await model.stop();
      await writeOut(io.stdout, line());
      return 0;
    } finally {
      clearInterval(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};
