/**
 * Command-line options shared by every scenario: `node dist/bench/main.js [scenario …] [--json]
 * [--quick | --full] [--out DIR] [--events N] [--reps N]`.
 */

/** What a scenario's `run` receives. */
export interface BenchOptions {
  /** Print exactly one JSON object (the BenchReport) on stdout and nothing else there. */
  readonly json: boolean;
  /** Short smoke run: few events, few repetitions. Figures are not meaningful, shapes are. */
  readonly quick: boolean;
  /** Longer run: more events and repetitions where a scenario defines them (see `sized`). */
  readonly full?: boolean;
  /** Events per timed repetition (overrides the scenario's default). */
  readonly events?: number;
  /** Timed repetitions per measurement (overrides the scenario's default). */
  readonly reps?: number;
}

/** What the command line asks for besides the scenario options. */
export interface BenchCommand {
  /** Scenarios to run, in order; empty = the whole suite. */
  readonly scenarios: readonly string[];
  readonly options: BenchOptions;
  /** Directory for the JSON, .hgrm files and the HTML report, or null. */
  readonly out: string | null;
}

/** Thrown for a bad command line; main.ts prints the message and exits with code 2. */
export class UsageError extends Error {}

/** The size for this run: `quick` under --quick, `full` under --full, else `normal`. */
export function sized(options: BenchOptions, quick: number, normal: number, full: number): number {
  return options.quick ? quick : options.full ? full : normal;
}

/** Parses `argv` (without node and the script). */
export function parseCommand(argv: readonly string[]): BenchCommand {
  const scenarios: string[] = [];
  let json = false;
  let quick = false;
  let full = false;
  let out: string | null = null;
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
    else if (flag === '--full') full = true;
    else if (flag === '--events') events = count(flag, inline ?? argv[++i]);
    else if (flag === '--reps') reps = count(flag, inline ?? argv[++i]);
    else if (flag === '--out') {
      out = inline ?? argv[++i] ?? '';
      if (out === '' || out.startsWith('--'))
        throw new UsageError(`--out needs a directory, got ${JSON.stringify(out)}`);
    } else if (flag.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else scenarios.push(arg);
  }
  if (quick && full) throw new UsageError('--quick and --full exclude each other');
  return { scenarios, options: { json, quick, full, events, reps }, out };
}

/** Parses `argv` for one scenario (the first given, or null). */
export function parseArgs(argv: readonly string[]): { scenario: string | null; options: BenchOptions } {
  const c = parseCommand(argv);
  return { scenario: c.scenarios[0] ?? null, options: c.options };
}
