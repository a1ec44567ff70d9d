/**
 * The durable sequence under every fsync policy, with real processes killed by SIGKILL. The
 * child (fixtures/crashChild.ts) runs a journaled pipeline whose ack stage is placed after
 * bus.journal, so it gates on the journal's durable sequence; it prints each batch's highest
 * sequence. The parent kills it once the acks passed a seeded random number of events (a marker,
 * not a sleep), then recovers in a second process and replays the whole journal in a third:
 *
 *   | outcome                                                          | verdict   |
 *   |------------------------------------------------------------------|-----------|
 *   | every sequence the ack stage saw is in the recovered journal     | required  |
 *   | recovered state hash == full replay of the journal from empty    | required  |
 *   | events published after the last ack lost                         | allowed   |
 *   | an acked sequence missing from the journal, or hashes differ     | forbidden |
 *
 * A SIGKILL ends the process, not the kernel: what was written survives, so 'none' (durable =
 * written) must keep this promise too; { everyMs } keeps it because acks wait for the sync.
 * Seed: RINGBUS_SEED (printed on failure).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrng, seedFromEnv } from '../helpers/prng.js';

const CHILD = fileURLToPath(new URL('./fixtures/crashChild.js', import.meta.url));

/** Runs the child until its acks pass `ready + events`, SIGKILLs it; returns the highest ack seen. */
function runUntilAcked(
  dataDir: string,
  seed: number,
  fsync: string,
  events: number,
): Promise<{ ready: number; maxAck: number }> {
  return new Promise((resolve, reject) => {
    // no snapshots: snapshot retention could prune the journal's head, and a full replay needs all of it
    const child = spawn(process.execPath, [CHILD, 'run', dataDir, String(seed), fsync, 'off'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    let stderr = '';
    let ready = Number.NaN;
    let maxAck = -1;
    child.stderr.on('data', (d) => (stderr += d));
    // a generous bound: if the acks never get there, kill anyway and let the assertions say so
    const bound = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('ready ')) ready = Number(line.slice(6));
        else if (line.startsWith('ack ')) {
          maxAck = Math.max(maxAck, Number(line.slice(4)));
          if (maxAck >= ready + events) child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(bound);
      if (signal !== 'SIGKILL') reject(new Error(`child ended by itself (code ${code}, signal ${signal}): ${stderr}`));
      else resolve({ ready, maxAck });
    });
  });
}

function childJson(args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, [CHILD, ...args], { encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

describe('durable sequence under every fsync policy (SIGKILL)', () => {
  for (const fsync of ['batch', '5', 'none']) {
    it(`should keep every sequence a stage after the journal saw, fsync ${fsync}`, async () => {
      const seed = seedFromEnv(0xd0ab1e);
      const prng = createPrng(seed);
      const dir = mkdtempSync(join(tmpdir(), 'ringbus-durable-'));
      const context = `(fsync ${fsync}, seed ${seed}; replay with RINGBUS_SEED=${seed})`;
      try {
        let previousThrough = -1;
        for (let round = 0; round < 3; round++) {
          const events = prng.int(1, 20_000);
          const { ready, maxAck } = await runUntilAcked(dir, seed, fsync, events);
          assert.ok(Number.isFinite(ready), `round ${round}: the child never got ready ${context}`);
          assert.ok(maxAck >= ready + events, `round ${round}: acks stopped at ${maxAck} ${context}`);
          const rec = childJson(['recover-hash', dir]);
          const through = rec.through as number;
          assert.ok(through >= previousThrough, `round ${round}: the journal went back ${context}`);
          assert.ok(
            maxAck <= through,
            `round ${round}: the ack stage saw ${maxAck} but the journal recovered only through ${through} ${context}`,
          );
          const full = childJson(['replay-hash', dir, String(through)]);
          assert.equal(full.through, through, `round ${round}: full replay must reach ${through} ${context}`);
          assert.equal(full.hash, rec.hash, `round ${round}: recovered state differs from a full replay ${context}`);
          previousThrough = through;
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
