/**
 * The README's replication walkthrough ("Walkthrough: leader, standby, read model"), run line by
 * line as a user pastes it: each line of its sh block through bash from the repository root, the
 * server address and /tmp/ringbus-demo replaced by a nats-server of the test's own on a free
 * loopback port and a temporary directory. `npm run build` (the tests run built code) and the
 * nats-server line are left out; lines ending in `&` run in the background, the others to their
 * end. Waits are on what the commands print (JSON lines) and on the walkthrough's own `until`
 * lines, each bounded.
 *
 *   | observed                                                                        | verdict   |
 *   |---------------------------------------------------------------------------------|-----------|
 *   | a stream that differs from the leader's journal (commands or reports)           | FORBIDDEN |
 *   | the standby promoted without every record of the leader, or a hash mismatch     | FORBIDDEN |
 *   | the read model's positions ≠ the exchange's own positions (either leader)       | FORBIDDEN |
 *   | status not showing the leader's lease and its published state hash              | FORBIDDEN |
 *   | box-b not continuing both streams from the promoted standby's directory         | FORBIDDEN |
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { busStreamNames } from '../../src/replication/streamNames.js';
import { startNatsServer, stopAllNatsServers } from '../helpers/natsServer.js';
import { journalBodies, streamBodies, within } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // dist/test/replication → repository root
const HEADING = '### Walkthrough: leader, standby, read model';
const BOUND_MS = 120_000;

/** The lines of the walkthrough's sh block in README.md. */
function walkthroughLines(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(HEADING);
  assert.ok(at >= 0, `README.md has no section ${HEADING}`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(block, 'the walkthrough has an sh block');
  return block[1]!.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

/** A walkthrough line running in bash (its own process group), with its output split into lines. */
class Line {
  readonly command: string;
  readonly child: ChildProcess;
  readonly stdout: string[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  #partial = '';
  #waiters: (() => void)[] = [];

  constructor(prelude: string, command: string) {
    this.command = command;
    this.child = spawn('bash', ['-c', `${prelude}\n${command}`], { cwd: ROOT, detached: true, stdio: 'pipe' });
    this.child.stdout!.on('data', (d: Buffer) => {
      const parts = (this.#partial + d.toString()).split('\n');
      this.#partial = parts.pop()!;
      this.stdout.push(...parts);
      this.#wake();
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        this.#wake();
        resolve(code);
      }),
    );
  }

  /** Every stdout line that is a JSON object. */
  json(): Record<string, any>[] {
    return this.stdout.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
  }

  /** Resolves with the first JSON line `match` accepts (bounded). */
  waitFor(what: string, match: (o: Record<string, any>) => boolean): Promise<Record<string, any>> {
    return within(
      new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = this.json().find(match);
          if (hit) resolve(hit);
          else if (this.child.exitCode !== null || this.child.signalCode !== null)
            reject(new Error(`${this.command} exited before ${what}: ${this.stderr}`));
          else this.#waiters.push(check);
        };
        check();
      }),
      BOUND_MS,
      `${what} (${this.command}; stdout: ${this.stdout.slice(-3).join(' | ')}; stderr: ${this.stderr})`,
    );
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) process.kill(-this.child.pid!, 'SIGTERM');
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

const started: Line[] = [];
const dirs: string[] = [];
after(async () => {
  for (const l of started) l.kill();
  await Promise.all(started.map((l) => within(l.exited, 30_000, `${l.command} to exit`).catch(() => undefined)));
  await stopAllNatsServers();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Positions as both sides print them: accountId → symbolId → position, non-zero only. */
type Positions = Record<string, Record<string, number>>;
const positionsOf = (model: { accounts: Record<string, { positions: Record<string, number> }> }): Positions =>
  Object.fromEntries(
    Object.entries(model.accounts)
      .map(([account, a]) => [account, a.positions] as const)
      .filter(([, p]) => Object.keys(p).length > 0),
  );

describe('the README replication walkthrough', () => {
  it('should run leader, standby, read model and status as written, then fail over to box-b', async () => {
    const server = await startNatsServer();
    const demo = mkdtempSync(join(tmpdir(), 'ringbus-demo-'));
    dirs.push(demo);
    const here = (line: string): string =>
      line.replaceAll('127.0.0.1:4222', server.url).replaceAll('/tmp/ringbus-demo', demo);
    let prelude = '';
    const ran: Line[] = [];
    for (const raw of walkthroughLines()) {
      const line = here(raw.trim());
      if (line.startsWith('npm run build') || line.startsWith('nats-server')) continue; // built already; our own server
      if (line.startsWith('ringbus()')) {
        prelude = line;
        continue;
      }
      const background = line.endsWith('&');
      const l = new Line(prelude, background ? line.slice(0, -1).trim() : line);
      started.push(l);
      ran.push(l);
      if (!background) {
        const code = await within(l.exited, BOUND_MS, `${l.command} (stderr: ${l.stderr})`);
        assert.equal(code, 0, `${l.command}: ${l.stderr}`);
      }
    }
    const find = (what: string, test: (c: string) => boolean): Line => {
      const l = ran.find((r) => test(r.command));
      assert.ok(l, `the walkthrough runs ${what}`);
      return l;
    };
    const leaderA = find('leader box-a', (c) => c.includes('main.js') && c.includes('box-a'));
    const leaderB = find('leader box-b', (c) => c.includes('main.js') && c.includes('box-b'));
    const standby = find('the standby', (c) => c.startsWith('ringbus standby'));
    const readModel = find('the read model', (c) => c.startsWith('ringbus read-model'));
    const status = find('status', (c) => c.startsWith('ringbus replication status'));

    // leader box-a: its summary, written before box-b could lead (the walkthrough waits for the promotion)
    assert.equal(await within(leaderA.exited, BOUND_MS, 'leader box-a'), 0, leaderA.stderr);
    const a = JSON.parse(readFileSync(join(demo, 'leader-a.json'), 'utf8')) as Record<string, any>;
    const b = JSON.parse(readFileSync(join(demo, 'leader-b.json'), 'utf8')) as Record<string, any>;
    assert.equal(a.replication.owner, 'box-a');
    assert.equal(a.replication.term, 1);
    assert.equal(a.replication.commands.replicatedSequence, a.lastSequence, 'every command replicated');
    assert.deepEqual(a.replication.stateHash, { sequence: a.lastSequence, hash: a.stateHash });
    assert.ok(Object.keys(a.positions).length > 0, 'trades moved positions');

    // status, run while box-a led: its lease and (once published) its state hash
    const shown = status.json()[0]!;
    assert.equal(shown.bus, 'orders');
    assert.equal(shown.lease.owner, 'box-a');
    assert.equal(shown.lease.term, 1);
    // the stream's end at that moment: -1 when box-a had not relayed its first record yet, never past its last
    assert.ok(
      Number.isInteger(shown.lastSequence) && shown.lastSequence >= -1 && shown.lastSequence <= a.lastSequence,
      `status lastSequence ${shown.lastSequence}, box-a ended at ${a.lastSequence}`,
    );

    // the standby: its standby line, equal hashes, promotion with every record box-a journaled
    await standby.waitFor('the standby line', (o) => o.event === 'standby');
    const promoted = await standby.waitFor('the promotion', (o) => o.event === 'promoted');
    assert.equal(promoted.term, 2);
    assert.equal(promoted.lastSequence, a.lastSequence);
    const checks = standby.json().filter((o) => o.event === 'hash-ok' || o.event === 'hash-bad');
    assert.ok(checks.length > 0, `the standby checked the state hash: ${standby.stdout.join(' | ')}`);
    for (const c of checks) assert.equal(c.event, 'hash-ok', JSON.stringify(c));
    for (const c of checks) assert.equal(c.leader, c.standby);
    assert.ok(
      checks.some((c) => c.sequence === a.lastSequence && c.leader === a.stateHash),
      'a check at box-a last published state hash',
    );

    // box-b led on the standby's directory: recovered all of box-a's commands, same stream, term 2
    assert.equal(await leaderB.exited, 0, leaderB.stderr);
    // the hot standby handed over a snapshot of its live state (record last + 1): box-b replays nothing
    assert.equal(promoted.snapshotSequence, a.lastSequence + 1);
    assert.match(
      leaderB.stderr,
      new RegExp(`resumed \\(snapshot ${a.lastSequence + 1} \\+ 0 journaled events\\); leading bus orders`),
    );
    assert.equal(b.replication.owner, 'box-b');
    assert.equal(b.replication.term, 2);
    assert.deepEqual(b.recovered, { fromSnapshot: a.lastSequence + 1, replayed: 0 });
    assert.equal(b.replication.commands.replicatedSequence, b.lastSequence);
    assert.ok(b.replication.reports.replicatedSequence > a.replication.reports.replicatedSequence);

    // both streams hold exactly the journals: box-a's is a prefix of box-b's (the standby's mirror, continued)
    const commands = await streamBodies(server.url, busStreamNames('orders').stream);
    const journalA = journalBodies(join(demo, 'a'));
    const journalB = journalBodies(join(demo, 'b'));
    assert.equal(journalA.length, a.lastSequence + 1);
    assert.equal(commands.length, journalB.length);
    commands.forEach((m, s) => assert.ok(Buffer.from(m).equals(Buffer.from(journalB[s]!)), `command record ${s}`));
    journalA.forEach((r, s) => assert.ok(Buffer.from(r).equals(Buffer.from(journalB[s]!)), `box-a record ${s}`));
    const reports = await streamBodies(server.url, busStreamNames('orders-reports').stream);
    const reportsB = journalBodies(join(demo, 'b', 'reports'));
    assert.equal(reports.length, b.replication.reports.replicatedSequence + 1);
    assert.equal(reportsB.length, reports.length);
    reports.forEach((m, s) => assert.ok(Buffer.from(m).equals(Buffer.from(reportsB[s]!)), `report record ${s}`));
    journalBodies(join(demo, 'a', 'reports')).forEach((r, s) =>
      assert.ok(Buffer.from(r).equals(Buffer.from(reports[s]!)), `box-a report record ${s}`),
    );

    // the read model, a process of its own: the exchange's own positions after each leader
    const atA = await readModel.waitFor(
      "box-a's last report",
      (o) => o.applied === a.replication.reports.replicatedSequence,
    );
    assert.deepEqual(positionsOf(atA.model), a.positions);
    const atB = await readModel.waitFor(
      "box-b's last report",
      (o) => o.applied === b.replication.reports.replicatedSequence,
    );
    assert.deepEqual(positionsOf(atB.model), b.positions);
    assert.equal(atB.lag.events, 0);
    // trades are zero-sum: cash moved and positions per symbol add up to 0 over the accounts
    const accounts = Object.values(atB.model.accounts as Record<string, { cash: number; positions: object }>);
    assert.equal(
      accounts.reduce((sum, x) => sum + x.cash, 0),
      0,
    );
  });
});
