// ElectLeaders on the active controller (KIP-183 preferred, KIP-460 unclean), as Kafka's
// ReplicationControlManager.electLeaders: for each partition asked (or every partition), either a
// PartitionChangeRecord that moves leadership or the reason it was not moved. Pure: image in,
// records + answers out; quorum-controller.ts commits them before answering.
//
// - preferred: the first replica leads when it is in the ISR, unfenced and not shutting down;
//   already leading → ELECTION_NOT_NEEDED; otherwise PREFERRED_LEADER_NOT_AVAILABLE.
// - unclean: only a partition without a leader is elected: an active ISR member first, else any
//   active replica (the ISR shrinks to it; records past the old high watermark may be lost, which
//   is what the operator asked for); a partition with a leader → ELECTION_NOT_NEEDED; no active
//   replica → ELIGIBLE_LEADERS_NOT_AVAILABLE. `unclean.leader.election.enable` does not apply: an
//   explicit unclean election is the operator's decision (Kafka does the same).
// - every partition (null topics): partitions that need no election are left out of the answer.
import { ErrorCode } from '../common/errors.js';
import type { MetadataImage, PartitionRegistration } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import type { Decision } from './cluster-control.js';

/** Kafka's ElectionType values. */
export const electionTypePreferred = 0;
export const electionTypeUnclean = 1;

export interface ElectionTarget {
  readonly topic: string;
  readonly partitions: readonly number[];
}
export interface ElectionResult {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

type Outcome = { readonly errorCode: number; readonly errorMessage: string | null; readonly record?: MetadataRecord };

function change(topicId: string, partitionId: number, leader: number, isr: readonly number[] | null): MetadataRecord {
  return {
    type: 'partitionChange',
    topicId,
    partitionId,
    isr,
    leader,
    replicas: null,
    removingReplicas: null,
    addingReplicas: null,
  };
}

function electOne(
  image: MetadataImage,
  topicId: string,
  partitionId: number,
  p: PartitionRegistration,
  electionType: number,
): Outcome {
  const active = (id: number): boolean => {
    const b = image.brokers.get(id);
    return b !== undefined && !b.fenced && !b.inControlledShutdown;
  };
  if (electionType === electionTypePreferred) {
    const preferred = p.replicas[0];
    if (preferred !== undefined && p.leader === preferred)
      return {
        errorCode: ErrorCode.ELECTION_NOT_NEEDED,
        errorMessage: 'Leader election not needed for topic partition.',
      };
    if (preferred === undefined || !p.isr.includes(preferred) || !active(preferred))
      return {
        errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
        errorMessage: `preferred replica ${preferred ?? -1} is not an active member of the ISR`,
      };
    return { errorCode: ErrorCode.NONE, errorMessage: null, record: change(topicId, partitionId, preferred, null) };
  }
  if (p.leader !== -1)
    return {
      errorCode: ErrorCode.ELECTION_NOT_NEEDED,
      errorMessage: 'Leader election not needed for topic partition.',
    };
  const inIsr = p.isr.find(active);
  if (inIsr !== undefined)
    return { errorCode: ErrorCode.NONE, errorMessage: null, record: change(topicId, partitionId, inIsr, null) };
  const outsider = p.replicas.find(active);
  if (outsider === undefined)
    return {
      errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
      errorMessage: 'no replica of the partition is on an active broker',
    };
  return { errorCode: ErrorCode.NONE, errorMessage: null, record: change(topicId, partitionId, outsider, [outsider]) };
}

/** `targets` null: every partition of every topic (answers only for those an election was tried on). */
export function electLeaders(
  image: MetadataImage,
  electionType: number,
  targets: readonly ElectionTarget[] | null,
): Decision<readonly ElectionResult[]> {
  const records: MetadataRecord[] = [];
  const response: ElectionResult[] = [];
  if (electionType !== electionTypePreferred && electionType !== electionTypeUnclean) {
    const message = `unknown election type ${electionType} (0 preferred, 1 unclean)`;
    for (const t of targets ?? [])
      for (const partition of t.partitions)
        response.push({ topic: t.topic, partition, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: message });
    return { records, response };
  }
  const consider = (topic: string, partition: number, all: boolean): void => {
    const t = image.topicsByName.get(topic);
    const p = t?.partitions.get(partition);
    if (!t || !p) {
      const errorMessage = t ? `No such partition as ${topic}-${partition}` : `No such topic as ${topic}`;
      response.push({ topic, partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage });
      return;
    }
    const o = electOne(image, t.id, partition, p, electionType);
    if (all && o.errorCode === ErrorCode.ELECTION_NOT_NEEDED) return;
    if (o.record) records.push(o.record);
    response.push({ topic, partition, errorCode: o.errorCode, errorMessage: o.errorMessage });
  };
  if (targets === null) {
    for (const name of [...image.topicsByName.keys()].sort())
      for (const partition of [...image.topicsByName.get(name)!.partitions.keys()].sort((a, b) => a - b))
        consider(name, partition, true);
  } else {
    for (const t of targets) for (const partition of t.partitions) consider(t.topic, partition, false);
  }
  return { records, response };
}
