/**
 * The stall watchdog with a real stuck worker: a handler in an infinite loop inside onEvent.
 * Without the watchdog a plain publishEvent parks on the full ring forever (the main thread can
 * then not even call shutdown()). With it, the blocked publish throws RINGBUS_ERR_HANDLER_STALLED
 * naming the handler and the sequence, drain() rejects with the same error, and
 * shutdown({ timeoutMs }) returns, terminating the stuck worker.
 *
 * The bus runs in a child process (fixtures/stallChild.ts) so that a regression (a publish that
 * never returns) fails this test at the generous execFile bound instead of hanging the runner.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./fixtures/stallChild.js', import.meta.url));

interface Step {
  step: string;
  ok: boolean;
  name?: string;
  code?: string;
  message?: string;
  ms: number;
}

function runChild(stallTimeoutMs: number): Promise<{ steps: Step[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CHILD, String(stallTimeoutMs)],
      { encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`stall child failed or hung (killed after 120 s): ${err.message}\n${stderr}`));
        else
          resolve({
            steps: stdout
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l) as Step),
            stderr,
          });
      },
    );
  });
}

describe('stall watchdog', () => {
  it('should make a publish blocked behind a handler stuck in an infinite loop throw HANDLER_STALLED, and shutdown return', async () => {
    const { steps, stderr } = await runChild(1000);
    assert.deepEqual(
      steps.map((s) => s.step),
      ['publish', 'drain', 'shutdown'],
      stderr,
    );
    const [publish, drain, shutdown] = steps as [Step, Step, Step];
    const expected =
      /^the bus halted; publishing is refused: handler 'stuck' made no progress for \d+ ms \(stallTimeoutMs 1000\) while events waited for it: it is stuck after sequence (-?\d+) \(events (\d+)\.\.(\d+) wait for it\)$/;
    for (const s of [publish, drain]) {
      assert.equal(s.ok, false, `${s.step} must fail`);
      assert.equal(s.code, 'RINGBUS_ERR_HANDLER_STALLED', `${s.step}: ${s.message}`);
      assert.equal(s.name, 'Error [RINGBUS_ERR_HANDLER_STALLED]');
      const m = expected.exec(s.message!);
      assert.ok(m, `${s.step} message: ${s.message}`);
      const [after, from, through] = [Number(m[1]), Number(m[2]), Number(m[3])];
      // it spins at value 5 (= sequence 5): done before it, waiting from the batch that holds it
      assert.ok(after < 5 && from === after + 1 && through >= 5, s.message);
    }
    assert.equal(shutdown.ok, true, `shutdown: ${shutdown.message}`);
    // the old behaviour spent timeoutMs on the drain and again on the worker exit (6 s for 3000)
    assert.ok(shutdown.ms < 2 * 3000, `shutdown({ timeoutMs: 3000 }) took ${Math.round(shutdown.ms)} ms`);
  });
});
