/**
 * With transient result fields the journal records only the input bytes, and a replay (from
 * scratch or after recovery) still gives the live state: later stages see the results the earlier
 * stages rewrite.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineEvent, JournalReader, RingBus, type RingBusOptions } from '../../src/index.js';

const Ev = defineEvent('Doubling', { v: 'i32', doubled: { type: 'i53', transient: true } });

function build(dataDir: string, persistence: Partial<NonNullable<RingBusOptions['persistence']>> = {}): RingBus {
  const bus = new RingBus({ event: Ev, capacity: 256, persistence: { dataDir, ...persistence } });
  const d = bus.handler('doubler', new URL('./fixtures/doubler.js', import.meta.url));
  const s = bus.handler('summer', new URL('./fixtures/summer.js', import.meta.url));
  bus.handleEventsWith(bus.journal, d).then(s);
  return bus;
}

describe('transient fields and the journal', () => {
  it('should journal only the input bytes and replay to the live state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringbus-transient-'));
    try {
      const bus = build(dir);
      await bus.start();
      let sum = 0;
      for (let i = 0; i < 10_000; i++) {
        bus.publishEvent({ v: i - 5000 });
        sum += (i - 5000) * 2;
      }
      await bus.drain();
      const { states } = await bus.captureState();
      const live = await bus.stateHash();
      await bus.shutdown();
      assert.deepEqual(states.summer, { sum, wrong: 0 });

      const reader = new JournalReader(dir, { fingerprint: Ev.fingerprint });
      const first = reader.seek(0).next()!;
      assert.equal(first.payloadLength, Ev.journalSize);
      assert.equal(Ev.journalSize, 4);
      reader.close();

      const replay = build(dir, { readOnly: true, ignoreSnapshots: true, recoverTo: { sequence: live.sequence - 1 } });
      await replay.start();
      await replay.drain();
      const replayed = await replay.stateHash();
      const again = await replay.captureState();
      await replay.shutdown();
      assert.equal(replayed.hash, live.hash);
      assert.deepEqual(again.states.summer, { sum, wrong: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
