/**
 * Benchmark entry point: `npm run bench -- <scenario> [--json] [--quick] [--events N] [--reps N]`
 * (or `node dist/bench/main.js …` after a build).
 *
 * Each scenario is a module bench/scenarios/<name>.ts exporting
 *   `async function run(options: BenchOptions): Promise<BenchReport>`
 * that measures its variants and its baseline in the same run. Text mode prints a table with
 * ratios against the baseline, the machine and the placement; `--json` prints exactly one JSON
 * object (the BenchReport) on stdout. An unknown or missing scenario lists the available ones
 * and exits with code 2.
 */
import { readdirSync } from 'node:fs';
import { parseArgs, UsageError, type BenchOptions } from './lib/options.js';
import { renderJson, renderText, type BenchReport } from './lib/report.js';

interface ScenarioModule {
  run(options: BenchOptions): Promise<BenchReport>;
}

const scenariosDir = new URL('./scenarios/', import.meta.url);

/** Names of the built scenarios (dist/bench/scenarios/*.js). */
export function availableScenarios(): string[] {
  return readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3))
    .sort();
}

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run bench -- <scenario> [--json] [--quick] [--events N] [--reps N]\navailable scenarios: ${availableScenarios().join(', ')}\n`,
  );
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) usage(err.message);
    throw err;
  }
  const { scenario, options } = parsed;
  if (scenario === null) usage('no scenario given');
  if (!availableScenarios().includes(scenario)) usage(`unknown scenario ${JSON.stringify(scenario)}`);
  const mod = (await import(new URL(`${scenario}.js`, scenariosDir).href)) as ScenarioModule;
  if (!options.json) process.stderr.write(`running ${scenario}${options.quick ? ' (quick)' : ''}…\n`);
  const report = await mod.run(options);
  process.stdout.write(`${options.json ? renderJson(report) : renderText(report)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
