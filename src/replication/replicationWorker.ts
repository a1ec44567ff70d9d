/**
 * Worker thread of BusReplication: runs a JournalRelay on the bus's data directory and moves the
 * bus's `replicated` progress line to what the stream acknowledged (never past the journal's
 * durable sequence: ProgressLineWriter). Its own thread, so a producer parked in Atomics.wait on a
 * full ring (waiting for this very line) cannot starve it.
 *
 * Messages in: { type: 'metrics', id } | { type: 'stop' }. Out: { type: 'connected' } |
 * { type: 'metrics', id, metrics } | { type: 'failed', code, message } | { type: 'stopped' }.
 * A coded relay error (fenced, diverged, gap) halts the bus with that error's code and message;
 * an unreachable server is retried until stopped (the line waits; publishers are held back).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProgressLineWriter } from '../topology/ProgressLineWriter.js';
import type { ProgressLineDescriptor } from '../topology/progressLines.js';
import { JournalRelay, type JournalRelayOptions } from './JournalRelay.js';
import type { ReplicationWorkerIn, ReplicationWorkerOut } from './BusReplication.js';

const {
  line,
  relay: relayOptions,
  retryMs,
} = workerData as {
  line: ProgressLineDescriptor;
  relay: JournalRelayOptions;
  retryMs: number;
};
const port = parentPort!;
const writer = new ProgressLineWriter(line);
let relay: JournalRelay | null = null;
let stopping = false;
let retries = 0;
let pending: NodeJS.Timeout | null = null;
const post = (m: ReplicationWorkerOut): void => port.postMessage(m);

port.on('message', (m: ReplicationWorkerIn) => {
  if (m.type === 'metrics') post({ type: 'metrics', id: m.id, metrics: metrics() });
  else if (m.type === 'stop') void stop();
});

function metrics(): Extract<ReplicationWorkerOut, { type: 'metrics' }>['metrics'] {
  const cursor = writer.cursor();
  const lineSequence = writer.sequence();
  return {
    relay: relay?.metrics() ?? null,
    connected: relay !== null,
    startRetries: retries,
    lineSequence,
    cursor,
    durableSequence: writer.durable(),
    lineLagEvents: Math.max(0, cursor - lineSequence),
  };
}

/** Moves the line as far as the stream acknowledged; while the journal's durable line lags, looks again shortly. */
function follow(): void {
  if (relay === null || stopping) return;
  const acked = relay.replicatedSequence();
  if (writer.advance(acked) < acked && pending === null)
    pending = setTimeout(() => {
      pending = null;
      follow();
    }, 1);
}

async function run(): Promise<void> {
  while (!stopping && relay === null) {
    try {
      relay = await JournalRelay.start(relayOptions);
    } catch (err) {
      if (isCoded(err)) return fail(err);
      retries++;
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
  if (relay === null) return;
  if (stopping) return void (await relay.stop());
  post({ type: 'connected' });
  relay.done.catch((err: unknown) => fail(err));
  while (!stopping) {
    follow();
    try {
      await relay.waitForReplicated(Math.max(writer.sequence(), relay.replicatedSequence()) + 1);
    } catch {
      return; // the relay stopped: done reports why
    }
  }
}

function fail(err: unknown): void {
  if (stopping) return;
  const e = err as { code?: string; message?: string };
  const code = typeof e.code === 'string' ? e.code : 'RINGBUS_ERR_BUS_HALTED';
  writer.halt(`replication stopped: ${code}: ${e.message ?? String(err)}`);
  post({ type: 'failed', code, message: e.message ?? String(err) });
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (pending !== null) clearTimeout(pending);
  await relay?.stop();
  post({ type: 'stopped' });
  port.close();
}

function isCoded(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('RINGBUS_ERR_');
}

run().catch(fail); // anything unexpected halts the bus rather than leaving gated stages waiting
