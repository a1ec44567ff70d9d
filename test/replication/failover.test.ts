/**
 * Failover with real processes and a real nats-server: leader A runs a journaled bus with
 * BusReplication in mode 'sync', and its ack stage, placed after the bus's replicated line, prints
 * "ack <seq>" only for events the stream holds; standby B mirrors the stream and checks
 * its state hash against the hash A publishes. A is SIGKILLed mid-load; B takes the lease,
 * applies the stream and goes live at the next sequence. Then A returns on its old data directory:
 * it finds the lease held, moves its diverged journal aside if it has to, and follows B as a
 * standby whose state hash matches B's.
 *
 *   | outcome                                                              | verdict   |
 *   |----------------------------------------------------------------------|-----------|
 *   | every sequence A acknowledged is in B's journal, byte-identical      | required  |
 *   | B continues at promoted.last + 1 and acknowledges new events         | required  |
 *   | standby hash == leader hash at the leader's published sequences      | required  |
 *   | returning A never leads while B holds the lease                      | required  |
 *   | events A journaled but never acknowledged are dropped                | allowed   |
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { busStreamNames } from '../../src/replication/streamNames.js';
import { startNatsServer, stopAllNatsServers } from '../helpers/natsServer.js';
import { journalBodies, streamBodies } from './helpers.js';

const NODE = fileURLToPath(new URL('./fixtures/node.js', import.meta.url));
const children = new Set<ChildProcess>();
const dirs: string[] = [];

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await stopAllNatsServers();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Node {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first line (seen so far or later) that matches; rejects after `ms` or when the child exits. */
  waitFor(test: (line: string) => boolean, ms: number, what: string): Promise<string>;
  kill(): Promise<void>;
}

function startNode(dataDir: string, server: string, owner: string): Node {
  const child = spawn(process.execPath, [NODE, dataDir, server, 'fo', owner, '1500'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let stderr = '';
  let buffered = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    for (const l of listeners) l();
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
    children.delete(child);
    for (const l of listeners) l();
  });
  return {
    child,
    lines,
    waitFor: (test, ms, what) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = lines.find(test);
          if (hit !== undefined || exited) {
            listeners.delete(check);
            clearTimeout(timer);
            if (hit !== undefined) resolve(hit);
            else
              reject(
                new Error(
                  `${owner} exited before ${what}; stdout:\n${lines.slice(-20).join('\n')}\nstderr:\n${stderr}`,
                ),
              );
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(
              `${owner}: no ${what} within ${ms} ms; stdout:\n${lines.slice(-20).join('\n')}\nstderr:\n${stderr}`,
            ),
          );
        }, ms);
        listeners.add(check);
        check();
      }),
    kill: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

const acks = (n: Node): number[] => n.lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
const num = (line: string, i: number): number => Number(line.split(' ')[i]);

describe('failover', () => {
  it('should take over on SIGKILL of the leader without losing an acknowledged event, and fence the old leader', async () => {
    const server = await startNatsServer();
    const root = mkdtempSync(join(tmpdir(), 'ringbus-failover-'));
    dirs.push(root);
    const dirA = join(root, 'a');
    const dirB = join(root, 'b');

    const a = startNode(dirA, server.url, 'A');
    await a.waitFor((l) => l === 'lead', 30_000, 'lead');
    await a.waitFor((l) => l.startsWith('ack ') && num(l, 1) >= 300, 60_000, 'ack ≥ 300');
    const b = startNode(dirB, server.url, 'B');
    await b.waitFor((l) => l === 'standby', 30_000, 'standby');
    // hot: B's handlers hashed their live state at A's own hash record (no replay)
    const hashOk = await b.waitFor(
      (l) => l.startsWith('hash-ok ') && l.endsWith(' live'),
      60_000,
      'a matching live state hash',
    );
    assert.ok(a.lines.includes(`hash-published ${num(hashOk, 1)}`), 'B compared against a hash A published');
    assert.equal(b.lines.filter((l) => l.startsWith('hash-bad')).length, 0, b.lines.join('\n'));

    // SIGKILL A mid-load, after a few more acknowledged batches
    const before = Math.max(...acks(a));
    await a.waitFor((l) => l.startsWith('ack ') && num(l, 1) > before + 200, 60_000, 'more acks');
    await a.kill();
    const maxAckA = Math.max(...acks(a));

    const promoted = await b.waitFor((l) => l.startsWith('promoted '), 60_000, 'promotion');
    const last = num(promoted, 2);
    // the gated ack stage acknowledged only replicated events: all of them are in what B applied
    assert.ok(
      last >= maxAckA,
      `B went live after sequence ${last}, but A's gated ack stage had acknowledged ${maxAckA}`,
    );
    assert.equal(num(promoted, 1), 2, 'term 2');
    // the hot standby hands over with a snapshot of its live state (record last + 1): nothing is replayed
    await b.waitFor((l) => l === `ready ${last + 1}`, 60_000, `ready ${last + 1}`);
    await b.waitFor((l) => l.startsWith('ack ') && num(l, 1) > last + 300, 60_000, 'acks after the takeover');

    // every acknowledged (replicated) record of A is in B's journal, byte for byte, at its sequence
    const journalA = journalBodies(dirA);
    const journalB = journalBodies(dirB);
    for (let s = 0; s <= last; s++)
      assert.ok(Buffer.from(journalA[s]!).equals(Buffer.from(journalB[s]!)), `sequence ${s} differs between A and B`);

    // the old leader returns: fenced by the lease, it follows B as a standby
    const a2 = startNode(dirA, server.url, 'A2');
    await a2.waitFor((l) => l === 'standby', 30_000, 'A back as a standby');
    const beyond = Math.max(...acks(b));
    await a2.waitFor(
      (l) => l.startsWith('hash-ok ') && num(l, 1) > beyond,
      90_000,
      'a matching hash past the takeover',
    );
    assert.ok(!a2.lines.includes('lead') && !a2.lines.some((l) => l.startsWith('ack ')), 'A2 never led');
    assert.equal(a2.lines.filter((l) => l.startsWith('hash-bad')).length, 0, a2.lines.join('\n'));
    if (a2.lines.includes('moved-aside'))
      assert.ok(
        readdirSync(root).some((n) => n.startsWith('a.diverged-')),
        'the diverged journal was kept aside',
      );

    await Promise.all([b.kill(), a2.kill()]);
    // the stream is exactly B's journal through what B replicated
    const stream = await streamBodies(server.url, busStreamNames('fo').stream);
    const finalB = journalBodies(dirB);
    assert.ok(stream.length > last + 300);
    for (let s = 0; s < stream.length; s++)
      assert.ok(Buffer.from(stream[s]!).equals(Buffer.from(finalB[s]!)), `stream and B differ at ${s}`);
  });
});
