// One partition of a Metadata response, from the broker's metadata image, as Kafka's
// KRaftMetadataCache answers it: a leader that is not a registered broker (a controller-only
// node, a node that never registered: after a ZooKeeper migration into a cluster whose ids do
// not match, for example) is LEADER_NOT_AVAILABLE with leader -1, never served as if it could
// take requests; a registered leader without an endpoint on the request's listener is
// LISTENER_NOT_FOUND from version 6 (LEADER_NOT_AVAILABLE before), leader -1. Pure; called by
// kafka-apis.ts's Metadata handler.
import { ErrorCode } from '../common/errors.js';
import type { BrokerRegistration, PartitionRegistration } from '../metadata/image.js';

export interface MetadataPartitionEntry {
  readonly errorCode: number;
  readonly partitionIndex: number;
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly replicaNodes: number[];
  readonly isrNodes: number[];
  readonly offlineReplicas: number[];
}

/** Metadata versions from this one answer a leader without the request's listener with LISTENER_NOT_FOUND. */
const listenerNotFoundVersionMin = 6;

export function metadataPartition(
  partitionIndex: number,
  p: PartitionRegistration,
  brokers: ReadonlyMap<number, BrokerRegistration>,
  listenerName: string,
  /** Unfenced brokers with an endpoint on this listener (the response's broker list). */
  live: ReadonlySet<number>,
  version: number,
): MetadataPartitionEntry {
  const leader = p.leader >= 0 ? brokers.get(p.leader) : undefined;
  const reachable = leader?.endpoints.some((e) => e.name === listenerName) ?? false;
  const errorCode = reachable
    ? ErrorCode.NONE
    : leader !== undefined && version >= listenerNotFoundVersionMin
      ? ErrorCode.LISTENER_NOT_FOUND
      : ErrorCode.LEADER_NOT_AVAILABLE;
  return {
    errorCode,
    partitionIndex,
    leaderId: reachable ? p.leader : -1,
    leaderEpoch: p.leaderEpoch,
    replicaNodes: [...p.replicas],
    isrNodes: [...p.isr],
    offlineReplicas: p.replicas.filter((r) => !live.has(r)),
  };
}
