// The `__consumer_offsets` records of consumer groups (KIP-848), in Kafka 4.x's key and value
// layouts, so a coordinator that takes over the partition (or Kafka's own tools) reads them back.
// A key is an int16 record type then a non-flexible struct; a value an int16 version (0) then a
// flexible struct; a null value is a tombstone. Called by consumer-heartbeat.ts (writing) and
// group-loading.ts (reading, through offsets-records.ts's decodeKey).
//
//   type 3  ConsumerGroupMetadata           key Group          value Epoch int32
//   type 4  ConsumerGroupPartitionMetadata  key Group          (not written: replaced in 4.1 by a hash; read and ignored)
//   type 5  ConsumerGroupMemberMetadata     key Group, Member  value InstanceId?, RackId?, ClientId, ClientHost,
//                                                                    SubscribedTopicNames [string], SubscribedTopicRegex?,
//                                                                    RebalanceTimeoutMs int32, ServerAssignor?
//   type 6  ConsumerGroupTargetAssignmentMetadata key Group    value AssignmentEpoch int32
//   type 7  ConsumerGroupTargetAssignmentMember   key Group, Member  value TopicPartitions [TopicId uuid, Partitions [int32]]
//   type 8  ConsumerGroupCurrentMemberAssignment  key Group, Member  value MemberEpoch, PreviousMemberEpoch int32,
//                                                                    State int8, AssignedPartitions [TopicId, Partitions],
//                                                                    PartitionsPendingRevocation [same]
//   type 16 ConsumerGroupRegularExpression  key Group, Regex   (not written; read and ignored)
// Tagged fields Kafka adds (MetadataHash, AssignmentTimestamp, AssignmentEpochs, ClassicMemberMetadata)
// are not written; when read they are skipped.
import { array, field, message, struct, type MessageValue } from '../../protocol/schema/dsl.js';
import { decodeMessage, encodeMessage } from '../../protocol/schema/codec.js';
import type { Reader } from '../../protocol/primitives/reader.js';
import { Reader as BufferReader } from '../../protocol/primitives/reader.js';
import { Writer } from '../../protocol/primitives/writer.js';
import { ProtocolDecodeError } from '../../protocol/errors.js';
import type { TopicAssignment } from './reconciliation.js';

export const ConsumerRecordType = {
  groupMetadata: 3,
  partitionMetadata: 4,
  memberMetadata: 5,
  targetAssignmentMetadata: 6,
  targetAssignmentMember: 7,
  currentMemberAssignment: 8,
  regularExpression: 16,
} as const;

const groupKeySchema = message('ConsumerGroupKey', 'none', [field('groupId', 'string', '0')]);
const memberKeySchema = message('ConsumerGroupMemberKey', 'none', [
  field('groupId', 'string', '0'),
  field('memberId', 'string', '0'),
]);
const regexKeySchema = message('ConsumerGroupRegularExpressionKey', 'none', [
  field('groupId', 'string', '0'),
  field('regularExpression', 'string', '0'),
]);

const groupMetadataValueSchema = message('ConsumerGroupMetadataValue', '0+', [field('epoch', 'int32', '0+')]);

const memberMetadataValueSchema = message('ConsumerGroupMemberMetadataValue', '0+', [
  field('instanceId', 'string', '0+', { nullable: '0+' }),
  field('rackId', 'string', '0+', { nullable: '0+' }),
  field('clientId', 'string', '0+'),
  field('clientHost', 'string', '0+'),
  field('subscribedTopicNames', array('string'), '0+'),
  field('subscribedTopicRegex', 'string', '0+', { nullable: '0+' }),
  field('rebalanceTimeoutMs', 'int32', '0+', { default: -1 }),
  field('serverAssignor', 'string', '0+', { nullable: '0+' }),
]);

const targetMetadataValueSchema = message('ConsumerGroupTargetAssignmentMetadataValue', '0+', [
  field('assignmentEpoch', 'int32', '0+'),
]);

const topicPartitions = array(struct([field('topicId', 'uuid', '0+'), field('partitions', array('int32'), '0+')]));

const targetMemberValueSchema = message('ConsumerGroupTargetAssignmentMemberValue', '0+', [
  field('topicPartitions', topicPartitions, '0+'),
]);

const currentAssignmentValueSchema = message('ConsumerGroupCurrentMemberAssignmentValue', '0+', [
  field('memberEpoch', 'int32', '0+'),
  field('previousMemberEpoch', 'int32', '0+'),
  field('state', 'int8', '0+'),
  field('assignedPartitions', topicPartitions, '0+'),
  field('partitionsPendingRevocation', topicPartitions, '0+'),
]);

export type ConsumerMemberMetadataValue = MessageValue<typeof memberMetadataValueSchema>;
export type ConsumerCurrentAssignmentValue = MessageValue<typeof currentAssignmentValueSchema>;

/** A consumer group record's key, decoded. */
export type ConsumerRecordKey =
  | { readonly kind: 'consumer-group'; readonly type: 3 | 4 | 6; readonly group: string }
  | { readonly kind: 'consumer-member'; readonly type: 5 | 7 | 8; readonly group: string; readonly memberId: string }
  | { readonly kind: 'consumer-ignored'; readonly group: string };

/** A decoded value: what the coordinator keeps of each record type. */
export type ConsumerRecordValue =
  | { readonly type: 3; readonly epoch: number }
  | { readonly type: 5; readonly member: ConsumerMemberMetadataValue }
  | { readonly type: 6; readonly assignmentEpoch: number }
  | { readonly type: 7; readonly target: TopicAssignment }
  | { readonly type: 8; readonly current: ConsumerCurrentAssignmentValue };

const valueVersion = 0;

function versioned(version: number, body: (w: Writer) => void): Buffer {
  const w = new Writer();
  w.int16(version);
  body(w);
  return w.toBuffer();
}

export function consumerGroupKey(type: 3 | 6, groupId: string): Buffer {
  return versioned(type, (w) => encodeMessage(groupKeySchema, 0, { groupId }, w));
}

export function consumerMemberKey(type: 5 | 7 | 8, groupId: string, memberId: string): Buffer {
  return versioned(type, (w) => encodeMessage(memberKeySchema, 0, { groupId, memberId }, w));
}

export function toTopicPartitions(a: TopicAssignment): { topicId: string; partitions: number[] }[] {
  return [...a]
    .filter(([, s]) => s.size > 0)
    .map(([topicId, s]) => ({ topicId, partitions: [...s].sort((x, y) => x - y) }));
}

export function fromTopicPartitions(
  list: readonly { topicId: string; partitions: readonly number[] }[],
): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const t of list) {
    const s = out.get(t.topicId) ?? new Set<number>();
    for (const p of t.partitions) s.add(p);
    if (s.size > 0) out.set(t.topicId, s);
  }
  return out;
}

export function groupMetadataValue(epoch: number): Buffer {
  return versioned(valueVersion, (w) => encodeMessage(groupMetadataValueSchema, valueVersion, { epoch }, w));
}

export function memberMetadataValue(v: ConsumerMemberMetadataValue): Buffer {
  return versioned(valueVersion, (w) => encodeMessage(memberMetadataValueSchema, valueVersion, v, w));
}

export function targetMetadataValue(assignmentEpoch: number): Buffer {
  return versioned(valueVersion, (w) => encodeMessage(targetMetadataValueSchema, valueVersion, { assignmentEpoch }, w));
}

export function targetMemberValue(target: TopicAssignment): Buffer {
  return versioned(valueVersion, (w) =>
    encodeMessage(targetMemberValueSchema, valueVersion, { topicPartitions: toTopicPartitions(target) }, w),
  );
}

export function currentAssignmentValue(v: {
  memberEpoch: number;
  previousMemberEpoch: number;
  state: number;
  assigned: TopicAssignment;
  pendingRevocation: TopicAssignment;
}): Buffer {
  return versioned(valueVersion, (w) =>
    encodeMessage(
      currentAssignmentValueSchema,
      valueVersion,
      {
        memberEpoch: v.memberEpoch,
        previousMemberEpoch: v.previousMemberEpoch,
        state: v.state,
        assignedPartitions: toTopicPartitions(v.assigned),
        partitionsPendingRevocation: toTopicPartitions(v.pendingRevocation),
      },
      w,
    ),
  );
}

/** The key of a consumer group record (types 3-8 and 16), after its int16 type was read; null for other types. */
export function decodeConsumerKey(type: number, r: Reader): ConsumerRecordKey | null {
  switch (type) {
    case ConsumerRecordType.groupMetadata:
    case ConsumerRecordType.partitionMetadata:
    case ConsumerRecordType.targetAssignmentMetadata:
      return { kind: 'consumer-group', type, group: decodeMessage(groupKeySchema, 0, r).groupId };
    case ConsumerRecordType.memberMetadata:
    case ConsumerRecordType.targetAssignmentMember:
    case ConsumerRecordType.currentMemberAssignment: {
      const k = decodeMessage(memberKeySchema, 0, r);
      return { kind: 'consumer-member', type, group: k.groupId, memberId: k.memberId };
    }
    case ConsumerRecordType.regularExpression:
      return { kind: 'consumer-ignored', group: decodeMessage(regexKeySchema, 0, r).groupId };
    default:
      return null;
  }
}

/** A consumer group record's value; null for the types the coordinator does not keep (4). */
export function decodeConsumerValue(type: number, value: Buffer): ConsumerRecordValue | null {
  const r = new BufferReader(value);
  const version = r.int16();
  if (version !== valueVersion)
    throw new ProtocolDecodeError(`consumer group record type ${type}: value version ${version}`);
  switch (type) {
    case 3:
      return { type: 3, epoch: decodeMessage(groupMetadataValueSchema, version, r).epoch };
    case 5:
      return { type: 5, member: decodeMessage(memberMetadataValueSchema, version, r) };
    case 6:
      return { type: 6, assignmentEpoch: decodeMessage(targetMetadataValueSchema, version, r).assignmentEpoch };
    case 7:
      return {
        type: 7,
        target: fromTopicPartitions(decodeMessage(targetMemberValueSchema, version, r).topicPartitions),
      };
    case 8:
      return { type: 8, current: decodeMessage(currentAssignmentValueSchema, version, r) };
    default:
      return null;
  }
}
