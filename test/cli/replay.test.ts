/**
 * `ringbus replay` on a data directory written by a real bus: same state hash as the live run,
 * with and without snapshots; time travel to an earlier sequence; --dump; usage errors.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RingBus, defineEvent } from '../../src/index.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const Trade = defineEvent('Trade', { price: 'f64', qty: 'u32', notional: { type: 'f64', default: 0 } });
const handlers = new URL('../../examples/quickstart/handlers/', import.meta.url);

function cli(...args: string[]): { status: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('ringbus replay', () => {
  let dir = '';
  const liveAt: { sequence: number; hash: string }[] = [];
  let snapshotSeq = -1;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ringbus-cli-replay-'));
    const bus = new RingBus({ event: Trade, capacity: 1024, persistence: { dataDir: dir } });
    const n = bus.handler('notional', new URL('notional.js', handlers));
    const t = bus.handler('totals', new URL('totals.js', handlers));
    bus.handleEventsWith(bus.journal, n).then(t);
    await bus.start();
    const publish = (from: number, to: number): void => {
      for (let i = from; i < to; i++) bus.publishEvent({ price: 10 + (i % 7), qty: i % 100 });
    };
    publish(0, 5000);
    await bus.drain();
    liveAt.push(await bus.stateHash());
    snapshotSeq = (await bus.snapshot()).sequence;
    publish(5000, 12_000);
    await bus.drain();
    liveAt.push(await bus.stateHash());
    await bus.shutdown();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should print the live state hash at the end of the journal, from the snapshot and from scratch', () => {
    const last = liveAt[1]!;
    const fromSnapshot = cli('replay', '--data-dir', dir, '--json');
    assert.equal(fromSnapshot.status, 0, fromSnapshot.err);
    const a = JSON.parse(fromSnapshot.out) as Record<string, unknown>;
    assert.equal(a.stateHash, last.hash);
    assert.equal(a.snapshot, snapshotSeq);
    assert.equal(a.lastSequence, last.sequence); // the state-hash control event is the journal's last record
    for (const k of ['durationMs', 'eventsPerSec']) assert.ok(typeof a[k] === 'number' && (a[k] as number) >= 0, k);
    const scratch = JSON.parse(cli('replay', '--data-dir', dir, '--from-scratch', '--json').out) as Record<
      string,
      unknown
    >;
    assert.equal(scratch.stateHash, last.hash);
    assert.equal(scratch.snapshot, null);
    assert.equal(scratch.replayed, last.sequence + 1);
  });

  it('should travel back to an earlier sequence and dump the state there', () => {
    const first = liveAt[0]!;
    const r = cli('replay', '--data-dir', dir, '--to-seq', String(first.sequence - 1), '--dump', '--json');
    assert.equal(r.status, 0, r.err);
    const out = JSON.parse(r.out) as {
      stateHash: string;
      lastSequence: number;
      states: { totals: { count: number; total: number } };
    };
    assert.equal(out.stateHash, first.hash);
    assert.equal(out.lastSequence, first.sequence - 1);
    let total = 0;
    for (let i = 0; i < 5000; i++) total += (10 + (i % 7)) * (i % 100);
    assert.deepEqual(out.states.totals, { total, count: 5000 });
  });

  it('should travel to an event timestamp: before the first event nothing is replayed, after the last everything is', () => {
    const early = JSON.parse(
      cli('replay', '--data-dir', dir, '--from-scratch', '--to-time', '1970-01-02T00:00:00Z', '--json').out,
    ) as { lastSequence: number; replayed: number };
    assert.equal(early.replayed, 0);
    assert.equal(early.lastSequence, -1);
    const late = JSON.parse(
      cli('replay', '--data-dir', dir, '--from-scratch', '--to-time', String(Date.now() + 3_600_000), '--json').out,
    ) as { stateHash: string; lastSequence: number };
    assert.equal(late.lastSequence, liveAt[1]!.sequence);
    assert.equal(late.stateHash, liveAt[1]!.hash);
  });

  it('should refuse bad usage with exit status 2', () => {
    assert.equal(cli('replay').status, 2);
    assert.equal(cli('replay', '--data-dir', dir, '--to-seq', 'x').status, 2);
    assert.equal(cli('replay', '--data-dir', dir, '--to-seq', '5', '--to-time', '5').status, 2);
    const empty = mkdtempSync(join(tmpdir(), 'ringbus-cli-empty-'));
    try {
      const r = cli('replay', '--data-dir', empty);
      assert.equal(r.status, 2);
      assert.match(r.err, /manifest/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
