/**
 * The 'skip' policy writes failing events to a dead-letter file; replayDeadLetters() runs them
 * through the fixed handler: every failed event, with its original sequence and content.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingBus, defineEvent, readDeadLetters, replayDeadLetters } from '../../src/index.js';

const Ev = defineEvent('Picky', { value: 'i32' });
const PICKY = new URL('./fixtures/picky.js', import.meta.url);

describe('dead letters', () => {
  it('should record every event a skip-policy handler failed on, and replay them through the fixed handler', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-dlq-'));
    const path = join(dir, 'picky.dlq');
    try {
      const bus = new RingBus({ event: Ev, capacity: 256 });
      bus.handleEventsWith(bus.handler('picky', PICKY, { onError: 'skip', deadLetterPath: path }));
      await bus.start();
      const failing: number[] = [];
      let expectedSum = 0;
      for (let i = 1; i <= 20_000; i++) {
        const seq = bus.publishEvent({ value: i });
        if (i % 97 === 0) failing.push(seq);
        else expectedSum += i;
      }
      await bus.drain();
      const { states } = await bus.captureState();
      await bus.shutdown();
      assert.deepEqual(states.picky, { sum: expectedSum, count: 20_000 - failing.length, seen: [] });

      const letters = readDeadLetters(path);
      assert.deepEqual(
        letters.map((l) => l.sequence),
        failing,
      );
      assert.ok(letters.every((l) => l.handlerName === 'picky' && /RangeError: cannot handle \d+/.test(l.message)));

      const r = await replayDeadLetters({ path, event: Ev, module: PICKY, options: { fixed: true } });
      assert.deepEqual(r.succeeded, failing);
      assert.deepEqual(r.failed, []);
      const fixedSum = failing.reduce((a, s) => a + (s + 1), 0); // value = sequence + 1 here
      assert.deepEqual(r.state, { sum: fixedSum, count: failing.length, seen: failing });

      const again = await replayDeadLetters({ path, event: Ev, module: PICKY });
      assert.equal(again.failed.length, failing.length, 'the unfixed handler fails on every letter again');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
