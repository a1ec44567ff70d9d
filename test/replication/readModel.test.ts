/**
 * The query side: an engine journals execution reports (fills) on their own bus, a relay ships
 * them to their own stream, and a separate process builds positions and P&L per account from
 * that stream. Its view equals the same fills folded directly, and it reports no lag once caught up.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RingBus } from '../../src/index.js';
import { JournalRelay } from '../../src/replication/JournalRelay.js';
import { createPrng, seedFromEnv } from '../helpers/prng.js';
import { startNatsServer, stopAllNatsServers } from '../helpers/natsServer.js';
import { withTempDir } from '../persistence/helpers.js';
import { Fill, Positions } from './fixtures/fills.js';
import { within } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/readModel.js', import.meta.url));
after(stopAllNatsServers);

describe('read model', () => {
  it('should build positions and P&L per account from the execution-report stream in a separate process', async () => {
    const seed = seedFromEnv(0xf111);
    const prng = createPrng(seed);
    const server = await startNatsServer();
    await withTempDir(async (dir) => {
      const bus = new RingBus({ event: Fill, capacity: 1024, persistence: { dataDir: dir, fsync: 'batch' } });
      bus.handleEventsWith(bus.journal);
      await bus.start();
      const relay = await JournalRelay.start({ dataDir: dir, servers: server.url, bus: 'fills' });
      const child = spawn(process.execPath, [CHILD, server.url, 'fills'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.once('exit', () => waiters.splice(0).forEach((w) => w()));
      const lines: string[] = [];
      let buffered = '';
      const waiters: (() => void)[] = [];
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        lines.push(...parts);
        waiters.splice(0).forEach((w) => w());
      });
      const nextLine = (count: number): Promise<string> =>
        within(
          new Promise<string>((resolve, reject) => {
            const check = (): void => {
              if (lines.length >= count) resolve(lines[count - 1]!);
              else if (child.exitCode !== null || child.signalCode !== null)
                reject(new Error(`read model exited: ${stderr}`));
              else waiters.push(check);
            };
            check();
          }),
          60_000,
          `read model line ${count} (stderr: ${stderr}; stdout: ${lines.join(' | ')})`,
        );
      try {
        assert.equal(await nextLine(1), 'ready');
        const expected = new Positions();
        const symbols = ['AAA', 'BBB', 'CCC'];
        let last = -1;
        for (let round = 0; round < 3; round++) {
          for (let i = 0; i < 400; i++) {
            const f = {
              account: prng.int(1, 5),
              symbol: symbols[prng.int(0, 2)]!,
              qty: prng.int(-100, 100),
              price: prng.int(100, 20_000) / 100,
            };
            expected.apply(f);
            last = bus.publishEvent(f);
          }
          await bus.drain();
          await within(relay.waitForReplicated(last), 30_000, 'fills replicated');
          child.stdin.write(`report ${last}\n`);
          const report = JSON.parse(await nextLine(2 + round)) as {
            applied: number;
            lag: { events: number };
            accounts: unknown;
          };
          assert.equal(report.applied, last);
          assert.equal(report.lag.events, 0);
          assert.deepEqual(report.accounts, JSON.parse(JSON.stringify(expected.view())), `seed ${seed}`);
        }
      } finally {
        child.kill('SIGKILL');
        await relay.stop();
        await bus.shutdown();
      }
    });
  });
});
