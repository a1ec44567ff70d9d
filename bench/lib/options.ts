/**
 * Command-line options shared by every scenario: `node dist/bench/main.js <scenario> [--json]
 * [--quick] [--events N] [--reps N]`.
 */

/** What a scenario's `run` receives. */
export interface BenchOptions {
  /** Print exactly one JSON object (the BenchReport) on stdout and nothing else there. */
  readonly json: boolean;
  /** Short smoke run: few events, few repetitions. Figures are not meaningful, shapes are. */
  readonly quick: boolean;
  /** Events per timed repetition (overrides the scenario's default). */
  readonly events?: number;
  /** Timed repetitions per measurement (overrides the scenario's default). */
  readonly reps?: number;
}

/** Thrown for a bad command line; main.ts prints the message and exits with code 2. */
export class UsageError extends Error {}

/** Parses `argv` (without node and the script): returns the scenario name and the options. */
export function parseArgs(argv: readonly string[]): { scenario: string | null; options: BenchOptions } {
  let scenario: string | null = null;
  let json = false;
  let quick = false;
  let events: number | undefined;
  let reps: number | undefined;
  const count = (flag: string, raw: string | undefined): number => {
    const v = Number(raw);
    if (raw === undefined || !Number.isSafeInteger(v) || v < 1)
      throw new UsageError(`${flag} needs a positive integer, got ${JSON.stringify(raw)}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    if (flag === '--json') json = true;
    else if (flag === '--quick') quick = true;
    else if (flag === '--events') events = count(flag, inline ?? argv[++i]);
    else if (flag === '--reps') reps = count(flag, inline ?? argv[++i]);
    else if (flag.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (scenario === null) scenario = arg;
    else throw new UsageError(`one scenario at a time, got ${JSON.stringify(scenario)} and ${JSON.stringify(arg)}`);
  }
  return { scenario, options: { json, quick, events, reps } };
}
