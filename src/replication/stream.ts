/**
 * Connecting to NATS and creating the bus's stream and key-value bucket when absent. The client is
 * the `nats` package (v2): it speaks to nats-server 2.9 (Debian's) and runs on Node 20.
 */
import { connect, StorageType, type JetStreamManager, type KV, type NatsConnection } from 'nats';
import { RingbusTypeError, show } from '../errors.js';
import { KV_BUCKET, type BusStreamNames } from './streamNames.js';

/** Servers as the `nats` client takes them: "127.0.0.1:4222" or a list. */
export type NatsServers = string | readonly string[];

export function checkServers(servers: unknown): string[] {
  const list = typeof servers === 'string' ? servers.split(',') : servers;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && s.length > 0))
    throw new RingbusTypeError(
      'RINGBUS_ERR_INVALID_OPTION',
      `servers must be a NATS URL ("127.0.0.1:4222") or a non-empty list of them, got ${show(servers)}`,
    );
  return list as string[];
}

/** A connection that keeps reconnecting (the relay outlives server restarts). */
export function connectNats(servers: NatsServers, name: string): Promise<NatsConnection> {
  return connect({
    servers: checkServers(servers),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
    pingInterval: 2000,
    // no Error (with its stack) made up front for every request's possible timeout: that was a
    // quarter of the relay's CPU per shipped record (a publish is a request for its ack)
    noAsyncTraces: true,
  });
}

/** How long setting up a stream or bucket keeps retrying a JetStream API that is electing a leader. */
export const SETUP_RETRY_MS = 30_000;

/** Whether a JetStream API error is transient: no answer (TIMEOUT, 503) while a leader is elected. */
export function isTransientJetStreamError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return (
    e?.code === 'TIMEOUT' ||
    e?.code === '503' ||
    /timeout|no responders|temporarily unavailable|leader/i.test(String(e?.message ?? ''))
  );
}

/**
 * Runs a JetStream API request again after a transient failure (isTransientJetStreamError), every
 * 100 ms, until it answers or `ms` pass; then the last error is rethrown. In a cluster the API
 * does not answer while a meta or stream leader is being elected (a fresh cluster, a node lost).
 * Other errors are rethrown at once.
 */
export async function retryJetStream<T>(request: () => Promise<T>, ms: number = SETUP_RETRY_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await request();
    } catch (err) {
      if (!isTransientJetStreamError(err) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Creates the stream (file storage, `replicas` copies) unless it exists; rides out leader elections. */
export function ensureStream(jsm: JetStreamManager, names: BusStreamNames, replicas: number): Promise<void> {
  return retryJetStream(() => createStreamUnlessPresent(jsm, names, replicas));
}

async function createStreamUnlessPresent(
  jsm: JetStreamManager,
  names: BusStreamNames,
  replicas: number,
): Promise<void> {
  try {
    await jsm.streams.info(names.stream);
  } catch (err) {
    if (!/stream not found/i.test((err as Error).message)) throw err;
    await jsm.streams.add({
      name: names.stream,
      subjects: [names.subject],
      storage: StorageType.File,
      num_replicas: replicas,
      duplicate_window: 120_000_000_000, // 2 min in ns: a retried publish within it is de-duplicated
    });
  }
}

/** The shared key-value bucket (lease, manifest), created when absent; rides out leader elections. */
export function openBucket(nc: NatsConnection, replicas: number): Promise<KV> {
  return retryJetStream(() => nc.jetstream().views.kv(KV_BUCKET, { replicas, history: 1 }));
}
