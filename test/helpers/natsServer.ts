/**
 * Real nats-server processes for the replication tests: JetStream on 127.0.0.1, a free port, a
 * store directory in a temp dir. start() waits for the server's "Server is ready" line (a marker,
 * not a sleep, bounded); every server started is killed by stopAll() (call it in after()).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsServerProcess {
  readonly port: number;
  readonly url: string;
  readonly storeDir: string;
  child: ChildProcess;
  /** SIGKILLs it and waits for the exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store (after kill()). */
  restart(): Promise<void>;
}

const running = new Set<ChildProcess>();
const dirs: string[] = [];

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function launch(args: string[], readyTimeoutMs: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('nats-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nats-server ${args.join(' ')} not ready within ${readyTimeoutMs} ms:\n${log}`));
    }, readyTimeoutMs);
    const onData = (d: Buffer): void => {
      log += d.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        child.stderr!.resume();
        resolve(child);
      }
    };
    child.stderr!.on('data', onData);
    child.stdout!.resume();
    child.once('exit', (code, signal) => {
      running.delete(child);
      clearTimeout(timer);
      reject(new Error(`nats-server exited (${code ?? signal}) before it was ready:\n${log}`));
    });
  });
}

function wrap(port: number, storeDir: string, args: string[], child: ChildProcess): NatsServerProcess {
  const server: NatsServerProcess = {
    port,
    url: `127.0.0.1:${port}`,
    storeDir,
    child,
    kill: () =>
      new Promise<void>((resolve) => {
        const c = server.child;
        if (c.exitCode !== null || c.signalCode !== null) return resolve();
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      }),
    restart: async () => {
      server.child = await launch(args, 30_000);
    },
  };
  return server;
}

/** One JetStream server. */
export async function startNatsServer(): Promise<NatsServerProcess> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'ringbus-nats-'));
  dirs.push(storeDir);
  const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir];
  return wrap(port, storeDir, args, await launch(args, 30_000));
}

/** A three-node JetStream cluster with routes on loopback. */
export async function startNatsCluster(size = 3): Promise<NatsServerProcess[]> {
  const ports = [];
  for (let i = 0; i < size; i++) ports.push({ client: await freePort(), cluster: await freePort() });
  const routes = ports.map((p) => `nats://127.0.0.1:${p.cluster}`).join(',');
  return Promise.all(
    ports.map(async (p, i) => {
      const storeDir = mkdtempSync(join(tmpdir(), `ringbus-nats-n${i}-`));
      dirs.push(storeDir);
      const args = [
        '-js',
        '-a',
        '127.0.0.1',
        '-p',
        String(p.client),
        '-sd',
        storeDir,
        '-n',
        `n${i}`,
        '--cluster_name',
        'ringbus-test',
        '--cluster',
        `nats://127.0.0.1:${p.cluster}`,
        '--routes',
        routes,
      ];
      return wrap(p.client, storeDir, args, await launch(args, 60_000));
    }),
  );
}

/** Kills every server still running and removes their stores. */
export async function stopAllNatsServers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
