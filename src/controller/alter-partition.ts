// AlterPartition: a partition leader asks to change its ISR (KIP-497). Checked like Kafka: the
// broker epoch must be current, the sender must lead in that leader epoch, the partition epoch
// must match (else the leader acts on stale state), and every new ISR member must be a replica
// that is registered, unfenced and not shutting down.
import { ErrorCode } from '../common/errors.js';
import type { MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import type { Decision } from './cluster-control.js';
import { maybeCompleteReassignment } from './reassignment-control.js';

export interface AlterPartitionItem {
  readonly topicId: string;
  readonly partitionIndex: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly newIsr: readonly number[];
}

export interface AlterPartitionRequest {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly partitions: readonly AlterPartitionItem[];
}

interface AlterPartitionResult {
  readonly topicId: string;
  readonly partitionIndex: number;
  readonly errorCode: number;
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly partitionEpoch: number;
}

export interface AlterPartitionResponse {
  readonly errorCode: number;
  readonly partitions: readonly AlterPartitionResult[];
}

export function alterPartition(image: MetadataImage, req: AlterPartitionRequest): Decision<AlterPartitionResponse> {
  const broker = image.brokers.get(req.brokerId);
  if (!broker || broker.epoch !== req.brokerEpoch) {
    return {
      records: [],
      response: {
        errorCode: broker ? ErrorCode.STALE_BROKER_EPOCH : ErrorCode.BROKER_ID_NOT_REGISTERED,
        partitions: [],
      },
    };
  }
  const records: MetadataRecord[] = [];
  const partitions: AlterPartitionResult[] = [];
  for (const item of req.partitions) {
    const topic = image.topicsById.get(item.topicId);
    const p = topic?.partitions.get(item.partitionIndex);
    const result = (errorCode: number): AlterPartitionResult => ({
      topicId: item.topicId,
      partitionIndex: item.partitionIndex,
      errorCode,
      leaderId: p?.leader ?? -1,
      leaderEpoch: p?.leaderEpoch ?? -1,
      isr: p?.isr ?? [],
      partitionEpoch: p?.partitionEpoch ?? -1,
    });
    if (!topic) {
      partitions.push(result(ErrorCode.UNKNOWN_TOPIC_ID));
      continue;
    }
    if (!p) {
      partitions.push(result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
      continue;
    }
    if (p.leader !== req.brokerId) {
      partitions.push(result(ErrorCode.NOT_LEADER_OR_FOLLOWER));
      continue;
    }
    if (item.leaderEpoch !== p.leaderEpoch) {
      partitions.push(result(ErrorCode.FENCED_LEADER_EPOCH));
      continue;
    }
    if (item.partitionEpoch !== p.partitionEpoch) {
      partitions.push(result(ErrorCode.INVALID_UPDATE_VERSION));
      continue;
    }
    if (
      !item.newIsr.includes(req.brokerId) ||
      item.newIsr.some((id) => !p.replicas.includes(id)) ||
      new Set(item.newIsr).size !== item.newIsr.length
    ) {
      partitions.push(result(ErrorCode.INVALID_REQUEST));
      continue;
    }
    const ineligible = item.newIsr.some((id) => {
      const b = image.brokers.get(id);
      return !b || b.fenced || (b.inControlledShutdown && !p.isr.includes(id));
    });
    if (ineligible) {
      partitions.push(result(ErrorCode.INELIGIBLE_REPLICA));
      continue;
    }
    records.push({
      type: 'partitionChange',
      topicId: item.topicId,
      partitionId: item.partitionIndex,
      isr: item.newIsr,
      leader: null,
      replicas: null,
      removingReplicas: null,
      addingReplicas: null,
    });
    // Every replica a reassignment is adding is now in sync: the reassignment completes too.
    const completion = maybeCompleteReassignment(image, item.topicId, item.partitionIndex, item.newIsr);
    if (completion) records.push(completion);
    partitions.push({
      ...result(ErrorCode.NONE),
      isr: item.newIsr,
      partitionEpoch: p.partitionEpoch + (completion ? 2 : 1),
    });
  }
  return { records, response: { errorCode: ErrorCode.NONE, partitions } };
}
