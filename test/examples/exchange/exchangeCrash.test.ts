/**
 * Crash safety of the exchange with real processes: a child runs the journaled pipeline and
 * publishes the seeded flow; the parent SIGKILLs it at seeded random moments, round after round on
 * one data directory. After each kill a fresh child recovers (snapshot + journal tail):
 *
 *   | outcome                                                              | verdict   |
 *   |----------------------------------------------------------------------|-----------|
 *   | recovered engine == the engine run alone over the same first N cmds  | required  |
 *   | N never goes backwards between rounds                                | required  |
 *   | commands after the last durable batch lost                           | allowed   |
 *   | a different state hash for the same N                                | forbidden |
 *
 * Seed: RINGBUS_SEED (printed on failure).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Exchange } from '../../../examples/order-matching/exchange/Exchange.js';
import { ExchangeFlow } from '../../../examples/order-matching/exchange/exchangeFlow.js';
import { Prng } from '../../../examples/order-matching/Prng.js';
import { crashOptions } from './fixtures/exchangeCrashChild.js';

const CHILD = fileURLToPath(new URL('./fixtures/exchangeCrashChild.js', import.meta.url));
const SEED = Number(process.env.RINGBUS_SEED ?? 0x5eed) >>> 0;

/** Starts a publishing child, waits for `ready`, lets it run `ms`, SIGKILLs it; resolves with the commands it resumed from. */
function runAndKill(dir: string, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, 'run', dir, String(SEED)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let ready = Number.NaN;
    const fallback = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /ready (\d+)/.exec(out);
      if (m && Number.isNaN(ready)) {
        ready = Number(m[1]);
        setTimeout(() => child.kill('SIGKILL'), ms);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(fallback);
      if (signal !== 'SIGKILL' || Number.isNaN(ready))
        reject(new Error(`child ended by itself (code ${code}, signal ${signal}): ${err}`));
      else resolve(ready);
    });
  });
}

function engineHash(commands: number): string {
  const engine = new Exchange(crashOptions);
  const flow = new ExchangeFlow({ seed: SEED, exchange: crashOptions });
  const c = { command: 0, orderId: 0, accountId: 0, symbolId: 0, side: 0, price: 0, qty: 0, tif: 0, flags: 0, time: 0 };
  for (let i = 0; i < commands; i++) {
    flow.next(c);
    engine.process(c);
  }
  return engine.stateHash();
}

describe('exchange crash recovery with SIGKILL', () => {
  it('should recover, after each kill, exactly the state of the engine run alone over the recovered commands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-exchange-crash-'));
    const prng = new Prng(SEED);
    const context = `(seed ${SEED}; replay with RINGBUS_SEED=${SEED})`;
    try {
      let previous = 0;
      for (let round = 0; round < 3; round++) {
        const resumed = await runAndKill(dir, 200 + prng.int(800));
        assert.equal(resumed, previous, `round ${round}: the child resumes where the last recovery ended ${context}`);
        const out = execFileSync(process.execPath, [CHILD, 'hash', dir], { encoding: 'utf8', timeout: 120_000 });
        const { commands, hash } = JSON.parse(out.trim().split('\n').pop()!) as { commands: number; hash: string };
        assert.ok(
          commands >= previous,
          `round ${round}: recovered ${commands} commands, fewer than ${previous} ${context}`,
        );
        assert.equal(
          hash,
          engineHash(commands),
          `round ${round}: state after recovering ${commands} commands ${context}`,
        );
        previous = commands;
      }
      assert.ok(previous > 0, 'the children published something');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
