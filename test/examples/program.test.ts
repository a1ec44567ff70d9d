/**
 * `npm run example` as people run it: the built program in child processes, with real signals.
 * Waits are on markers (a line on stderr, journal bytes on disk), each with a generous bound.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROGRAM = fileURLToPath(new URL('../../examples/order-matching/main.js', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const BOUND_MS = 120_000;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { encoding: 'utf8', timeout: BOUND_MS }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr });
    });
  });
}

const example = (...args: string[]): Promise<Run> => run(PROGRAM, args);

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ringbus-program-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resolves once `check()` is true, polling every 20 ms; rejects after BOUND_MS. */
async function waitFor(what: string, check: () => boolean): Promise<void> {
  const until = Date.now() + BOUND_MS;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function journalBytes(dataDir: string): number {
  try {
    const dir = join(dataDir, 'journal');
    return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  } catch {
    return 0;
  }
}

const LATENCY_KEYS = ['p50', 'p90', 'p99', 'p999', 'p9999', 'max'];

function assertPercentiles(p: Record<string, number>, what: string): void {
  assert.deepEqual(Object.keys(p), LATENCY_KEYS, what);
  for (const k of LATENCY_KEYS) assert.ok(Number.isFinite(p[k]) && p[k]! > 0, `${what}.${k} = ${p[k]}`);
  for (let i = 1; i < LATENCY_KEYS.length; i++)
    assert.ok(p[LATENCY_KEYS[i - 1]!]! <= p[LATENCY_KEYS[i]!]!, `${what}: percentiles must not decrease`);
}

describe('the order-matching program', () => {
  it('should print usage naming every flag with --help and exit 0', async () => {
    const r = await example('--help');
    assert.equal(r.code, 0, r.stderr);
    for (const flag of [
      'orders',
      'symbols',
      'accounts',
      'seed',
      'rate',
      'rates',
      'duration',
      'data-dir',
      'fsync',
      'capacity',
      'warmup',
      'json',
      'help',
      'replicate',
      'bus',
      'replication',
      'owner',
      'lease-ms',
      'state-hash-ms',
      'term',
    ])
      assert.match(r.stdout, new RegExp(`--${flag}\\b`), flag);
  });

  it('should refuse each bad flag or value with one line naming it and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--seed', '4294967296'], /--seed "4294967296"/],
      [['--seed=-1'], /--seed "-1"/],
      [['--orders', '0'], /--orders "0"/],
      [['--orders', 'lots'], /--orders "lots"/],
      [['--rate', '2.5'], /--rate "2.5"/],
      [['--rates', '50k,fast'], /--rates "50k,fast"/],
      [['--rate', '10k', '--rates', '50k'], /--rates "50k"/],
      [['--symbols', '1001'], /--symbols "1001"/],
      [['--accounts', '0'], /--accounts "0"/],
      [['--duration', '0'], /--duration "0"/],
      [['--fsync', 'sometimes'], /--fsync "sometimes"/],
      [['--capacity', '3000'], /--capacity "3000"/],
      [['--warmup=-1'], /--warmup "-1"/],
      [['--warmup', '20M'], /--warmup "20M"/],
      [['--data-dir', ''], /--data-dir ""/],
      [['--frobnicate'], /--frobnicate/],
      [['--seed'], /--seed/],
      [['extra'], /extra/],
      [['--replicate', '127.0.0.1:4222'], /--replicate "127.0.0.1:4222": expected a --data-dir too/],
      [['--replicate', '', '--data-dir', 'd'], /--replicate ""/],
      [['--replicate', 'n:1', '--data-dir', 'd', '--rates', '50k'], /--replicate "n:1": expected a single run/],
      [['--bus', 'orders'], /--bus "orders": expected to come with --replicate/],
      [['--replicate', 'n:1', '--data-dir', 'd', '--bus', 'a.b'], /--bus "a.b"/],
      [['--replicate', 'n:1', '--data-dir', 'd', '--replication', 'eventually'], /--replication "eventually"/],
      [['--replicate', 'n:1', '--data-dir', 'd', '--lease-ms', '10'], /--lease-ms "10"/],
      [['--replicate', 'n:1', '--data-dir', 'd', '--state-hash-ms', 'often'], /--state-hash-ms "often"/],
      [['--replicate', 'n:1', '--data-dir', 'd', '--term', '0'], /--term "0"/],
      [['--replicate', 'n:1', '--data-dir', 'd', '--owner', ''], /--owner ""/],
    ];
    for (const [args, names] of cases) {
      const r = await example(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `${args.join(' ')}: one line, got ${r.stderr}`);
      assert.match(lines[0]!, names, args.join(' '));
    }
  });

  it('should print one JSON object with the documented shape', async () => {
    const r = await example('--orders', '3k', '--symbols', '3', '--accounts', '5', '--seed', '7', '--json');
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout) as Record<string, any>;
    for (const key of [
      'orders',
      'accepted',
      'rejected',
      'trades',
      'volume',
      'ordersPerSec',
      'latencyNs',
      'stateHash',
      'lastSequence',
      'placement',
      'machine',
    ])
      assert.ok(key in o, key);
    assert.equal(o.orders, 3000);
    const rejected = Object.values(o.rejected as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.equal(o.accepted + rejected, 3000);
    assert.ok(rejected > 0, 'the flow includes orders built to fail risk');
    assert.ok(o.trades > 0 && o.volume >= o.trades);
    assert.ok(o.ordersPerSec > 0);
    assert.match(o.stateHash, /^[0-9a-f]{64}$/);
    assert.ok(o.lastSequence >= 3000);
    assert.equal(o.topOfBook.length, 3);
    assert.ok(o.placement.workers.some((w: { handlers: string[] }) => w.handlers.includes('exchange')));
    assert.ok(typeof o.machine.hiccups.maxGapNs === 'number');
    assertPercentiles(o.latencyNs.reportOut, 'reportOut');
    assertPercentiles(o.latencyNs.durableAck, 'durableAck');
  });

  it('should leave the state as it was without a warm-up (same hash, counts and sequence)', async () => {
    const base = ['--orders', '4000', '--seed', '11', '--json'];
    const cold = JSON.parse((await example(...base, '--warmup', '0')).stdout) as Record<string, any>;
    const warm = JSON.parse((await example(...base, '--warmup', '30k')).stdout) as Record<string, any>;
    assert.equal(cold.warmupCommands, 0);
    assert.equal(warm.warmupCommands, 30_000);
    assert.equal(warm.stateHash, cold.stateHash);
    assert.equal(warm.lastSequence, cold.lastSequence);
    assert.deepEqual(warm.rejected, cold.rejected);
    assert.equal(warm.trades, cold.trades);
  });

  it('should measure latency percentiles in paced mode', async () => {
    const r = await example('--rate', '5k', '--orders', '2000', '--json');
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout) as Record<string, any>;
    assert.equal(o.mode, 'paced');
    assert.equal(o.orders, 2000);
    assertPercentiles(o.latencyNs.reportOut, 'reportOut');
    assertPercentiles(o.latencyNs.durableAck, 'durableAck');
  });

  it('should print a latency-versus-load table with --rates, stopping at the first saturated rate', async () => {
    const r = await example('--rates', '2k,3k', '--duration', '300ms', '--json');
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout) as Record<string, any>;
    assert.ok(o.rates.length >= 1 && o.rates.length <= 2);
    o.rates.forEach((row: Record<string, any>, i: number) => {
      assert.equal(row.rate, [2000, 3000][i]);
      assert.ok(row.achieved > 0);
      assertPercentiles(row.reportOut, `rates[${i}].reportOut`);
      assertPercentiles(row.durableAck, `rates[${i}].durableAck`);
    });
    // a noisy machine may saturate early: then the table ends at that row and names it
    const last = o.rates[o.rates.length - 1];
    assert.equal(o.saturatedAt, last.saturated ? last.rate : null);
    assert.ok(o.rates.slice(0, -1).every((row: { saturated: boolean }) => !row.saturated));
    if (o.saturatedAt === null) assert.equal(o.rates.length, 2);
  });

  it('should stop on SIGINT with a snapshot, resume on the next run, and replay to the same state hash', async () => {
    await withDir(async (dir) => {
      const dataDir = join(dir, 'data');
      // paced so that the run is still publishing whenever the signal comes
      const child = spawn(process.execPath, [PROGRAM, '--data-dir', dataDir, '--rate', '20k', '--json'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        await waitFor('the publishing marker', () => stderr.includes('publishing'));
        await waitFor('journaled orders', () => journalBytes(dataDir) > 64 * 1024);
        child.kill('SIGINT');
        assert.equal(await exited, 0, stderr);
      } finally {
        child.kill('SIGKILL');
      }
      const first = JSON.parse(stdout) as Record<string, any>;
      assert.equal(first.stoppedBy, 'signal');
      assert.ok(first.orders > 0);
      const replayed = await run(CLI, ['replay', '--data-dir', dataDir, '--json']);
      assert.equal(replayed.code, 0, replayed.stderr);
      assert.equal(JSON.parse(replayed.stdout).stateHash, first.stateHash);
      assert.ok(JSON.parse(replayed.stdout).snapshot !== null, 'replay starts from the snapshot the signal wrote');

      const second = await example('--data-dir', dataDir, '--orders', '1000', '--json');
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stderr, /resumed/);
      const resumed = JSON.parse(second.stdout) as Record<string, any>;
      assert.equal(resumed.orders, 1000, 'counts are this run only');
      // the flow never repeats an id within a run; a resume that restarted the ids would be all duplicates
      assert.equal(resumed.rejected.DUPLICATE_ORDER_ID, undefined, 'order ids continue above the recovered ones');
      assert.ok(resumed.accepted > 0 && resumed.trades > 0);
      assert.ok(resumed.recovered.fromSnapshot !== null);
      assert.ok(resumed.lastSequence > first.lastSequence);
      assert.notEqual(resumed.stateHash, first.stateHash);
      const again = await run(CLI, ['replay', '--data-dir', dataDir, '--json']);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(JSON.parse(again.stdout).stateHash, resumed.stateHash);
    });
  });

  it('should fail fast with a coded one-line error on an unusable data directory', async () => {
    await withDir(async (dir) => {
      const file = join(dir, 'a-file');
      writeFileSync(file, 'not a directory');
      for (const dataDir of ['/proc/ringbus-nope', file, join(file, 'below')]) {
        const r = await example('--data-dir', dataDir, '--orders', '10');
        assert.equal(r.code, 1, `${dataDir}: ${r.stderr}`);
        const lines = r.stderr.trimEnd().split('\n');
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0]!, /RINGBUS_ERR_DATA_DIR_UNUSABLE/);
        assert.ok(lines[0]!.includes(dataDir), lines[0]);
      }
    });
  });
});
