/**
 * Command line of `npm run example`: every flag, its range and its default, and the usage text.
 * A bad flag or value becomes a UsageError whose one-line message names the flag and the value;
 * main.ts prints it and exits with code 2 (no stack trace).
 */
import { parseArgs } from 'node:util';
import { parseFsyncFlag, type FsyncPolicy } from '../../../src/index.js';

export interface ProgramArgs {
  readonly help: boolean;
  /** Orders to publish this run (Infinity: until --duration or Ctrl-C). */
  readonly orders: number;
  readonly symbols: number;
  readonly accounts: number;
  readonly seed: number;
  /** Offered load in orders/s; null: flat out (as fast as back-pressure allows). */
  readonly rate: number | null;
  /** Stop publishing after this many seconds (null: no limit). */
  readonly durationSec: number | null;
  /** --rates: one paced run per rate (latency-versus-load table); null: a single run. */
  readonly rates: readonly number[] | null;
  /** '' when none was given (a temporary directory, removed at exit). */
  readonly dataDir: string;
  readonly fsync: FsyncPolicy;
  readonly capacity: number;
  /** Commands of a scratch flow the engine and the producer warm up on before the run (0: none). */
  readonly warmup: number;
  readonly json: boolean;
  /** --replicate: run as the replication leader (cli/leader.ts); null: no replication. */
  readonly replicate: ReplicateArgs | null;
}

export interface ReplicateArgs {
  /** NATS server URL(s), comma-separated. */
  readonly servers: string;
  /** Bus name in NATS (stream RINGBUS_<BUS>); the reports go to `<bus>-reports`. */
  readonly bus: string;
  readonly mode: 'sync' | 'async';
  /** Lease owner (default `<hostname>:<pid>`). */
  readonly owner: string | null;
  readonly leaseMs: number;
  /** Publish the state hash for standbys this often (0: only at the end of the run). */
  readonly stateHashMs: number;
  /** Adopt this lease term (the one `ringbus standby` printed on promotion) instead of acquiring the lease. */
  readonly term: number | null;
}

export class UsageError extends Error {}

export const DEFAULT_ORDERS = 200_000;
export const DEFAULT_WARMUP = 100_000;
const MAX_ORDERS = 1e12;
const MAX_RATE = 10_000_000;

export const USAGE = `Usage: npm run example -- [options]
       node dist/examples/order-matching/main.js [options]

Runs a seeded command flow through the exchange engine (journal ∥ exchange: risk → match → settle;
ack after journal and exchange) and prints a summary. Counts and rates accept k and M suffixes (200k = 200000).

  --orders N      orders to publish this run (default ${DEFAULT_ORDERS.toLocaleString('en')}; 1 to 1e12); with
                  --duration and no --orders, orders are published until the duration ends
  --symbols S     symbols, 1 to 1000 (default 4)
  --accounts A    accounts, 1 to 100000 (default 8)
  --seed X        command-flow seed, an integer in [0, 4294967295] (default 42)
  --rate R        paced mode: offer R orders/s (1 to 10M) and measure latency from each order's
                  scheduled send time (coordinated omission corrected); without it: flat out
  --rates L       latency-versus-load table: one paced run per rate in the comma list
                  (e.g. 50k,100k,200k,500k,1M), each of --duration seconds (default 2), stopping
                  at the first rate the engine cannot sustain
  --duration T    stop publishing after T seconds (e.g. 5, 1.5, 500ms)
  --data-dir D    keep the journal and snapshots in D; a second run recovers from them and continues
                  (default: a temporary directory, removed at exit)
  --fsync P       journal fsync policy: batch (default), none, or a number of ms
  --capacity N    ring capacity, a power of two from 1024 to 1M (default 65536)
  --warmup N      before the run, the engine worker and the producer run N commands of a separate
                  seeded flow through a scratch engine and a scratch ring, so that measured orders
                  run on optimised code; nothing of it is journaled or kept (0 to 10M, default 100k)
  --json          print one JSON object instead of the summary (no progress bar)
  --help          print this text

Replication leader (NATS JetStream; needs --data-dir; not with --rates):
  --replicate URLS     run as the leader of the bus in NATS: take the lease, ship the journal to
                       its stream (BusReplication) and the execution reports, journaled on a
                       reports bus of their own in D/reports, to the stream of <bus>-reports
  --bus NAME           bus name in NATS: 1 to 56 letters, digits, '-' or '_' (default orders)
  --replication MODE   sync: acknowledge only what the stream holds (default); async: lag bounded
  --owner ID           lease owner (default <hostname>:<pid>)
  --lease-ms MS        lease duration, 30 to 600000 (default 3000)
  --state-hash-ms MS   publish the state hash for standbys every MS ms, 0 to 3600000 (default 1000;
                       0: only at the end of the run)
  --term T             adopt the lease term a promoted standby printed (its --owner) instead of
                       acquiring the lease

Ctrl-C (SIGINT) or SIGTERM stops publishing, drains, writes a snapshot, prints the summary and exits 0.
Exit status: 0 ok, 1 failure (a coded RINGBUS_ERR_* message), 2 bad usage.`;

/** `200k`, `1.5M`, `1e6`, `250000` → the number; NaN when not a number. */
export function parseCount(text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?(?:e[0-9]+)?)([kKmM]?)$/.exec(text.trim());
  if (!m) return Number.NaN;
  const scale = m[2] === '' ? 1 : m[2] === 'k' || m[2] === 'K' ? 1e3 : 1e6;
  return Number(m[1]) * scale;
}

function bad(flag: string, value: string, expected: string): never {
  throw new UsageError(`--${flag} ${JSON.stringify(value)}: expected ${expected}`);
}

function integer(flag: string, value: string | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = parseCount(value);
  if (!Number.isInteger(n) || n < min || n > max) bad(flag, value, `an integer in [${min}, ${max}]`);
  return n;
}

function seconds(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s)?$/.exec(value.trim());
  const sec = m ? Number(m[1]) / (m[2] === 'ms' ? 1000 : 1) : Number.NaN;
  if (!(sec > 0 && sec <= 86_400)) bad('duration', value, 'a time above 0 and up to 86400 s (e.g. 5, 1.5s, 500ms)');
  return sec;
}

/** The one fsync parser (src/persistence/fsyncPolicy.ts); its coded error becomes a one-line usage error. */
function fsyncPolicy(value: string | undefined): FsyncPolicy {
  if (value === undefined) return 'batch';
  try {
    return parseFsyncFlag(value, '--fsync');
  } catch {
    return bad('fsync', value, 'batch, none, or a number of ms above 0');
  }
}

/** Parses argv (without node and the script). Throws UsageError on anything wrong. */
export function parseProgramArgs(argv: readonly string[]): ProgramArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        orders: { type: 'string' },
        symbols: { type: 'string' },
        accounts: { type: 'string' },
        seed: { type: 'string' },
        rate: { type: 'string' },
        rates: { type: 'string' },
        duration: { type: 'string' },
        'data-dir': { type: 'string' },
        fsync: { type: 'string' },
        capacity: { type: 'string' },
        warmup: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        replicate: { type: 'string' },
        bus: { type: 'string' },
        replication: { type: 'string' },
        owner: { type: 'string' },
        'lease-ms': { type: 'string' },
        'state-hash-ms': { type: 'string' },
        term: { type: 'string' },
      },
    }));
  } catch (error) {
    // node's messages name the flag ("Unknown option '--x'", "Option '--seed <value>' argument missing")
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
  const str = (k: string): string | undefined => values[k] as string | undefined;
  const durationSec = seconds(str('duration'));
  const rate = str('rate') === undefined ? null : integer('rate', str('rate'), 1, MAX_RATE, 0);
  let rates: number[] | null = null;
  if (str('rates') !== undefined) {
    const list = str('rates')!.split(',');
    rates = list.map((r) => {
      const n = parseCount(r);
      if (!Number.isInteger(n) || n < 1 || n > MAX_RATE)
        bad('rates', str('rates')!, `rates in [1, ${MAX_RATE}], e.g. 50k,100k,1M`);
      return n;
    });
    if (rate !== null) bad('rates', str('rates')!, 'either --rate or --rates, not both');
  }
  if (str('data-dir') !== undefined && str('data-dir')!.trim() === '') bad('data-dir', '', 'a directory path');
  const capacity = integer('capacity', str('capacity'), 1024, 1 << 20, 1 << 16);
  if ((capacity & (capacity - 1)) !== 0) bad('capacity', str('capacity')!, 'a power of two');
  const orders =
    str('orders') !== undefined
      ? integer('orders', str('orders'), 1, MAX_ORDERS, 0)
      : durationSec !== null || rates !== null
        ? Infinity
        : DEFAULT_ORDERS;
  return {
    help: values.help === true,
    orders,
    symbols: integer('symbols', str('symbols'), 1, 1000, 4),
    accounts: integer('accounts', str('accounts'), 1, 100_000, 8),
    seed: integer('seed', str('seed'), 0, 0xffffffff, 42),
    rate,
    durationSec: durationSec ?? (rates !== null ? 2 : null),
    rates,
    dataDir: str('data-dir') ?? '',
    fsync: fsyncPolicy(str('fsync')),
    capacity,
    warmup: integer('warmup', str('warmup'), 0, 10_000_000, DEFAULT_WARMUP),
    json: values.json === true,
    replicate: replicateArgs(str, rates !== null),
  };
}

const REPLICATION_FLAGS = ['bus', 'replication', 'owner', 'lease-ms', 'state-hash-ms', 'term'] as const;

/** The replication flags (null without --replicate; any of the others without it is a usage error). */
function replicateArgs(str: (k: string) => string | undefined, rates: boolean): ReplicateArgs | null {
  const servers = str('replicate');
  if (servers === undefined) {
    for (const f of REPLICATION_FLAGS) if (str(f) !== undefined) bad(f, str(f)!, 'to come with --replicate URLS');
    return null;
  }
  if (servers.trim() === '') bad('replicate', servers, 'NATS server URL(s), e.g. 127.0.0.1:4222');
  if (rates) bad('replicate', servers, 'a single run: not with --rates');
  if (str('data-dir') === undefined) bad('replicate', servers, 'a --data-dir too (the journal outlives the run)');
  const bus = str('bus') ?? 'orders';
  if (!/^[A-Za-z0-9_-]{1,56}$/.test(bus)) bad('bus', bus, "1 to 56 letters, digits, '-' or '_'");
  const mode = str('replication') ?? 'sync';
  if (mode !== 'sync' && mode !== 'async') bad('replication', mode, 'sync or async');
  const owner = str('owner') ?? null;
  if (owner !== null && owner.trim() === '') bad('owner', owner, 'a non-empty name');
  return {
    servers,
    bus,
    mode,
    owner,
    leaseMs: integer('lease-ms', str('lease-ms'), 30, 600_000, 3000),
    stateHashMs: integer('state-hash-ms', str('state-hash-ms'), 0, 3_600_000, 1000),
    term: str('term') === undefined ? null : integer('term', str('term'), 1, Number.MAX_SAFE_INTEGER, 1),
  };
}
