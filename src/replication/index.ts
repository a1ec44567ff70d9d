/**
 * `ringbus/replication`: journal relay to NATS JetStream, standby mirror, leader lease, status
 * (docs/replication.md). A separate entry point so that `ringbus` alone does not load the NATS client.
 */
export {
  BusReplication,
  type BusReplicationOptions,
  type BusReplicationMetrics,
  type ReplicationMode,
} from './BusReplication.js';
export { JournalRelay, type JournalRelayOptions, type RelayMetrics } from './JournalRelay.js';
export { JournalMirror, type JournalMirrorOptions } from './JournalMirror.js';
export { LeaderLease, type LeaderLeaseOptions, type LeaseValue } from './LeaderLease.js';
export { Standby, publishStateHash, type StandbyOptions, type HashCheck, type Promotion } from './Standby.js';
export { replicationStatus, type ReplicationStatus } from './replicationStatus.js';
export { replayStateHash } from './replayStateHash.js';
export { busFromManifest } from '../topology/busFromManifest.js';
export { busStreamNames, type BusStreamNames } from './streamNames.js';
export { connectNats, type NatsServers } from './stream.js';
export type { LatencyPercentiles } from './LatencyWindow.js';
export { ShardGateway, putShardMap, getShardMap, serveShard, requestState, type ShardMap } from './shards.js';
export { ReadModel, type ReadModelOptions } from './ReadModel.js';
export type { ReplicatedRecord } from './recordMessage.js';
