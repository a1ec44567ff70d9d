/**
 * The replication commands of `ringbus`, run as child processes (dist/src/cli/main.js) against a
 * real nats-server: the relay ships a journal and stops on SIGTERM, status shows the stream and
 * lease, a standby takes over an expired lease, mirrors the journal byte for byte and exits with
 * its term, which the leader process then adopts; the old holder is fenced.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'nats';
import { JournalWriter } from '../../src/persistence/JournalWriter.js';
import { writeManifest } from '../../src/persistence/dataDirManifest.js';
import { defineEvent } from '../../src/schema/defineEvent.js';
import { LeaderLease } from '../../src/replication/LeaderLease.js';
import { runCli } from '../../src/cli/main.js';
import { startNatsServer, stopAllNatsServers } from '../helpers/natsServer.js';
import { appendRange, withTempDir, writerOptions } from '../persistence/helpers.js';
import { journalBodies, within } from './helpers.js';

const MAIN = new URL('../../src/cli/main.js', import.meta.url).pathname;
const Tick = defineEvent('Tick', { a: 'f64', b: 'f64', c: 'f64', d: 'f64', e: 'f64' });

after(stopAllNatsServers);

/** Runs the CLI; `until` (optional) sees each stdout line and may return true to send SIGTERM. */
function cli(
  args: string[],
  until?: (line: string) => boolean,
): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  return within(
    new Promise((resolve) => {
      const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      const lines: string[] = [];
      let stderr = '';
      let buffered = '';
      let signalled = false;
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        for (const l of parts) {
          lines.push(l);
          if (until?.(l) && !signalled) signalled = child.kill('SIGTERM');
        }
      });
      child.once('exit', (code) => resolve({ code, lines, stderr }));
    }),
    60_000,
    `ringbus ${args.join(' ')}`,
  );
}

describe('ringbus replication commands', () => {
  it('should relay, show status, and promote a standby over an expired lease', async () => {
    const server = await startNatsServer();
    await withTempDir(async (a) => {
      await withTempDir(async (b) => {
        writeManifest(a, { event: Tick.definition, handlers: [] });
        const w = JournalWriter.open(
          a,
          writerOptions({ fingerprint: Tick.fingerprint, eventName: 'Tick', payloadSize: Tick.journalSize }),
        );
        appendRange(w, 21, 0, 499, 64, Tick.journalSize);
        w.close();
        const common = ['--servers', server.url, '--bus', 'cli'];

        const relay = await cli(
          ['replication', 'relay', '--data-dir', a, ...common, '--report-ms', '50'],
          (l) => (JSON.parse(l) as { replicatedSequence: number }).replicatedSequence === 499,
        );
        assert.equal(relay.code, 0, relay.stderr);
        const final = JSON.parse(relay.lines.at(-1)!) as Record<string, unknown>;
        assert.equal(final.replicatedSequence, 499);
        assert.equal(final.lagEvents, 0);

        const status = await cli(['replication', 'status', ...common, '--json']);
        assert.equal(status.code, 0, status.stderr);
        const s = JSON.parse(status.lines[0]!) as Record<string, unknown>;
        assert.deepEqual(
          [s.stream, s.lastSequence, s.messages, s.replicas, s.lease],
          ['RINGBUS_CLI', 499, 500, 1, null],
        );

        // a leader that stops renewing: its lease expires and the standby takes it
        const nc = await connect({ servers: server.url });
        const old = await LeaderLease.open(nc, { bus: 'cli', owner: 'old-leader', leaseMs: 300 });
        assert.equal(await old.tryAcquire({ revision: -1, since: 0 }), true);
        const standby = await cli(['standby', '--data-dir', b, ...common, '--lease-ms', '300', '--owner', 'sb']);
        assert.equal(standby.code, 0, standby.stderr);
        const events = standby.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
        assert.equal(events[0]!.event, 'standby');
        // the hot standby hands over a snapshot of its live state, taken right after the last followed record
        assert.deepEqual(events.at(-1), { event: 'promoted', term: 2, lastSequence: 499, snapshotSequence: 500 });
        assert.ok(existsSync(join(b, 'manifest.json')));
        const ja = journalBodies(a);
        const jb = journalBodies(b);
        assert.equal(jb.length, 501, 'the leader records, then the handover snapshot marker');
        for (let i = 0; i < 500; i++) assert.ok(Buffer.from(ja[i]!).equals(Buffer.from(jb[i]!)), `record ${i}`);

        const sb = await LeaderLease.open(nc, { bus: 'cli', owner: 'sb', leaseMs: 300 });
        await sb.adopt(2);
        await assert.rejects(old.renew(), { code: 'RINGBUS_ERR_REPLICATION_FENCED' });
        await assert.rejects((await LeaderLease.open(nc, { bus: 'cli', owner: 'other', leaseMs: 300 })).adopt(2), {
          code: 'RINGBUS_ERR_REPLICATION_FENCED',
        });
        const after = JSON.parse((await cli(['replication', 'status', ...common, '--json'])).lines[0]!) as {
          lease: { owner: string; term: number };
        };
        assert.deepEqual([after.lease.owner, after.lease.term], ['sb', 2]);
        await nc.close();
      });
    });
  });

  it('should exit 2 with RINGBUS_ERR_CLI_USAGE on a missing or bad --bus', async () => {
    const run = async (args: string[]): Promise<{ code: number; stderr: string }> => {
      let stderr = '';
      const sink = (collect: boolean) => ({
        write: (t: string) => ((stderr += collect ? t : ''), true),
        once: () => undefined,
      });
      const code = await runCli(args, { stdout: sink(false), stderr: sink(true) });
      return { code, stderr };
    };
    const missing = await run(['replication', 'status', '--servers', '127.0.0.1:1']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--bus is required \[RINGBUS_ERR_CLI_USAGE\]/);
    const bad = await run(['standby', '--data-dir', '/tmp', '--servers', '127.0.0.1:1', '--bus', 'a.b']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--bus must be/);
    const zero = await run([
      'replication',
      'relay',
      '--data-dir',
      '/tmp',
      '--servers',
      '127.0.0.1:1',
      '--bus',
      'ok',
      '--replicas',
      '0',
    ]);
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /--replicas must be at least 1/);
  });
  it('should exit 2 naming the flag when read-model lacks --module or the module lacks its fold', async () => {
    let stderr = '';
    const io = {
      stdout: { write: () => true, once: () => undefined },
      stderr: { write: (t: string) => ((stderr += t), true), once: () => undefined },
    };
    const base = ['read-model', '--servers', '127.0.0.1:1', '--bus', 'fills'];
    assert.equal(await runCli(base, io), 2);
    assert.match(stderr, /--module is required \[RINGBUS_ERR_CLI_USAGE\]/);
    await withTempDir(async (dir) => {
      const module = join(dir, 'notAFold.mjs');
      writeFileSync(module, 'export const apply = () => undefined;\n');
      stderr = '';
      assert.equal(await runCli([...base, '--module', module], io), 2);
      assert.match(stderr, /--module ".*notAFold\.mjs" must export as default a function returning \{ apply/);
      stderr = '';
      assert.equal(await runCli([...base, '--module', join(dir, 'missing.mjs')], io), 2);
      assert.match(stderr, /--module ".*missing\.mjs" could not be loaded/);
    });
    stderr = '';
    assert.equal(await runCli(['read-model', '--servers', '127.0.0.1:1', '--bus', 'a.b', '--module', 'x'], io), 2);
    assert.match(stderr, /--bus: /);
  });
});
