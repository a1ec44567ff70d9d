/**
 * Crash safety of snapshot sets: a child process writing a set is SIGKILLed at a random point
 * (seeded: after a random marker line plus a random delay, or a random time after spawning).
 *
 *   outcome after the kill                                   | acceptable?
 *   ---------------------------------------------------------+------------------------------
 *   latestComplete() = previous complete set, its exact data | yes (kill before the manifest)
 *   latestComplete() = the new set, its exact data           | yes (kill after the manifest rename)
 *   the new set although "manifest" was never reached, or    | FORBIDDEN
 *   the previous one although "manifest" was printed         | FORBIDDEN
 *   any set whose states differ from what was written        | FORBIDDEN (partial set)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { SnapshotStore } from '../../src/persistence/SnapshotStore.js';
import { seedFromEnv } from '../helpers/prng.js';
import { withSeed, withTempDir } from './helpers.js';
import { crashStates } from './fixtures/snapshotState.js';

const CHILD = new URL('./fixtures/snapshotCrashChild.js', import.meta.url).pathname;
const MARKERS = ['state alpha', 'state beta', 'state gamma', 'state delta', 'manifest'];

interface ChildRun {
  readonly markers: string[];
  readonly killed: boolean;
  readonly code: number | null;
}

function runAndKill(
  dir: string,
  sequence: number,
  mode: string,
  killAfterMarker: number,
  delayMs: number,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(sequence), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    const markers: string[] = [];
    let killed = false;
    let stderr = '';
    let pending = '';
    const kill = (): void => {
      if (!killed && child.exitCode === null) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    if (killAfterMarker < 0) setTimeout(kill, delayMs);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      pending += text;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        markers.push(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        if (markers.length === killAfterMarker + 1) {
          if (delayMs === 0) kill();
          else setTimeout(kill, delayMs);
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!killed && code !== 0) reject(new Error(`child failed (${code ?? signal}): ${stderr}`));
      else resolve({ markers, killed: killed && signal === 'SIGKILL', code });
    });
  });
}

describe('snapshot crash safety', () => {
  it('should expose only complete sets when the writer is SIGKILLed at random points', async (t) => {
    await withTempDir(async (dir) => {
      await withSeed(seedFromEnv(0x5a1c), async (prng) => {
        const store = new SnapshotStore(dir);
        store.writeSet(0, crashStates(0));
        let previous = 0;
        const outcomes: string[] = [];
        for (let round = 1; round <= 8; round++) {
          const sequence = round * 10;
          const mode = round % 2 === 0 ? 'pool' : 'store';
          const marker = prng.int(-1, MARKERS.length - 1); // -1: a random time after spawning
          const delay = marker < 0 ? prng.int(40, 600) : prng.int(0, 8);
          const run = await runAndKill(dir, sequence, mode, marker, delay);
          const latest = store.latestComplete();
          assert.ok(latest !== null, `round ${round}: a complete set must remain`);
          const reachedManifest = run.markers.includes('manifest');
          const label = `round ${round} (${mode}, kill after marker ${marker} + ${delay} ms, saw ${JSON.stringify(run.markers)}, killed ${run.killed})`;
          if (reachedManifest || !run.killed)
            assert.equal(latest.sequence, sequence, `${label}: the finished set must be visible`);
          else
            assert.ok(
              latest.sequence === previous || latest.sequence === sequence,
              `${label}: got set ${latest.sequence}`,
            );
          if (latest.sequence !== sequence) assert.ok(run.killed, `${label}: only a kill can hide the new set`);
          assert.deepEqual(
            Object.fromEntries(latest.states),
            crashStates(latest.sequence),
            `${label}: states of set ${latest.sequence}`,
          );
          outcomes.push(`${round}:${latest.sequence === sequence ? 'new' : 'previous'}(${run.markers.length} markers)`);
          previous = latest.sequence;
        }
        t.diagnostic(`seed ${prng.seed}: ${outcomes.join(' ')}`);
        // at least one round must have hit the window before the manifest, or the test shows nothing
        assert.ok(
          outcomes.some((o) => o.includes('previous')),
          `no kill landed before a manifest: ${outcomes.join(' ')}`,
        );
      });
    });
  });
});
