/**
 * replication: the journal relay and the standby mirror against a local nats-server (JetStream,
 * file storage, R1) that the scenario starts itself on a free 127.0.0.1 port.
 *
 *   relay throughput   journal of N events (fsync 'none') ──JournalRelay (window of 256 publishes)──▶ stream; events/s until all acked
 *   sync commit        64 events ──append, commit (fdatasync)──▶ + waitForReplicated(last): latency per batch
 *   local fsync        64 events ──append, commit (fdatasync)──▶ latency per batch (the baseline)
 *   standby catch-up   stream of N events ──JournalMirror (ordered consumer, fsync per batch)──▶ empty data dir; events/s
 *   hot standby        stream of N events ──Standby (ordered consumer → follower bus, journal stage)──▶ empty data dir; events/s
 *
 * Every run checks its output (replicated / applied sequence). Needs `nats-server` on the PATH.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { JournalWriter } from '../../src/persistence/JournalWriter.js';
import { writeManifest } from '../../src/persistence/dataDirManifest.js';
import { JournalMirror } from '../../src/replication/JournalMirror.js';
import { JournalRelay } from '../../src/replication/JournalRelay.js';
import { Standby } from '../../src/replication/Standby.js';
import { defineEvent } from '../../src/schema/defineEvent.js';
import { createLatencyHistogram, recordLatency, summarizeLatency } from '../lib/histogram.js';
import { removeDir, tempDir } from '../lib/journalRecovery.js';
import { machineInfo } from '../lib/machine.js';
import type { BenchOptions } from '../lib/options.js';
import type { BenchReport, BenchResult } from '../lib/report.js';
import { nowNs, perSecond } from '../lib/timing.js';

const Tick = defineEvent('BenchTick', { id: 'i53', price: 'f64', qty: 'u32', side: 'u8' });
const BATCH = 64;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function startServer(port: number, storeDir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    const timer = setTimeout(() => reject(new Error(`nats-server not ready in 30 s:\n${log}`)), 30_000);
    child.once('error', reject);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
  });
}

function openWriter(dir: string, fsync: 'none' | 'batch'): JournalWriter {
  writeManifest(dir, { event: Tick.definition, handlers: [] });
  return JournalWriter.open(dir, {
    fingerprint: Tick.fingerprint,
    eventName: Tick.name,
    payloadSize: Tick.journalSize,
    epochMs: Date.now(),
    fsync,
  });
}

function append(w: JournalWriter, from: number, count: number, payload: Uint8Array): number {
  for (let s = from; s < from + count; s++) {
    payload[0] = s & 255;
    w.append(s, s * 10, 1, 0, payload, 0, payload.length);
  }
  w.commit();
  return from + count - 1;
}

export async function run(options: BenchOptions): Promise<BenchReport> {
  const quick = options.quick;
  const events = options.events ?? (quick ? 5_000 : 200_000);
  const batches = quick ? 30 : 300;
  const root = tempDir('replication');
  const port = await freePort();
  const server = await startServer(port, join(root, 'nats'));
  const servers = `127.0.0.1:${port}`;
  const payload = new Uint8Array(Tick.journalSize);
  try {
    // relay throughput
    const src = join(root, 'relay');
    const w = openWriter(src, 'none');
    append(w, 0, events, payload);
    w.close();
    let t0 = nowNs();
    const relay = await JournalRelay.start({ dataDir: src, servers, bus: 'bench-relay' });
    await relay.waitForReplicated(events - 1);
    const relayNs = nowNs() - t0;
    const publish = relay.metrics().publishLatencyUs;
    await relay.stop();

    // standby catch-up from that stream
    t0 = nowNs();
    const mirror = await JournalMirror.start({ dataDir: join(root, 'standby'), servers, bus: 'bench-relay' });
    await mirror.waitForApplied(events - 1);
    const mirrorNs = nowNs() - t0;
    await mirror.stop();

    // hot standby catch-up from the same stream: the manifest's bus (journal stage only) in follower mode
    t0 = nowNs();
    const standby = await Standby.start({ dataDir: join(root, 'hot'), servers, bus: 'bench-relay', owner: 'bench' });
    await standby.waitForApplied(events - 1);
    const promotion = await standby.promoted; // the lease is free: it promotes once it has applied the stream
    await promotion.bus.drain({ timeoutMs: 600_000 });
    const hotNs = nowNs() - t0;
    await promotion.bus.shutdown();
    promotion.lease.stopHeartbeat();
    await promotion.connection.close();

    // sync replication vs local fsync, batch by batch, alternating
    const dir = join(root, 'sync');
    const sw = openWriter(dir, 'batch');
    const syncRelay = await JournalRelay.start({ dataDir: dir, servers, bus: 'bench-sync', pollMs: 1 });
    const local = createLatencyHistogram();
    const sync = createLatencyHistogram();
    let next = 0;
    for (let i = 0; i < batches; i++) {
      let t = nowNs();
      let last = append(sw, next, BATCH, payload);
      recordLatency(local, nowNs() - t);
      next = last + 1;
      t = nowNs();
      last = append(sw, next, BATCH, payload);
      await syncRelay.waitForReplicated(last);
      recordLatency(sync, nowNs() - t);
      next = last + 1;
    }
    await syncRelay.stop();
    sw.close();

    const baseline: BenchResult = {
      name: `local fsync, ${BATCH} events per commit`,
      latencyNs: summarizeLatency(local),
      events: batches * BATCH,
      detail: 'append + commit (fdatasync)',
    };
    const syncLatency = summarizeLatency(sync);
    const results: BenchResult[] = [
      {
        name: 'relay throughput',
        eventsPerSec: perSecond(events, relayNs),
        events,
        reps: 1,
        detail: `window of 256 publishes in flight; publish→ack p50 ${publish.p50} µs, p99 ${publish.p99} µs`,
      },
      {
        name: 'standby catch-up',
        eventsPerSec: perSecond(events, mirrorNs),
        events,
        reps: 1,
        detail: "ordered consumer → local journal, fsync 'batch'",
      },
      {
        name: 'hot standby catch-up',
        eventsPerSec: perSecond(events, hotNs),
        events,
        reps: 1,
        detail: "ordered consumer → follower bus (journal stage in a worker, fsync 'batch'), start to drained",
      },
      {
        name: `sync replication, ${BATCH} events per commit`,
        latencyNs: syncLatency,
        ratioVsBaseline: baseline.latencyNs!.p50 / syncLatency.p50,
        events: batches * BATCH,
        detail: 'commit (fdatasync) + waitForReplicated (R1 stream, loopback)',
      },
    ];
    return {
      scenario: 'replication',
      results,
      baseline,
      machine: machineInfo(),
      placement: {
        threads: [
          {
            role: 'journal writer, relay, mirror, standby feed (event loop)',
            thread: 'main',
            cpu: null,
            wait: 'event loop',
          },
          { role: 'hot standby bus: journal stage', thread: 'worker', cpu: null, wait: 'bus default' },
          { role: 'nats-server (JetStream, R1, file storage)', thread: 'process', cpu: null, wait: 'Go runtime' },
        ],
        pinned: false,
        note: 'not pinned: nats-server is a separate process on the same machine, reached over loopback TCP',
      },
      notes: [
        'one nats-server on 127.0.0.1 (R1): a cluster adds a Raft round trip to every quorum ack',
        `sync rows: each batch is ${BATCH} events; the relay polls the journal every 1 ms, which bounds how soon it sees a commit`,
        `files under ${root} (os.tmpdir(), removed at the end)`,
      ],
      quick,
    };
  } finally {
    server.kill('SIGKILL');
    removeDir(root);
  }
}
