/**
 * `npm run example`: the order-matching exchange as a program (flags in cli/args.ts, run by
 * cli/run.ts, printed by cli/summary.ts). Flat out it measures throughput; with --rate it paces
 * the orders and measures latency from each order's scheduled send time; --rates prints a
 * latency-versus-load table. Ctrl-C (SIGINT) or SIGTERM stops publishing, drains, writes a
 * snapshot and prints the summary; a second run with the same --data-dir resumes.
 *
 * Exit status: 0 ok (also after Ctrl-C), 1 failure (one line: the RINGBUS_ERR_* code and message),
 * 2 bad usage (one line naming the flag and the value). A second Ctrl-C exits at once with 130.
 */
import { pathToFileURL } from 'node:url';
import { parseProgramArgs, UsageError, USAGE, type ProgramArgs } from './cli/args.js';
import { createProgress } from './cli/progress.js';
import { runRates } from './cli/rates.js';
import { runProgram } from './cli/run.js';
import {
  formatRateRow,
  formatRatesFooter,
  formatSummary,
  RATES_HEADER,
  ratesJson,
  summaryJson,
} from './cli/summary.js';

export { buildOrderMatchingBus, buildOrderMatchingStages, type OrderMatchingBusOptions } from './bus.js';

const say = (text: string): boolean => process.stderr.write(`${text}\n`);

function describePlan(a: ProgramArgs): string {
  const count = Number.isFinite(a.orders) ? `${a.orders.toLocaleString('en')} orders` : 'orders';
  const limit = a.durationSec === null ? '' : ` for up to ${a.durationSec} s`;
  const pace = a.rate === null ? 'flat out' : `at ${a.rate.toLocaleString('en')} orders/s`;
  return `${count} ${pace}${limit}`;
}

async function main(argv: readonly string[]): Promise<number> {
  let args: ProgramArgs;
  try {
    args = parseProgramArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    say(`order-matching: ${error.message}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stop = { requested: false };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.requested) process.exit(130); // second signal: give up at once
    stop.requested = true;
    say(`\norder-matching: ${signal}: stopping publishing, draining, writing a snapshot`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  if (args.rates !== null) {
    if (!args.json) say(`order-matching: latency versus load, ${args.durationSec} s per rate`);
    if (!args.json) process.stdout.write(`${RATES_HEADER.join('\n')}\n`);
    const report = await runRates(args, stop, (row) => {
      if (!args.json) process.stdout.write(`${formatRateRow(row)}\n`);
    });
    process.stdout.write(`${args.json ? JSON.stringify(ratesJson(report)) : formatRatesFooter(report)}\n`);
    return 0;
  }

  const progress = createProgress(process.stderr, process.stderr.isTTY === true && !args.json, args);
  const report = await runProgram(args, stop, {
    onStart(s) {
      const resumed =
        s.recovered.fromSnapshot !== null || s.recovered.replayed > 0
          ? `resumed (snapshot ${s.recovered.fromSnapshot ?? 'none'} + ${s.recovered.replayed} journaled events); `
          : '';
      const r = args.replicate;
      const leading = r
        ? `leading bus ${r.bus} (${r.mode} replication to ${r.servers}, reports to ${r.bus}-reports); `
        : '';
      say(`order-matching: ${resumed}${leading}publishing ${describePlan(args)} (Ctrl-C stops, drains and snapshots)`);
    },
    progress: (published) => progress.update(published),
  });
  progress.done();
  process.stdout.write(`${args.json ? JSON.stringify(summaryJson(report)) : formatSummary(report)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error & { code?: string }) => {
      say(`order-matching: ${error.code ? `${error.code}: ` : ''}${error.message}`);
      process.exitCode = 1;
    },
  );
}
