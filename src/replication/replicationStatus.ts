/** What `ringbus replication status` shows: the bus's stream, lease and last published state hash. */
import { connectNats, openBucket, type NatsServers } from './stream.js';
import { busStreamNames } from './streamNames.js';
import type { LeaseValue } from './LeaderLease.js';

export interface ReplicationStatus {
  readonly bus: string;
  readonly stream: string;
  /** Last journal sequence the stream holds (-1: empty). */
  readonly lastSequence: number;
  readonly messages: number;
  readonly bytes: number;
  readonly replicas: number;
  /** The server leading the stream in a cluster, or null. */
  readonly streamLeader: string | null;
  readonly lease: { owner: string; term: number; revision: number } | null;
  readonly stateHash: { sequence: number; hash: string } | null;
}

export async function replicationStatus(servers: NatsServers, bus: string): Promise<ReplicationStatus> {
  const names = busStreamNames(bus);
  const nc = await connectNats(servers, `ringbus-status-${bus}`);
  try {
    const info = await (await nc.jetstreamManager({ checkAPI: false })).streams.info(names.stream);
    const kv = await openBucket(nc, 1);
    const decode = (v: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(v));
    const lease = await kv.get(names.leaseKey);
    const hash = await kv.get(`${names.bus}.hash`);
    const held = lease !== null && lease.operation === 'PUT' ? (decode(lease.value) as LeaseValue) : null;
    return {
      bus,
      stream: names.stream,
      lastSequence: info.state.last_seq - 1,
      messages: info.state.messages,
      bytes: info.state.bytes,
      replicas: info.config.num_replicas,
      streamLeader: info.cluster?.leader ?? null,
      lease: held ? { owner: held.owner, term: held.term, revision: lease!.revision } : null,
      stateHash:
        hash !== null && hash.operation === 'PUT' ? (decode(hash.value) as { sequence: number; hash: string }) : null,
    };
  } finally {
    await nc.close();
  }
}
