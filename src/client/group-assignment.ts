// The classic consumer protocol's choices on raftka's GroupConsumer (group-consumer.ts): which
// assignors a member offers (partition.assignment.strategy), which rebalance protocol follows from
// them (KIP-429: cooperative only when every assignor offered supports it, as Kafka's
// ConsumerCoordinator decides, so [cooperative-sticky, range] stays eager: the upgrade path), the
// subscription bytes a member joins with, and the leader's run of the group's chosen assignor.
// Pure apart from the types it shares with group-client.ts.
import { ErrorCode } from '../common/errors.js';
import {
  assignorsByName,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  type Assignor,
  type AssignorMember,
} from '../protocol/consumer-protocol.js';
import { cooperativeStickyAssignor } from './cooperative-sticky-assignor.js';
import { toTopicPartitions, type JoinedMember } from './group-client.js';
import { KafkaRequestError } from './kafka-client.js';

export type AssignorName = 'range' | 'roundrobin' | 'cooperative-sticky';

/** KIP-429's two rebalance protocols of the classic group protocol. */
export type RebalanceProtocol = 'eager' | 'cooperative';

/** Every assignor raftka's consumer has, by protocol name. */
const consumerAssignors: ReadonlyMap<string, Assignor> = new Map([
  ...assignorsByName,
  [cooperativeStickyAssignor.name, cooperativeStickyAssignor],
]);

/** The assignors that can run the cooperative protocol (the others are eager only). */
const cooperativeAssignors: ReadonlySet<string> = new Set([cooperativeStickyAssignor.name]);

/** Kafka's rule: the most advanced protocol every configured assignor supports. */
export function rebalanceProtocolOf(names: readonly AssignorName[]): RebalanceProtocol {
  return names.length > 0 && names.every((n) => cooperativeAssignors.has(n)) ? 'cooperative' : 'eager';
}

/**
 * JoinGroup protocol metadata. A member offering cooperative-sticky sends version 3 with the
 * partitions it holds and the generation it got them in (an eager member has given everything
 * back before joining, so it sends none); userData stays null, the generation travelling in its
 * own field (librdkafka and Kafka's Java leaders read it there, or fall back to -1). Others send v0.
 */
export function subscriptionMetadata(
  names: readonly AssignorName[],
  topics: readonly string[],
  owned: readonly { readonly topic: string; readonly partition: number }[],
  generationId: number,
): Buffer {
  if (!names.some((n) => cooperativeAssignors.has(n))) return encodeSubscription({ topics });
  return encodeSubscription({ topics, ownedPartitions: toTopicPartitions(owned), generationId }, 3);
}

/** The group members as the assignors see them, from their JoinGroup metadata. */
export function subscribers(members: readonly JoinedMember[]): AssignorMember[] {
  return members.map((m) => {
    const s = decodeSubscription(m.metadata);
    return {
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      topics: s.topics,
      ownedPartitions: s.ownedPartitions,
      generationId: s.generationId,
    };
  });
}

/** The leader's SyncGroup assignments: the group's chosen assignor run over every member. */
export function leaderAssignments(
  protocolName: string | null,
  members: readonly AssignorMember[],
  partitionCounts: ReadonlyMap<string, number>,
): { memberId: string; assignment: Buffer }[] {
  const assignor = consumerAssignors.get(protocolName ?? '');
  if (!assignor)
    throw new KafkaRequestError(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      `the group chose assignor "${protocolName}", which this consumer does not have`,
    );
  const plan = assignor.assign(members, partitionCounts);
  return members.map((m) => ({ memberId: m.memberId, assignment: encodeAssignment(plan.get(m.memberId) ?? []) }));
}
