/**
 * Crash safety with real processes. A child runs a journaled pipeline (fsync 'batch', snapshots
 * every 3000 events) with an ack stage placed after the journal that prints each batch's highest
 * sequence once it is durable. The parent SIGKILLs it, round after round on the same data
 * directory, at a marker rather than a clock: once the child has acknowledged a seeded random
 * number of events past where it resumed (and, in the last round, once a snapshot is complete).
 * The child keeps publishing while the signal is on its way, so the kill lands at an arbitrary
 * point of its pipeline. After each kill:
 *
 *   | outcome                                                        | verdict   |
 *   |----------------------------------------------------------------|-----------|
 *   | recovery succeeds (torn tail cut, newest usable snapshot)      | required  |
 *   | every acknowledged sequence is in the journal                  | required  |
 *   | recovered state hash == replay of the whole journal from empty | required  |
 *   | events after the last ack lost (never acknowledged)            | allowed   |
 *   | an acknowledged sequence missing, or hashes that differ        | forbidden |
 *
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
import { verifyJournal } from '../../src/persistence/verifyJournal.js';

const CHILD = fileURLToPath(new URL('./fixtures/crashChild.js', import.meta.url));

/**
 * Starts the producer child and SIGKILLs it as soon as it has acknowledged `ackTarget` events past
 * the sequence it resumed from (with afterSnapshot, also only once it reported a complete
 * snapshot). Returns the highest acked sequence and the newest snapshot it reported complete (-1: none).
 */
function runAndKill(
  dataDir: string,
  seed: number,
  ackTarget: number,
  afterSnapshot: boolean,
): Promise<{ maxAck: number; ready: number; snapshot: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, 'run', dataDir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let maxAck = -1;
    let ready = Number.NaN;
    let snapshot = -1;
    let killed = false;
    const killAtMarker = (): void => {
      if (killed || Number.isNaN(ready) || maxAck < ready + ackTarget || (afterSnapshot && snapshot < 0)) return;
      killed = true;
      child.kill('SIGKILL');
    };
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // never wait for ever: if the markers never show up, kill anyway and let the assertions say so
    const fallback = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('ack ')) maxAck = Math.max(maxAck, Number(line.slice(4)));
        else if (line.startsWith('snapshot ')) snapshot = Math.max(snapshot, Number(line.slice(9)));
        else if (line.startsWith('ready ')) ready = Number(line.slice(6));
      }
      killAtMarker();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(fallback);
      if (signal !== 'SIGKILL') reject(new Error(`child ended by itself (code ${code}, signal ${signal}): ${stderr}`));
      else resolve({ maxAck, ready, snapshot });
    });
  });
}

function childJson(args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, [CHILD, ...args], { encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

describe('crash recovery with SIGKILL', () => {
  it('should recover every acknowledged event, with the state of a full replay, after each of several kills', async () => {
    const seed = seedFromEnv(0x5eed);
    const prng = createPrng(seed);
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-crash-'));
    const context = `(seed ${seed}; replay with RINGBUS_SEED=${seed})`;
    try {
      let previousThrough = -1;
      let fromSnapshot = 0;
      for (let round = 0; round < 5; round++) {
        const ackTarget = prng.int(1, 12_000);
        // the last round kills only once a snapshot is known complete, so snapshot recovery is always exercised
        const { maxAck, ready, snapshot } = await runAndKill(dir, seed, ackTarget, round === 4);
        assert.equal(
          ready,
          previousThrough,
          `round ${round}: the child must resume where the last recovery ended ${context}`,
        );
        assert.ok(
          maxAck >= ready + ackTarget,
          `round ${round}: killed before the marker: acked ${maxAck}, wanted ${ready + ackTarget} ${context}`,
        );
        const rec = childJson(['recover-hash', dir]);
        const through = rec.through as number;
        if (snapshot >= 0) {
          assert.ok(
            (rec.snapshot as number | null) !== null && (rec.snapshot as number) >= snapshot,
            `round ${round}: snapshot ${snapshot} was complete but recovery used ${String(rec.snapshot)} ${context}`,
          );
          fromSnapshot++;
        }
        assert.ok(
          maxAck <= through,
          `round ${round}: acked ${maxAck} but the journal recovered only through ${through} ${context}`,
        );
        assert.equal(
          rec.journalLast,
          through,
          `round ${round}: recovery must replay to the end of the journal ${context}`,
        );
        const verify = verifyJournal(dir);
        assert.equal(
          verify.ok,
          true,
          `round ${round}: journal not clean after recovery: ${JSON.stringify(verify.errors)} ${context}`,
        );
        // the recover-hash run itself published one control event (its state-hash request), journaled at through + 1
        const full = childJson(['replay-hash', dir, String(through)]);
        assert.equal(full.through, through, `round ${round}: full replay must reach ${through} ${context}`);
        assert.equal(
          full.hash,
          rec.hash,
          `round ${round}: recovered state differs from a full replay of the journal ${context}`,
        );
        previousThrough = verifyJournal(dir).lastSequence;
      }
      // the checks above mean something only if snapshots were used (every round acknowledged events: asserted above)
      assert.ok(fromSnapshot >= 1, `no recovery started from a snapshot ${context}`);
    } finally {
      if (process.env.KEEP_DIR) console.log('kept', dir);
      else rmSync(dir, { recursive: true, force: true });
    }
  });
});
