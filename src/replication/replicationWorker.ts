/**
 * Worker thread of BusReplication: runs a JournalRelay on the bus's data directory and moves the
 * bus's `replicated` progress line to what the stream acknowledged (never past the journal's
 * durable sequence: ProgressLineWriter). Its own thread, so a producer parked in Atomics.wait on a
 * full ring (waiting for this very line) cannot starve it.
 *
 * Messages in: { type: 'metrics', id } | { type: 'stop' }. Out: { type: 'connected' } |
 * { type: 'metrics', id, metrics } | { type: 'failed', code, message } | { type: 'stopped', busEnded }.
 * A coded relay error (fenced, diverged, gap) halts the bus with that error as the halt's cause;
 * an unreachable server is retried until stopped (the line waits; publishers are held back).
 *
 * It watches the bus's status block (every WATCH_MS): once the bus has shut down it ships what
 * the journal holds (bounded by stopTimeoutMs) and exits; once it halted for any other reason it
 * exits after the publishes in flight. While start() replays a recovered journal tail that waits for
 * this line (longer than the ring, or than maxLagEvents), it halts the bus with
 * RINGBUS_ERR_REPLICATION_TIMEOUT when startTimeoutMs passes, so start() cannot wait forever.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HALT_SHUTDOWN } from '../layout/BusStatusDescriptor.js';
import { BusStatus } from '../runtime/BusStatus.js';
import { ProgressLineWriter } from '../topology/ProgressLineWriter.js';
import type { ProgressLineDescriptor } from '../topology/progressLines.js';
import { JournalRelay, type JournalRelayOptions } from './JournalRelay.js';
import type { ReplicationWorkerIn, ReplicationWorkerOut } from './BusReplication.js';

const {
  line,
  relay: relayOptions,
  retryMs,
  stopTimeoutMs,
  startTimeoutMs,
} = workerData as {
  line: ProgressLineDescriptor;
  relay: JournalRelayOptions;
  retryMs: number;
  stopTimeoutMs: number;
  /** 0: no bound. */
  startTimeoutMs: number;
};
/** How often the bus's status block is looked at (shutdown, halt, a blocked start). */
const WATCH_MS = 20;
const port = parentPort!;
const writer = new ProgressLineWriter(line);
const status = new BusStatus(line.status);
const spawnedAt = performance.now();
let relay: JournalRelay | null = null;
let stopping = false;
let retries = 0;
let pending: NodeJS.Timeout | null = null;
const post = (m: ReplicationWorkerOut): void => port.postMessage(m);

port.on('message', (m: ReplicationWorkerIn) => {
  if (m.type === 'metrics') post({ type: 'metrics', id: m.id, metrics: metrics() });
  else if (m.type === 'stop') void stop(0, false);
});

const watch = setInterval(() => {
  const reason = status.haltReason();
  if (reason !== 0) return void stop(reason === HALT_SHUTDOWN ? stopTimeoutMs : 0, true);
  if (startTimeoutMs > 0 && performance.now() - spawnedAt > startTimeoutMs && startBlocked()) {
    const until = status.replayUntil();
    fail({
      code: 'RINGBUS_ERR_REPLICATION_TIMEOUT',
      message:
        `start(): recovery replays the journal through ${until} and waits for replication, which reached ` +
        `${writer.sequence()} within startTimeoutMs=${startTimeoutMs} (${relay === null ? 'the NATS server is unreachable' : 'connected'})`,
    });
  }
}, WATCH_MS);

/** Recovery is still replaying (the cursor has not reached the replayed tail's end) and this line is behind it. */
function startBlocked(): boolean {
  const until = status.replayUntil();
  const cursor = writer.cursor();
  return until >= 0 && cursor < until && writer.sequence() < cursor;
}

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
  if (stopping) return void (await relay.stop()); // stop() found no relay to stop
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
  writer.fail('replication', code, e.message ?? String(err));
  post({ type: 'failed', code, message: e.message ?? String(err) });
}

/**
 * Stops the relay after the publishes in flight; with `flushMs` > 0 (the bus shut down) first lets it
 * ship what the journal holds, for at most flushMs. `busEnded`: the bus's shutdown or halt stopped it.
 */
async function stop(flushMs: number, busEnded: boolean): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(watch);
  if (pending !== null) clearTimeout(pending);
  if (relay !== null && flushMs > 0) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, flushMs)));
    await Promise.race([relay.waitForReplicated(writer.durable()).catch(() => undefined), late]);
    clearTimeout(timer);
    writer.advance(relay.replicatedSequence());
  }
  await relay?.stop();
  post({ type: 'stopped', busEnded });
  port.close();
}

function isCoded(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('RINGBUS_ERR_');
}

run().catch(fail); // anything unexpected halts the bus rather than leaving gated stages waiting
