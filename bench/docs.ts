/**
 * Regenerates docs/benchmarks.md and the targets table in the README's performance section:
 *   npm run bench:docs [-- scenario … --quick | --full …]
 * runs `node dist/bench/main.js <args> --json --out bench-results` (progress on stderr; the
 * JSON, .hgrm files and HTML report stay in bench-results/), then writes the Markdown tables of
 * every report and replaces the README's text between the `bench:targets` markers.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderMarkdown, renderTargets } from './lib/markdown.js';
import type { BenchReport } from './lib/report.js';

const root = new URL('../../', import.meta.url);
const BEGIN = '<!-- bench:targets:begin -->';
const END = '<!-- bench:targets:end -->';

function main(): void {
  const args = process.argv.slice(2);
  const out = fileURLToPath(new URL('bench-results/', root));
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(new URL('main.js', import.meta.url)), ...args, '--json', '--out', out],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 30 },
  );
  if (r.status !== 0) {
    process.stderr.write(`bench:docs: the benchmark run failed (exit ${String(r.status)})\n`);
    process.exit(r.status ?? 1);
  }
  const parsed = JSON.parse(r.stdout) as BenchReport | BenchReport[];
  const reports = Array.isArray(parsed) ? parsed : [parsed];
  const command = `npm run bench:docs${args.length ? ` -- ${args.join(' ')}` : ''}`;
  const generatedAt = new Date().toISOString();
  const docs = new URL('docs/benchmarks.md', root);
  writeFileSync(docs, renderMarkdown(reports, generatedAt, command));
  const readme = new URL('README.md', root);
  const text = readFileSync(readme, 'utf8');
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${BEGIN} … ${END} block to update`);
  const block = `${BEGIN}\nTargets, from \`${command}\` on ${reports[0]?.machine.cpuModel ?? '?'} × ${reports[0]?.machine.cpus ?? '?'} (${generatedAt.slice(0, 10)}; all tables in [docs/benchmarks.md](docs/benchmarks.md)):\n\n${renderTargets(reports)}\n`;
  writeFileSync(readme, text.slice(0, a) + block + text.slice(b));
  process.stderr.write(`bench:docs: wrote ${fileURLToPath(docs)}, updated README.md; raw results in ${out}\n`);
}

main();
