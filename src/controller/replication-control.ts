// Topics and partitions on the active controller: CreateTopics, DeleteTopics, CreatePartitions
// and leader election when brokers go away. Every function here is pure: it reads an image and
// returns the records to propose plus the per-topic answers, and changes nothing (the records
// change the image once committed and replayed, on every node alike).
import { ErrorCode } from '../common/errors.js';
import type { BrokerRegistration, MetadataImage, PartitionRegistration, TopicImage } from '../metadata/image.js';
import { ConfigResourceType, type MetadataRecord } from '../metadata/records.js';
import { topicNameProblem } from '../protocol/topic-partition.js';
import { placeReplicas, rackAlternatingOrder } from './replica-placer.js';
import { validateTopicConfigs } from '../common/topic-configs.js';

const replicationFactorMax = 32767;
const partitionsMax = 1_000_000;

export interface TopicResult {
  readonly name: string;
  readonly topicId: string | null;
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly numPartitions: number;
  readonly replicationFactor: number;
}

export interface ControlResult<T> {
  readonly records: readonly MetadataRecord[];
  readonly results: readonly T[];
}

export interface CreatableTopic {
  readonly name: string;
  /** -1: num.partitions. Ignored when assignments are given. */
  readonly numPartitions: number;
  /** -1: default.replication.factor. Ignored when assignments are given. */
  readonly replicationFactor: number;
  /** Manual placement: partition index → replica broker ids. */
  readonly assignments: readonly { readonly partitionIndex: number; readonly brokerIds: readonly number[] }[];
  readonly configs: ReadonlyMap<string, string>;
}

interface CreateTopicsContext {
  readonly defaultPartitions: number;
  readonly defaultReplicationFactor: number;
  readonly validateOnly: boolean;
  newTopicId(): string;
}

/** '.' and '_' collide in metric names, so Kafka refuses topics that differ only there. */
function collisionKey(name: string): string {
  return name.replace(/\./g, '_');
}

/** Brokers new replicas may be placed on: registered, unfenced, not shutting down. */
function usableBrokers(image: MetadataImage): BrokerRegistration[] {
  return [...image.brokers.values()].filter((b) => !b.fenced && !b.inControlledShutdown);
}

function failed(name: string, errorCode: number, errorMessage: string): TopicResult {
  return { name, topicId: null, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1 };
}

/**
 * Leaderships per usable broker, counted once per request and kept up to date as the request
 * places partitions, so placement can start at the least-loaded broker without rescanning
 * every partition of the cluster for each topic.
 */
class LeaderLoad {
  private readonly order: number[];
  private readonly leads: Map<number, number>;

  constructor(image: MetadataImage, brokers: readonly BrokerRegistration[]) {
    this.order = rackAlternatingOrder(brokers);
    this.leads = new Map(this.order.map((id) => [id, 0]));
    for (const t of image.topicsById.values()) {
      for (const p of t.partitions.values())
        if (this.leads.has(p.leader)) this.leads.set(p.leader, this.leads.get(p.leader)! + 1);
    }
  }

  /** Position (in rack-alternating order) of the broker leading the fewest partitions. */
  leastLoadedStart(): number {
    let best = 0;
    this.order.forEach((id, i) => {
      if (this.leads.get(id)! < this.leads.get(this.order[best]!)!) best = i;
    });
    return best;
  }

  placed(assignment: readonly (readonly number[])[]): void {
    for (const replicas of assignment) {
      const leader = replicas[0];
      if (leader !== undefined && this.leads.has(leader)) this.leads.set(leader, this.leads.get(leader)! + 1);
    }
  }
}

function newPartition(replicas: readonly number[], image: MetadataImage): PartitionRegistration {
  const live = replicas.filter((id) => {
    const b = image.brokers.get(id);
    return b !== undefined && !b.fenced;
  });
  return {
    replicas,
    isr: live.length > 0 ? live : replicas,
    removingReplicas: [],
    addingReplicas: [],
    leader: live[0] ?? -1,
    leaderEpoch: 0,
    partitionEpoch: 0,
  };
}

export function createTopics(
  image: MetadataImage,
  topics: readonly CreatableTopic[],
  ctx: CreateTopicsContext,
): ControlResult<TopicResult> {
  const records: MetadataRecord[] = [];
  const results: TopicResult[] = [];
  const counts = new Map<string, number>();
  for (const t of topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const existingKeys = new Map([...image.topicsByName.keys()].map((n) => [collisionKey(n), n]));
  const brokers = usableBrokers(image);
  const load = new LeaderLoad(image, brokers);
  for (const t of topics) {
    const nameProblem = topicNameProblem(t.name);
    if (nameProblem) {
      results.push(failed(t.name, ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem));
      continue;
    }
    if (counts.get(t.name)! > 1) {
      results.push(failed(t.name, ErrorCode.INVALID_REQUEST, `topic ${t.name} is named more than once in the request`));
      continue;
    }
    if (image.topicsByName.has(t.name)) {
      results.push(failed(t.name, ErrorCode.TOPIC_ALREADY_EXISTS, `topic ${t.name} already exists`));
      continue;
    }
    const clash = existingKeys.get(collisionKey(t.name));
    if (clash !== undefined) {
      results.push(
        failed(
          t.name,
          ErrorCode.INVALID_TOPIC_EXCEPTION,
          `topic ${t.name} collides with ${clash} (they differ only in '.' and '_')`,
        ),
      );
      continue;
    }
    const configProblem = validateTopicConfigs(t.configs);
    if (configProblem) {
      results.push(failed(t.name, ErrorCode.INVALID_CONFIG, configProblem));
      continue;
    }
    let assignment: number[][];
    if (t.assignments.length > 0) {
      const problem = manualAssignmentProblem(image, t.assignments);
      if (problem) {
        results.push(failed(t.name, ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem));
        continue;
      }
      assignment = [...t.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex).map((a) => [...a.brokerIds]);
    } else {
      const partitions = t.numPartitions === -1 ? ctx.defaultPartitions : t.numPartitions;
      const rf = t.replicationFactor === -1 ? ctx.defaultReplicationFactor : t.replicationFactor;
      if (partitions <= 0 || partitions > partitionsMax) {
        results.push(
          failed(
            t.name,
            ErrorCode.INVALID_PARTITIONS,
            `the number of partitions must be in [1, ${partitionsMax}], got ${partitions}`,
          ),
        );
        continue;
      }
      if (rf <= 0 || rf > replicationFactorMax) {
        results.push(
          failed(
            t.name,
            ErrorCode.INVALID_REPLICATION_FACTOR,
            `the replication factor must be in [1, ${replicationFactorMax}], got ${rf}`,
          ),
        );
        continue;
      }
      if (rf > brokers.length) {
        results.push(
          failed(
            t.name,
            ErrorCode.INVALID_REPLICATION_FACTOR,
            `replication factor ${rf} is larger than the ${brokers.length} available brokers`,
          ),
        );
        continue;
      }
      assignment = placeReplicas(brokers, partitions, rf, load.leastLoadedStart());
    }
    load.placed(assignment);
    const topicId = ctx.newTopicId();
    results.push({
      name: t.name,
      topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: assignment.length,
      replicationFactor: assignment[0]!.length,
    });
    existingKeys.set(collisionKey(t.name), t.name);
    if (ctx.validateOnly) continue;
    records.push({ type: 'topic', name: t.name, topicId });
    assignment.forEach((replicas, partitionId) =>
      records.push({ type: 'partition', topicId, partitionId, ...newPartition(replicas, image) }),
    );
    for (const [name, value] of t.configs)
      records.push({ type: 'config', resourceType: ConfigResourceType.TOPIC, resourceName: t.name, name, value });
  }
  return { records, results };
}

function manualAssignmentProblem(image: MetadataImage, assignments: CreatableTopic['assignments']): string | null {
  const indexes = assignments.map((a) => a.partitionIndex).sort((a, b) => a - b);
  if (indexes.some((p, i) => p !== i)) return 'partition indexes must be 0..n-1, each once';
  const rf = assignments[0]!.brokerIds.length;
  for (const a of assignments) {
    if (a.brokerIds.length === 0 || a.brokerIds.length !== rf)
      return 'every partition needs the same, non-zero number of replicas';
    const problem = replicaListProblem(image, a.partitionIndex, a.brokerIds);
    if (problem) return problem;
  }
  return null;
}

/** A manual replica list names each broker once, and only registered brokers. */
function replicaListProblem(image: MetadataImage, partition: number, brokerIds: readonly number[]): string | null {
  if (new Set(brokerIds).size !== brokerIds.length) return `partition ${partition} lists a broker twice`;
  const unknown = brokerIds.find((id) => !image.brokers.has(id));
  return unknown === undefined ? null : `broker ${unknown} is not registered`;
}

/** CreatePartitions with assignments: one per new partition, each with the topic's replication factor (Kafka's messages). */
function manualIncreaseProblem(
  image: MetadataImage,
  assignments: readonly (readonly number[])[],
  added: number,
  rf: number,
): string | null {
  if (assignments.length !== added)
    return `Attempted to add ${added} additional partition(s), but only ${assignments.length} assignment(s) were specified.`;
  for (const [i, replicas] of assignments.entries()) {
    if (replicas.length !== rf)
      return `The manual partition assignment includes a partition with ${replicas.length} replica(s), but this is not consistent with previous partitions, which have ${rf} replica(s).`;
    const problem = replicaListProblem(image, i, replicas);
    if (problem) return problem;
  }
  return null;
}

export interface DeletableTopic {
  readonly name: string | null;
  readonly topicId: string | null;
}

export function deleteTopics(
  image: MetadataImage,
  topics: readonly DeletableTopic[],
  deleteEnabled: boolean,
): ControlResult<TopicResult> {
  const records: MetadataRecord[] = [];
  const results: TopicResult[] = [];
  const seen = new Set<string>();
  for (const t of topics) {
    const label = t.name ?? t.topicId ?? '';
    const topic: TopicImage | undefined =
      t.topicId !== null
        ? image.topicsById.get(t.topicId)
        : t.name !== null
          ? image.topicsByName.get(t.name)
          : undefined;
    if (!deleteEnabled) {
      results.push(
        failed(label, ErrorCode.TOPIC_DELETION_DISABLED, 'topic deletion is disabled (delete.topic.enable=false)'),
      );
    } else if (!topic) {
      results.push(
        t.topicId !== null
          ? failed(label, ErrorCode.UNKNOWN_TOPIC_ID, `unknown topic id ${t.topicId}`)
          : failed(label, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${label}`),
      );
    } else if (seen.has(topic.id)) {
      results.push(
        failed(label, ErrorCode.INVALID_REQUEST, `topic ${topic.name} is named more than once in the request`),
      );
    } else {
      seen.add(topic.id);
      records.push({ type: 'removeTopic', topicId: topic.id });
      results.push({
        name: topic.name,
        topicId: topic.id,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        numPartitions: topic.partitions.size,
        replicationFactor: -1,
      });
    }
  }
  return { records, results };
}

export interface PartitionsIncrease {
  readonly name: string;
  readonly count: number;
  /** Manual placement of the new partitions, in order (empty or absent: placed by the controller). */
  readonly assignments?: readonly (readonly number[])[];
}

export function createPartitions(
  image: MetadataImage,
  increases: readonly PartitionsIncrease[],
  validateOnly: boolean,
): ControlResult<TopicResult> {
  const records: MetadataRecord[] = [];
  const results: TopicResult[] = [];
  const brokers = usableBrokers(image);
  const load = new LeaderLoad(image, brokers);
  for (const inc of increases) {
    const topic = image.topicsByName.get(inc.name);
    if (!topic) {
      results.push(failed(inc.name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${inc.name}`));
      continue;
    }
    const current = topic.partitions.size;
    if (inc.count <= current || inc.count > partitionsMax) {
      results.push(
        failed(
          inc.name,
          ErrorCode.INVALID_PARTITIONS,
          `topic ${inc.name} has ${current} partitions; the new count must be larger (got ${inc.count})`,
        ),
      );
      continue;
    }
    const rf = topic.partitions.get(0)?.replicas.length ?? 1;
    const manual = inc.assignments ?? [];
    if (manual.length > 0) {
      const problem = manualIncreaseProblem(image, manual, inc.count - current, rf);
      if (problem) {
        results.push(failed(inc.name, ErrorCode.INVALID_REPLICA_ASSIGNMENT, problem));
        continue;
      }
    } else if (rf > brokers.length) {
      results.push(
        failed(
          inc.name,
          ErrorCode.INVALID_REPLICATION_FACTOR,
          `replication factor ${rf} is larger than the ${brokers.length} available brokers`,
        ),
      );
      continue;
    }
    const placed =
      manual.length > 0
        ? manual.map((r) => [...r])
        : placeReplicas(brokers, inc.count - current, rf, load.leastLoadedStart(), current);
    load.placed(placed);
    results.push({
      name: inc.name,
      topicId: topic.id,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: inc.count,
      replicationFactor: rf,
    });
    if (validateOnly) continue;
    placed.forEach((replicas, i) =>
      records.push({
        type: 'partition',
        topicId: topic.id,
        partitionId: current + i,
        ...newPartition(replicas, image),
      }),
    );
  }
  return { records, results };
}

/**
 * Take broker `brokerId` out of every ISR and leadership (it was fenced, or is shutting down):
 * a partition it led gets the first other ISR member that can lead; with none it goes offline
 * (leader -1, the ISR keeps its last member) unless unclean election is allowed, which picks
 * the first live replica outside the ISR. At most `max` changes: callers with many partitions
 * call again on the next image until it returns fewer.
 */
export function moveAwayFrom(
  image: MetadataImage,
  brokerId: number,
  uncleanAllowed: (topic: string) => boolean,
  max = Infinity,
): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  const canLead = (id: number): boolean => {
    const b = image.brokers.get(id);
    return id !== brokerId && b !== undefined && !b.fenced && !b.inControlledShutdown;
  };
  for (const t of image.topicsById.values()) {
    for (const [partitionId, p] of t.partitions) {
      if (records.length >= max) return records;
      if (p.leader !== brokerId && !p.isr.includes(brokerId)) continue;
      const others = p.isr.filter((id) => id !== brokerId);
      let isr = others.length > 0 ? others : p.isr;
      let leader = p.leader === brokerId || p.leader === -1 ? (others.find(canLead) ?? -1) : p.leader;
      if (leader === -1 && uncleanAllowed(t.name)) {
        const outsider = p.replicas.find(canLead);
        if (outsider !== undefined) {
          leader = outsider;
          isr = [outsider];
        }
      }
      const isrChanged = isr.length !== p.isr.length || isr.some((id, i) => id !== p.isr[i]);
      if (!isrChanged && leader === p.leader) continue;
      records.push({
        type: 'partitionChange',
        topicId: t.id,
        partitionId,
        isr: isrChanged ? isr : null,
        leader: leader !== p.leader ? leader : null,
        replicas: null,
        removingReplicas: null,
        addingReplicas: null,
      });
    }
  }
  return records;
}

/**
 * Preferred-leader election (auto.leader.rebalance.enable): every partition whose first replica
 * is in its ISR, unfenced and not shutting down, but does not lead, gets it back as leader.
 * At most `max` changes per call, so one pass never floods the log.
 */
export function electPreferredLeaders(image: MetadataImage, max: number): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  for (const t of image.topicsById.values()) {
    for (const [partitionId, p] of t.partitions) {
      if (records.length >= max) return records;
      const preferred = p.replicas[0];
      if (preferred === undefined || p.leader === preferred || !p.isr.includes(preferred)) continue;
      const b = image.brokers.get(preferred);
      if (!b || b.fenced || b.inControlledShutdown) continue;
      records.push({
        type: 'partitionChange',
        topicId: t.id,
        partitionId,
        isr: null,
        leader: preferred,
        replicas: null,
        removingReplicas: null,
        addingReplicas: null,
      });
    }
  }
  return records;
}

/**
 * A broker came back (unfenced): every offline partition (leader -1) that has it in the ISR gets
 * it as leader again, as Kafka's controller does on broker unfencing. With unclean election
 * allowed, an offline partition whose ISR has no live member may take it from outside the ISR.
 * At most `max` changes per call.
 */
export function electOfflineLeaders(
  image: MetadataImage,
  brokerId: number,
  uncleanAllowed: (topic: string) => boolean,
  max = Infinity,
): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  for (const t of image.topicsById.values()) {
    for (const [partitionId, p] of t.partitions) {
      if (records.length >= max) return records;
      if (p.leader !== -1 || !p.replicas.includes(brokerId)) continue;
      if (p.isr.includes(brokerId)) {
        records.push({
          type: 'partitionChange',
          topicId: t.id,
          partitionId,
          isr: null,
          leader: brokerId,
          replicas: null,
          removingReplicas: null,
          addingReplicas: null,
        });
      } else if (uncleanAllowed(t.name)) {
        records.push({
          type: 'partitionChange',
          topicId: t.id,
          partitionId,
          isr: [brokerId],
          leader: brokerId,
          replicas: null,
          removingReplicas: null,
          addingReplicas: null,
        });
      }
    }
  }
  return records;
}
