/**
 * Benchmark entry point:
 *   npm run bench -- [scenario …] [--json] [--quick | --full] [--out DIR] [--events N] [--reps N]
 * (or `node dist/bench/main.js …` after a build). No scenario runs the whole suite.
 *
 * Each scenario is a module bench/scenarios/<name>.ts exporting
 *   `async function run(options: BenchOptions): Promise<BenchReport>`
 * that measures its variants, its baseline, its peers and the machine's limit in the same run.
 * Text mode prints one table per scenario; `--json` prints exactly one JSON value on stdout (the
 * BenchReport for one scenario, an array of them for several); `--out DIR` also writes
 * report.json, one .hgrm per latency result and report.html. Progress goes to stderr. An unknown
 * scenario lists the available ones and exits with code 2.
 */
import { readdirSync } from 'node:fs';
import { parseCommand, UsageError, type BenchOptions } from './lib/options.js';
import { writeOutputs } from './lib/outputs.js';
import { renderJson, renderText, withRatios, type BenchReport } from './lib/report.js';

interface ScenarioModule {
  run(options: BenchOptions): Promise<BenchReport>;
}

const scenariosDir = new URL('./scenarios/', import.meta.url);
const USAGE = 'usage: npm run bench -- [scenario …] [--json] [--quick | --full] [--out DIR] [--events N] [--reps N]';

/** Names of the built scenarios (dist/bench/scenarios/*.js). */
export function availableScenarios(): string[] {
  return readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3))
    .sort();
}

function usage(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\navailable scenarios: ${availableScenarios().join(', ')}\n`);
  process.exit(2);
}

/** Progress on stderr: "[2/6] ping-pong …" then "[2/6] ping-pong done in 12.3 s"; a ticker every 5 s. */
async function runOne(name: string, index: number, total: number, options: BenchOptions): Promise<BenchReport> {
  const tag = `[${index + 1}/${total}] ${name}`;
  const t0 = performance.now();
  process.stderr.write(`${tag}${options.quick ? ' (quick)' : options.full ? ' (full)' : ''} …\n`);
  // the measuring loops block this thread's event loop, so the ticker only fires between phases
  const ticker = setInterval(
    () => process.stderr.write(`${tag} running, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`),
    5000,
  );
  try {
    const mod = (await import(new URL(`${name}.js`, scenariosDir).href)) as ScenarioModule;
    const report = withRatios(await mod.run(options));
    process.stderr.write(`${tag} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    return report;
  } finally {
    clearInterval(ticker);
  }
}

async function main(): Promise<void> {
  let command;
  try {
    command = parseCommand(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) usage(err.message);
    throw err;
  }
  const available = availableScenarios();
  for (const s of command.scenarios) if (!available.includes(s)) usage(`unknown scenario ${JSON.stringify(s)}`);
  const names = command.scenarios.length > 0 ? command.scenarios : available;
  const reports: BenchReport[] = [];
  for (let i = 0; i < names.length; i++) {
    const report = await runOne(names[i]!, i, names.length, command.options);
    reports.push(report);
    if (!command.options.json) process.stdout.write(`${renderText(report)}\n\n`);
  }
  if (command.options.json) process.stdout.write(`${renderJson(reports.length === 1 ? reports[0]! : reports)}\n`);
  if (command.out !== null) {
    const w = writeOutputs(command.out, reports, new Date().toISOString());
    process.stderr.write(`wrote ${w.json}, ${w.html} and ${w.hgrm.length} .hgrm file(s)\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
