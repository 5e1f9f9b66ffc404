// DescribeTopicPartitions (Kafka API 75, KIP-966) on the broker: Metadata's topic part, paged, from
// the broker's own metadata image, as Kafka's DescribeTopicPartitionsRequestHandler and
// KRaftMetadataCache do:
// - topics named, or every topic when the list is empty; only names ≥ the cursor's topic, sorted;
// - at most min(ResponsePartitionLimit, describeTopicPartitionsLimitMax) partitions (at least 1);
//   a topic cut short ends the answer with NextCursor at its next partition, a limit reached
//   between topics with NextCursor at the next topic's partition 0;
// - authorized per topic as Metadata is (DESCRIBE): a named topic refused is
//   TOPIC_AUTHORIZATION_FAILED with a zero topic id, an unnamed one is left out quietly;
// - raftka has no eligible leader replicas (KIP-966 ELR), so both ELR lists are empty.
// Who calls: brokerHandlers (kafka-apis.ts).
import { ErrorCode } from '../common/errors.js';
import type { MetadataImage, TopicImage } from '../metadata/image.js';
import { AclOperation, AclResourceType } from '../protocol/acl-types.js';
import {
  describeTopicPartitionsApi,
  type DescribeTopicPartitionsRequest,
  type DescribeTopicPartitionsResponseInput,
} from '../protocol/messages/describe-topic-partitions.js';
import { zeroUuid } from '../protocol/primitives/uuid.js';
import { topicNameProblem } from '../protocol/topic-partition.js';
import type { BrokerApiContext, KafkaApiRegistry } from './api-context.js';
import type { RequestAuthorization } from './authorization.js';

/** Kafka's max.request.partition.size.limit default: the most partitions one answer holds. */
export const describeTopicPartitionsLimitMax = 2000;

type TopicAnswer = DescribeTopicPartitionsResponseInput['topics'][number];

export function registerDescribeTopicPartitions(apis: KafkaApiRegistry, ctx: BrokerApiContext): void {
  apis.register(describeTopicPartitionsApi, (r, _rc, az) =>
    describeTopicPartitions(ctx.replicas.currentImage(), r, az),
  );
}

/** Kafka answers a bad cursor with INVALID_REQUEST on every named topic. */
function invalid(r: DescribeTopicPartitionsRequest): DescribeTopicPartitionsResponseInput {
  return {
    topics: r.topics.map((t) => ({
      errorCode: ErrorCode.INVALID_REQUEST,
      name: t.name,
      topicId: zeroUuid,
      partitions: [],
    })),
    nextCursor: null,
  };
}

function partitionsOf(img: MetadataImage, t: TopicImage, from: number, count: number): TopicAnswer['partitions'] {
  const live = (id: number): boolean => img.brokers.get(id)?.fenced === false;
  const out: TopicAnswer['partitions'][number][] = [];
  for (let i = from; i < Math.min(t.partitions.size, from + count); i++) {
    const p = t.partitions.get(i);
    if (!p) continue;
    out.push({
      errorCode: ErrorCode.NONE,
      partitionIndex: i,
      leaderId: p.leader >= 0 && live(p.leader) ? p.leader : -1,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: [...p.replicas],
      isrNodes: [...p.isr],
      eligibleLeaderReplicas: [],
      lastKnownElr: [],
      offlineReplicas: p.replicas.filter((id) => !live(id)),
    });
  }
  return out;
}

export function describeTopicPartitions(
  img: MetadataImage | null,
  r: DescribeTopicPartitionsRequest,
  az: RequestAuthorization,
): DescribeTopicPartitionsResponseInput {
  const all = r.topics.length === 0;
  const cursor = r.cursor;
  const from = cursor?.topicName ?? '';
  const names = all ? [...(img?.topicsByName.keys() ?? [])] : r.topics.map((t) => t.name);
  const wanted = [...new Set(names.filter((n) => n >= from))].sort();
  if (cursor && !all && !wanted.includes(cursor.topicName)) return invalid(r);
  if (cursor && cursor.partitionIndex < 0) return invalid(r);
  const refused: TopicAnswer[] = [];
  const allowed = wanted.filter((name) => {
    const ok = az.topic(AclOperation.DESCRIBE, name, all);
    if (!ok && !all)
      refused.push({
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        name,
        topicId: zeroUuid,
        isInternal: false,
        partitions: [],
      });
    return ok;
  });
  let remaining = Math.max(Math.min(describeTopicPartitionsLimitMax, r.responsePartitionLimit), 1);
  const topics: TopicAnswer[] = [];
  let nextCursor: { topicName: string; partitionIndex: number } | null = null;
  for (const name of allowed) {
    if (remaining === 0) {
      nextCursor = { topicName: name, partitionIndex: 0 };
      break;
    }
    const t = img?.topicsByName.get(name);
    if (!t) {
      if (!all)
        topics.push({
          errorCode:
            topicNameProblem(name) === null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION,
          name,
          topicId: zeroUuid,
          isInternal: name.startsWith('__'),
          partitions: [],
        });
      continue;
    }
    const start = cursor && name === cursor.topicName ? cursor.partitionIndex : 0;
    const partitions = partitionsOf(img!, t, start, remaining);
    topics.push({
      errorCode: ErrorCode.NONE,
      name,
      topicId: t.id,
      isInternal: name.startsWith('__'),
      partitions,
      topicAuthorizedOperations: az.authorizedOperations(AclResourceType.TOPIC, name),
    });
    const upper = Math.min(t.partitions.size, start + remaining);
    if (upper < t.partitions.size) {
      nextCursor = { topicName: name, partitionIndex: upper };
      break;
    }
    remaining -= partitions.length;
  }
  return { topics: [...topics, ...refused], nextCursor };
}
