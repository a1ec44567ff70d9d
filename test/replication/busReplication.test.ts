/**
 * Replication as part of a bus (BusReplication) against a real nats-server: the relay runs in its
 * own worker thread and moves the bus's `replicated` progress line.
 *
 *   | observed                                                                 | verdict   |
 *   |--------------------------------------------------------------------------|-----------|
 *   | 'sync': the stage after the line at s while the stream lacks s           | FORBIDDEN |
 *   | 'sync': the stage reaches the last event once the stream holds it        | required  |
 *   | 'async': cursor − replicated > maxLagEvents                              | FORBIDDEN |
 *   | 'async': NATS down → publishers held at exactly maxLagEvents, then freed | required  |
 *   | shutdown / stop with NATS down returning within their bounds             | required  |
 *   | a fenced relay leaving the bus publishing                                | FORBIDDEN |
 *   | the halt's cause not naming the replication error                        | FORBIDDEN |
 *   | the process kept alive after bus.shutdown() without replication.stop()   | FORBIDDEN |
 *   | 'async' shutdown leaving journaled events unshipped                      | FORBIDDEN |
 *   | start() waiting past startTimeoutMs for replication of a recovered tail  | FORBIDDEN |
 *   | a published state hash at S before S is replicated, or ≠ a replay's      | FORBIDDEN |
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect } from 'nats';
import { RingBus } from '../../src/index.js';
import { BusReplication, type BusReplicationOptions } from '../../src/replication/BusReplication.js';
import { busStreamNames } from '../../src/replication/streamNames.js';
import { replayStateHash } from '../../src/replication/replayStateHash.js';
import { replicationStatus } from '../../src/replication/replicationStatus.js';
import { createPrng, freshSeed, seedFromEnv } from '../helpers/prng.js';
import { startNatsServer, stopAllNatsServers } from '../helpers/natsServer.js';
import { waitUntil } from '../helpers/workers.js';
import type { CheckerOptions } from '../topology/fixtures/checker.js';
import { fillEvent, newResults, readCells, TestEvent } from '../topology/fixtures/events.js';
import { Cmd } from './fixtures/shardEvents.js';
import { journalBodies, streamBodies, within } from './helpers.js';

const CHECKER = new URL('../topology/fixtures/checker.js', import.meta.url);
const BOOK = new URL('./fixtures/book.js', import.meta.url);
const SHUTDOWN_CHILD = fileURLToPath(new URL('./fixtures/shutdownWithoutStop.js', import.meta.url));
const dirs: string[] = [];

after(async () => {
  await stopAllNatsServers();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Rig {
  bus: RingBus;
  replication: BusReplication;
  dataDir: string;
  /** Highest sequence the gated ack stage has seen (-1: none). */
  seen: () => number;
  errors: () => number;
}

/** A journaled bus with replication; in 'sync' mode an ack stage after the replicated line, in 'async' after the journal. */
async function startRig(options: BusReplicationOptions, capacity = 1024): Promise<Rig> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ringbus-bus-replication-'));
  dirs.push(dataDir);
  const results = newResults(1);
  const bus = new RingBus({ event: TestEvent, capacity, persistence: { dataDir, fsync: 'batch' } });
  const replication = BusReplication.attach(bus, options);
  const ack = bus.handler('ack', CHECKER, {
    options: { results, slot: 0, role: 'plain', mixed: true } satisfies CheckerOptions,
  });
  if (options.mode === 'sync') bus.after(replication.line).handleEventsWith(ack);
  else bus.handleEventsWith(bus.journal).then(ack);
  await bus.start();
  return {
    bus,
    replication,
    dataDir,
    seen: () => readCells(results, 0).count - 1,
    errors: () => readCells(results, 0).errors,
  };
}

async function streamLast(server: string, bus: string): Promise<number> {
  const nc = await connect({ servers: server });
  try {
    const info = await (await nc.jetstreamManager({ checkAPI: false })).streams.info(busStreamNames(bus).stream);
    return info.state.last_seq - 1; // journal sequence s is stream sequence s + 1
  } catch (err) {
    if (/stream not found/i.test((err as Error).message)) return -1;
    throw err;
  } finally {
    await nc.close();
  }
}

function assertSameRecords(stream: Uint8Array[], journal: Uint8Array[], upTo: number): void {
  assert.ok(
    stream.length >= upTo + 1 && journal.length >= upTo + 1,
    `stream ${stream.length}, journal ${journal.length}`,
  );
  for (let s = 0; s <= upTo; s++)
    assert.ok(
      Buffer.from(stream[s]!).equals(Buffer.from(journal[s]!)),
      `record ${s} differs between stream and journal`,
    );
}

describe('BusReplication', () => {
  it("should never let a stage after the replicated line ('sync') see an event the stream does not hold", async () => {
    const seed = seedFromEnv(freshSeed());
    console.log(`sync gate seed ${seed} (RINGBUS_SEED=${seed} replays it)`);
    const rnd = createPrng(seed);
    const server = await startNatsServer();
    const rig = await startRig({ servers: server.url, bus: 'gate', mode: 'sync', maxBatch: rnd.int(4, 64) });
    let checks = 0;
    let last = -1;
    for (let round = 0; round < 40; round++) {
      const n = rnd.int(1, 400);
      for (let i = 0; i < n; i++) last = rig.bus.publishWith(fillEvent, null);
      // whatever the stage has seen before we ask, the stream must already hold
      const seen = rig.seen();
      const stored = await streamLast(server.url, 'gate');
      assert.ok(stored >= seen, `seed ${seed}: the gated stage saw ${seen} while the stream held only ${stored}`);
      if (seen >= 0 && seen < last) checks++;
    }
    await within(rig.replication.waitForReplicated(last), 30_000, `sequence ${last} replicated`);
    await rig.bus.drain({ timeoutMs: 30_000 });
    assert.equal(rig.seen(), last);
    assert.ok(checks > 0, 'at least one check while the stage was behind the cursor');
    const m = await rig.replication.metrics();
    assert.equal(m.mode, 'sync');
    assert.equal(m.replicatedSequence, last);
    assert.equal(m.lagEvents, 0);
    assert.ok(m.connected && m.relay !== null && m.relay.publishLatencyUs.count > 0, JSON.stringify(m));
    await rig.bus.shutdown();
    await rig.replication.stop();
    await rig.replication.done;
    assert.equal(rig.errors(), 0);
    assertSameRecords(await streamBodies(server.url, busStreamNames('gate').stream), journalBodies(rig.dataDir), last);
  });

  it("should hold publishers at exactly maxLagEvents ('async') while NATS is down, and let them go when it returns", async () => {
    const server = await startNatsServer();
    const rig = await startRig({ servers: server.url, bus: 'lag', mode: 'async', maxLagEvents: 64, retryMs: 50 });
    const { bus, replication } = rig;
    for (let i = 0; i < 500; i++) bus.publishWith(fillEvent, null);
    await within(replication.waitForReplicated(499), 30_000, 'sequence 499 replicated');
    await server.kill();
    // publish until refused with the line standing still: then the cursor is exactly at the bound
    let line: number;
    let cursor: number;
    for (;;) {
      while (bus.tryPublishWith(fillEvent, null) >= 0);
      line = bus.progressSequence(replication.line);
      cursor = bus.ring.getCursor();
      if (bus.tryPublishWith(fillEvent, null) < 0 && bus.progressSequence(replication.line) === line) break;
    }
    assert.equal(cursor - line, 64, `cursor ${cursor}, replicated ${line}`);
    assert.throws(
      () => bus.publishEventWithTimeout({ value: 0, check: 0 }, 50),
      (e: { code?: string }) => e.code === 'RINGBUS_ERR_PUBLISH_TIMEOUT',
    );
    const m = await replication.metrics();
    assert.equal(m.maxLagEvents, 64);
    assert.equal(m.lagEvents, 64);
    assert.ok(rig.seen() >= line, 'async: the ack stage does not wait for replication');
    await server.restart();
    await within(replication.waitForReplicated(cursor), 60_000, `sequence ${cursor} replicated after the restart`);
    for (let i = 0; i < 200; i++) cursor = bus.publishWith(fillEvent, null);
    await within(replication.waitForReplicated(cursor), 30_000, `sequence ${cursor} replicated`);
    // NATS gone again: shutdown and stop are bounded
    await server.kill();
    await bus.shutdown({ timeoutMs: 10_000 });
    await within(replication.stop(), 30_000, 'replication.stop() with NATS down');
    assert.equal(rig.errors(), 0);
    await server.restart();
    assertSameRecords(await streamBodies(server.url, busStreamNames('lag').stream), journalBodies(rig.dataDir), cursor);
  });

  it("should bound shutdown in 'sync' mode when NATS is unreachable from the start", async () => {
    const server = await startNatsServer();
    await server.kill(); // a port nobody answers on
    const rig = await startRig({ servers: server.url, bus: 'down', mode: 'sync', retryMs: 50 });
    for (let i = 0; i < 10; i++) rig.bus.publishWith(fillEvent, null);
    await waitUntil(
      () => journalHolds(rig) === 9,
      () => 'journal durable through 9',
    );
    const m = await rig.replication.metrics();
    assert.equal(m.connected, false);
    assert.equal(m.replicatedSequence, -1);
    assert.equal(rig.seen(), -1, 'nothing replicated, nothing acknowledged');
    await assert.rejects(rig.bus.shutdown({ timeoutMs: 500 }), { code: 'RINGBUS_ERR_DRAIN_TIMEOUT' });
    await within(rig.replication.stop(), 30_000, 'replication.stop() with NATS unreachable');
  });

  it('should halt the bus with the replication error when another leader already appended (fenced)', async () => {
    const server = await startNatsServer();
    const first = await startRig({ servers: server.url, bus: 'fence', mode: 'sync' });
    for (let i = 0; i < 20; i++) first.bus.publishWith(fillEvent, null);
    await within(first.replication.waitForReplicated(19), 30_000, 'the first leader replicated');
    await first.bus.shutdown();
    await first.replication.stop();
    // a second bus on an empty journal under the same name: the stream runs past its journal
    const second = await startRig({ servers: server.url, bus: 'fence', mode: 'sync' });
    await assert.rejects(within(second.replication.done, 30_000, 'replication to stop'), {
      code: 'RINGBUS_ERR_REPLICATION_FENCED',
    });
    assert.throws(
      () => second.bus.publishWith(fillEvent, null),
      (e: { code?: string; message: string; cause?: { code?: string } }) =>
        e.code === 'RINGBUS_ERR_BUS_HALTED' &&
        e.message.includes('RINGBUS_ERR_REPLICATION_FENCED') &&
        e.cause?.code === 'RINGBUS_ERR_REPLICATION_FENCED',
    );
    await second.bus.halt();
    await second.replication.stop();
  });

  it('should refuse bad options with coded errors naming the option and the value', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ringbus-bus-replication-'));
    dirs.push(dataDir);
    const bus = new RingBus({ event: TestEvent, persistence: { dataDir } });
    const base = { servers: '127.0.0.1:1', bus: 'opts', mode: 'sync' } as const;
    assert.throws(() => BusReplication.attach(bus, { ...base, mode: 'eventually' as 'sync' }), {
      code: 'RINGBUS_ERR_INVALID_OPTION',
      message: /mode must be 'sync' or 'async', got "eventually"/,
    });
    assert.throws(
      () => BusReplication.attach(bus, { ...base, maxLagEvents: 0 }),
      /maxLagEvents must be a positive integer, got 0/,
    );
    assert.throws(() => BusReplication.attach(bus, { ...base, servers: [] }), /servers must be a NATS URL/);
    assert.throws(() => BusReplication.attach(new RingBus({ event: TestEvent }), base), {
      code: 'RINGBUS_ERR_BUS_STATE',
    });
    const replication = BusReplication.attach(bus, base);
    await assert.rejects(replication.metrics(), { code: 'RINGBUS_ERR_BUS_STATE' });
    await replication.stop(); // never started: nothing to stop
    await replication.done;
  });
});

describe('BusReplication and the bus lifecycle', () => {
  it('should end replication with bus.shutdown(): the journal is shipped and the process exits without stop()', async () => {
    const server = await startNatsServer();
    const dataDir = mkdtempSync(join(tmpdir(), 'ringbus-bus-replication-'));
    dirs.push(dataDir);
    const child = spawn(process.execPath, [SHUTDOWN_CHILD, server.url, dataDir, 'ends'], { stdio: 'pipe' });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await within(
      new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c))),
      60_000,
      `the child to exit after bus.shutdown() without replication.stop() (stdout: ${out}; stderr: ${err})`,
    );
    assert.equal(code, 0, err);
    const last = Number(/shut down (\d+)/.exec(out)?.[1]);
    assert.equal(last, 2999, out);
    // 'async' shutdown does not wait for replication; the worker shipped the tail before exiting
    const journal = journalBodies(dataDir);
    assert.equal(journal.length, 3000);
    assertSameRecords(await streamBodies(server.url, busStreamNames('ends').stream), journal, last);
  });

  it('should resolve done when the bus halts, and keep stop() valid and idempotent afterwards', async () => {
    const server = await startNatsServer();
    const rig = await startRig({ servers: server.url, bus: 'halts', mode: 'sync' });
    let last = -1;
    for (let i = 0; i < 50; i++) last = rig.bus.publishWith(fillEvent, null);
    await within(rig.replication.waitForReplicated(last), 30_000, `sequence ${last} replicated`);
    await rig.bus.halt();
    await within(rig.replication.done, 30_000, 'replication to end with the halted bus');
    await rig.replication.stop();
    await rig.replication.stop();
    await assert.rejects(rig.replication.metrics(), { code: 'RINGBUS_ERR_BUS_STATE' });
  });

  it("should bound start() with startTimeoutMs when a recovered tail longer than the ring waits for replication ('sync', NATS stopped)", async () => {
    const server = await startNatsServer();
    const dataDir = mkdtempSync(join(tmpdir(), 'ringbus-bus-replication-'));
    dirs.push(dataDir);
    // a previous run left 3000 journaled events, never replicated
    const previous = new RingBus({ event: Cmd, capacity: 1024, persistence: { dataDir, fsync: 'batch' } });
    previous.handleEventsWith(previous.journal);
    await previous.start();
    for (let i = 0; i < 3000; i++) previous.publishEvent({ id: i, symbol: 'AAA', qty: 1, price: 1 });
    await previous.shutdown();
    await server.kill();
    const open = (startTimeoutMs: number): { bus: RingBus; replication: BusReplication } => {
      const bus = new RingBus({ event: Cmd, capacity: 1024, persistence: { dataDir, fsync: 'batch' } });
      const replication = BusReplication.attach(bus, {
        servers: server.url,
        bus: 'tail',
        mode: 'sync',
        retryMs: 50,
        startTimeoutMs,
      });
      bus.after(replication.line).handleEventsWith(bus.handler('book', BOOK));
      return { bus, replication };
    };
    const blocked = open(300);
    // start() rejects with the halt (not the replay's ALERTED), its cause the replication timeout
    await assert.rejects(within(blocked.bus.start(), 60_000, 'start() to give up'), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'RINGBUS_ERR_BUS_HALTED');
      assert.equal((e.cause as { code?: string } | undefined)?.code, 'RINGBUS_ERR_REPLICATION_TIMEOUT');
      return true;
    });
    await assert.rejects(blocked.replication.done, { code: 'RINGBUS_ERR_REPLICATION_TIMEOUT' });
    const halt = blocked.bus.haltError as Error & { code?: string; cause?: { code?: string; message?: string } };
    assert.equal(halt.code, 'RINGBUS_ERR_BUS_HALTED');
    assert.equal(halt.cause?.code, 'RINGBUS_ERR_REPLICATION_TIMEOUT');
    assert.match(halt.cause?.message ?? '', /startTimeoutMs=300 \(the NATS server is unreachable\)/);
    await within(blocked.replication.stop(), 30_000, 'stop() after the failed start');
    // with the server back the same recovery goes through and replicates the whole tail
    await server.restart();
    const ok = open(0);
    await within(ok.bus.start(), 60_000, 'start() with NATS back');
    await within(ok.replication.waitForReplicated(2999), 60_000, 'the tail replicated');
    await ok.bus.shutdown();
    await within(ok.replication.done, 30_000, 'replication to end with the bus');
    assertSameRecords(await streamBodies(server.url, busStreamNames('tail').stream), journalBodies(dataDir), 2999);
  });

  it('should publish the state hash every stateHashEveryMs once replicated, equal to what a replay of the journal gives', async () => {
    const server = await startNatsServer();
    const dataDir = mkdtempSync(join(tmpdir(), 'ringbus-bus-replication-'));
    dirs.push(dataDir);
    const bus = new RingBus({ event: Cmd, capacity: 1024, persistence: { dataDir, fsync: 'batch' } });
    const replication = BusReplication.attach(bus, {
      servers: server.url,
      bus: 'hashes',
      mode: 'async',
      stateHashEveryMs: 20,
    });
    bus.handleEventsWith(bus.journal).then(bus.handler('book', BOOK));
    await bus.start();
    let last = -1;
    for (let i = 0; i < 500; i++) last = bus.publishEvent({ id: i, symbol: i % 3 ? 'AAA' : 'BBB', qty: i, price: 2 });
    await waitUntil(
      () => (replication.publishedStateHash?.sequence ?? -1) > last,
      () => `a state hash published after ${last} (last: ${JSON.stringify(replication.publishedStateHash)})`,
    );
    const published = replication.publishedStateHash!;
    const status = await replicationStatus(server.url, 'hashes');
    assert.ok(status.stateHash !== null && status.stateHash.sequence >= published.sequence, JSON.stringify(status));
    assert.ok(status.lastSequence >= status.stateHash.sequence, 'published only once replicated');
    await bus.shutdown();
    await within(replication.done, 30_000, 'replication to end with the bus');
    // what a standby computes: a read-only replay of the journal to the published sequence
    assert.equal(await replayStateHash(dataDir, status.stateHash.sequence), status.stateHash.hash);
  });
});

function journalHolds(rig: Rig): number {
  return journalBodies(rig.dataDir).length - 1;
}
