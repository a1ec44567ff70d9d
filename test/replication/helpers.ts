/** Shared helpers of the replication tests: bounded waits and reading a whole stream back. */
import { connect } from 'nats';
import { JournalReader } from '../../src/persistence/JournalReader.js';
import { encodeRecord } from '../../src/replication/recordMessage.js';
import { retryJetStream } from '../../src/replication/stream.js';

export { retryJetStream };

/** Rejects with `what` when `promise` has not settled within `ms` (a bound, not a sleep: it never delays success). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

/**
 * Every message body of a stream, in stream order. Each request is retried for up to 30 s, so a
 * stream whose leader is still being elected is read once it has one.
 */
export async function streamBodies(server: string, stream: string): Promise<Uint8Array[]> {
  const nc = await connect({ servers: server });
  try {
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    const info = await retryJetStream(() => jsm.streams.info(stream));
    const out: Uint8Array[] = [];
    for (let s = info.state.first_seq; s <= info.state.last_seq; s++) {
      const seq = s;
      const m = await retryJetStream(() => jsm.streams.getMessage(stream, { seq }));
      out.push(m.data);
    }
    return out;
  } finally {
    await nc.close();
  }
}

/** Every journal record of a data directory, encoded as the relay encodes it. */
export function journalBodies(dataDir: string): Uint8Array[] {
  const reader = new JournalReader(dataDir);
  const out: Uint8Array[] = [];
  for (let r = reader.next(); r !== null; r = reader.next()) out.push(encodeRecord(r));
  reader.close();
  return out;
}

/** Resolves once JetStream answers on `servers` (a fresh cluster first elects its meta leader); bounded. */
export async function waitForJetStream(servers: string[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  const nc = await connect({ servers });
  try {
    for (;;) {
      try {
        const jsm = await nc.jetstreamManager({ checkAPI: false });
        await jsm.getAccountInfo();
        return;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`JetStream not available on ${servers.join(',')} after ${ms} ms`, { cause: err });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    await nc.close();
  }
}

/** Resolves once `stream` holds journal sequence `sequence` (stream sequence + 1); bounded. */
export async function waitForStreamSequence(
  server: string,
  stream: string,
  sequence: number,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  const nc = await connect({ servers: server });
  try {
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    while ((await jsm.streams.info(stream)).state.last_seq < sequence + 1) {
      if (Date.now() > deadline)
        throw new Error(`stream ${stream} did not reach journal sequence ${sequence} in ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await nc.close();
  }
}
