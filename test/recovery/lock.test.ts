/**
 * One writer per data directory: a second bus (in this process or in another live process) is
 * refused with RINGBUS_ERR_DATA_DIR_LOCKED; a lock left by a killed process is taken over; a
 * read-only replay runs beside the writer.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingBus, type RingBusOptions } from '../../src/index.js';
import { Entry } from './fixtures/events.js';

function build(dataDir: string, persistence: Partial<NonNullable<RingBusOptions['persistence']>> = {}): RingBus {
  const bus = new RingBus({ event: Entry, capacity: 64, persistence: { dataDir, ...persistence } });
  bus.handleEventsWith(bus.journal, bus.handler('ledger', new URL('./fixtures/ledger.js', import.meta.url)));
  return bus;
}

const locked = (e: unknown): boolean => (e as { code?: string }).code === 'RINGBUS_ERR_DATA_DIR_LOCKED';

describe('data directory lock', () => {
  it('should refuse a second writer in the same process, allow a read-only replay beside it, and free the directory on shutdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-lock-'));
    try {
      const a = build(dir);
      await a.start();
      a.publishEvent({ counter: 1, value: 5, account: 1 });
      await a.drain();
      const b = build(dir);
      await assert.rejects(b.start(), locked);
      const reader = build(dir, { readOnly: true, recoverTo: { sequence: 0 } });
      await reader.start();
      await reader.shutdown();
      await a.shutdown();
      assert.equal(existsSync(join(dir, 'LOCK')), false);
      const c = build(dir);
      await c.start();
      await c.shutdown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should refuse while another live process holds the lock, and take over a lock whose process is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-lock-'));
    try {
      // a live process: this test's own child, sleeping
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
      writeFileSync(join(dir, 'LOCK'), `${child.pid}\n`);
      await assert.rejects(
        build(dir).start(),
        (e: unknown) => locked(e) && new RegExp(`process ${child.pid}`).test((e as Error).message),
      );
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      // now stale: taken over
      const bus = build(dir);
      await bus.start();
      await bus.shutdown();
      assert.equal(existsSync(join(dir, 'LOCK')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
