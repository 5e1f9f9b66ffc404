// The Kafka transaction APIs on the broker: InitProducerId (idempotent producers get an id from
// the broker's producer-id blocks; transactional ones go to the transaction coordinator),
// AddPartitionsToTxn (client form v0-3 and the brokers' batched/verify-only form v4+),
// AddOffsetsToTxn, EndTxn, DescribeTransactions and ListTransactions, and where transaction
// coordinators live (`__transaction_state`, for FindCoordinator). Each handler turns the wire form
// into a TransactionCoordinator call and maps its answer to the version's error codes.
import { ErrorCode } from '../../common/errors.js';
import {
  addOffsetsToTxnApi,
  type AddOffsetsToTxnRequest,
  type AddOffsetsToTxnResponseInput,
} from '../../protocol/messages/add-offsets-to-txn.js';
import {
  addPartitionsToTxnApi,
  type AddPartitionsToTxnRequest,
  type AddPartitionsToTxnResponseInput,
} from '../../protocol/messages/add-partitions-to-txn.js';
import {
  describeTransactionsApi,
  type DescribeTransactionsRequest,
  type DescribeTransactionsResponseInput,
} from '../../protocol/messages/describe-transactions.js';
import { endTxnApi, type EndTxnRequest, type EndTxnResponseInput } from '../../protocol/messages/end-txn.js';
import {
  initProducerIdApi,
  type InitProducerIdRequest,
  type InitProducerIdResponseInput,
} from '../../protocol/messages/init-producer-id.js';
import {
  listTransactionsApi,
  type ListTransactionsRequest,
  type ListTransactionsResponseInput,
} from '../../protocol/messages/list-transactions.js';
import {
  describeProducersApi,
  type DescribeProducersRequest,
  type DescribeProducersResponseInput,
} from '../../protocol/messages/describe-producers.js';
import {
  writeTxnMarkersApi,
  type WriteTxnMarkersRequest,
  type WriteTxnMarkersResponseInput,
} from '../../protocol/messages/write-txn-markers.js';
import type { BrokerApiContext, KafkaApiRegistry, RequestContext } from '../api-context.js';
import { requireCluster, type RequestAuthorization } from '../authorization.js';
import { AclOperation, AclResourceType } from '../../protocol/acl-types.js';
import type { CoordinatorTopic } from '../coordinator-lookup.js';
import { ProducerIdUnavailableError, type ProducerIdManager } from '../producer-ids.js';
import type { TxnMarkerWriter } from './marker-writer.js';
import type { TransactionCoordinator } from './transaction-coordinator.js';
import { transactionStateTopicName, type TopicPartition } from './txn-records.js';

/** First versions that may answer PRODUCER_FENCED (older clients get INVALID_PRODUCER_EPOCH). */
const producerFencedSince = { initProducerId: 4, addPartitions: 2, addOffsets: 2, endTxn: 2 } as const;

/** Where transaction coordinators live: `__transaction_state`, created on first FindCoordinator. */
export function transactionCoordinatorTopic(
  ctx: BrokerApiContext,
  coordinator: TransactionCoordinator,
): CoordinatorTopic {
  const c = ctx.config;
  return {
    name: transactionStateTopicName,
    partitions: c.transactionStateLogNumPartitions,
    replicationFactor: c.transactionStateLogReplicationFactor,
    configs: {
      'cleanup.policy': 'compact',
      'compression.type': 'uncompressed',
      'min.insync.replicas': String(c.transactionStateLogMinIsr),
      'segment.bytes': String(c.transactionStateLogSegmentBytes),
      'unclean.leader.election.enable': 'false',
    },
    keyName: 'transactional id',
    partitionFor: (id) => coordinator.partitionFor(id),
  };
}

/** InitProducerId is served by every broker: idempotent producers need no coordinator. */
export function registerInitProducerId(
  apis: KafkaApiRegistry,
  producerIds: ProducerIdManager,
  coordinator: TransactionCoordinator | undefined,
): void {
  apis.register(initProducerIdApi, (r, rc, az) => {
    const denied = initProducerIdDenied(az, r.transactionalId);
    return denied !== null
      ? { throttleTimeMs: 0, errorCode: denied, producerId: -1, producerEpoch: -1 }
      : initProducerId(producerIds, coordinator, r, rc);
  });
}

/**
 * InitProducerId's rule: WRITE on the transactional id; without one (an idempotent producer)
 * IDEMPOTENT_WRITE on the cluster or WRITE on some topic (KIP-679). The error, or null when allowed.
 */
function initProducerIdDenied(az: RequestAuthorization, transactionalId: string | null): number | null {
  if (transactionalId !== null && transactionalId !== '')
    return az.transactionalId(AclOperation.WRITE, transactionalId)
      ? null
      : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  if (az.cluster(AclOperation.IDEMPOTENT_WRITE, true) || az.anyResource(AclOperation.WRITE, AclResourceType.TOPIC))
    return null;
  az.cluster(AclOperation.IDEMPOTENT_WRITE); // reports the denial
  return ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
}

/**
 * What every partition leader answers: WriteTxnMarkers (admin tools such as
 * `kafka-transactions.sh abort`; coordinators use gRPC) and DescribeProducers.
 */
export function registerPartitionTxnApis(apis: KafkaApiRegistry, ctx: BrokerApiContext): void {
  const markers = ctx.txn?.markers;
  // Markers are the coordinators' to write: CLUSTER_ACTION on the cluster, else every partition is refused.
  if (markers)
    apis.register(writeTxnMarkersApi, (r, rc, az) =>
      requireCluster(
        az,
        AclOperation.CLUSTER_ACTION,
        () => writeTxnMarkers(markers, r, rc),
        (errorCode) => ({
          markers: r.markers.map((m) => ({
            producerId: m.producerId,
            topics: m.topics.map((t) => ({
              name: t.name,
              partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode })),
            })),
          })),
        }),
      ),
    );
  apis.register(describeProducersApi, (r, _rc, az) => describeProducers(ctx, r, az));
}

/** WriteTxnMarkers waits for the markers to reach the ISR at most this long. */
const markerWaitMs = 30_000;

async function writeTxnMarkers(
  markers: TxnMarkerWriter,
  req: WriteTxnMarkersRequest,
  rc: RequestContext,
): Promise<WriteTxnMarkersResponseInput> {
  const answers = await Promise.all(
    req.markers.map(async (m) => {
      const results = await markers.write(
        {
          producerId: m.producerId,
          producerEpoch: m.producerEpoch,
          coordinatorEpoch: m.coordinatorEpoch,
          committed: m.transactionResult,
          partitions: m.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition }))),
        },
        markerWaitMs,
        rc.signal,
      );
      const byTopic = new Map<string, { partitionIndex: number; errorCode: number }[]>();
      for (const r of results) {
        const list = byTopic.get(r.tp.topic) ?? [];
        list.push({ partitionIndex: r.tp.partition, errorCode: r.errorCode });
        byTopic.set(r.tp.topic, list);
      }
      return { producerId: m.producerId, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
    }),
  );
  return { markers: answers };
}

function describeProducers(
  ctx: BrokerApiContext,
  req: DescribeProducersRequest,
  az: RequestAuthorization,
): DescribeProducersResponseInput {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => {
        // READ on the topic (Kafka's rule for DescribeProducers).
        const readable = az.topic(AclOperation.READ, t.name);
        const error = readable
          ? ctx.replicas.leaderError(t.name, partitionIndex)
          : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        const hosted = readable ? ctx.replicas.get(t.name, partitionIndex) : undefined;
        if (error !== ErrorCode.NONE || !hosted)
          return { partitionIndex, errorCode: error, errorMessage: null, activeProducers: [] };
        return {
          partitionIndex,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          activeProducers: hosted.log.producerStates().map((v) => ({
            producerId: v.producerId,
            producerEpoch: v.producerEpoch,
            lastSequence: v.lastSequence,
            lastTimestamp: v.lastTimestamp,
            coordinatorEpoch: v.coordinatorEpoch,
            currentTxnStartOffset: v.currentTxnStartOffset,
          })),
        };
      }),
    })),
  };
}

export function registerTransactionApis(
  apis: KafkaApiRegistry,
  ctx: BrokerApiContext,
  coordinator: TransactionCoordinator,
): void {
  const exists = (tp: TopicPartition): boolean =>
    ctx.replicas.currentImage()?.topicsByName.get(tp.topic)?.partitions.has(tp.partition) ?? false;
  apis.register(addPartitionsToTxnApi, (r, rc, az) => addPartitionsToTxn(coordinator, exists, r, rc, az));
  // WRITE on the transactional id; AddOffsetsToTxn also READ on the group.
  const writable = (az: RequestAuthorization, id: string) => az.transactionalId(AclOperation.WRITE, id);
  apis.register(addOffsetsToTxnApi, (r, rc, az) =>
    !writable(az, r.transactionalId)
      ? { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED }
      : !az.group(AclOperation.READ, r.groupId)
        ? { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }
        : addOffsetsToTxn(coordinator, r, rc),
  );
  apis.register(endTxnApi, (r, rc, az) =>
    writable(az, r.transactionalId)
      ? endTxn(coordinator, r, rc)
      : {
          throttleTimeMs: 0,
          errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
          producerId: -1,
          producerEpoch: -1,
        },
  );
  apis.register(describeTransactionsApi, (r, _rc, az) => describeTransactions(coordinator, r, az));
  apis.register(listTransactionsApi, (r, _rc, az) => listTransactions(coordinator, r, az));
}

/** PRODUCER_FENCED as the version knows it. */
function fencedAs(errorCode: number, version: number, since: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && version < since ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}

async function initProducerId(
  producerIds: ProducerIdManager,
  coordinator: TransactionCoordinator | undefined,
  req: InitProducerIdRequest,
  rc: RequestContext,
): Promise<InitProducerIdResponseInput> {
  const answer = (errorCode: number, producerId = -1, producerEpoch = -1): InitProducerIdResponseInput => ({
    throttleTimeMs: 0,
    errorCode,
    producerId,
    producerEpoch,
  });
  if (req.transactionalId === null || req.transactionalId === '') {
    // Kafka hands an idempotent producer a fresh id every time (its epoch starts at 0).
    try {
      return answer(ErrorCode.NONE, await producerIds.nextProducerId(), 0);
    } catch (err) {
      if (err instanceof ProducerIdUnavailableError) return answer(err.errorCode);
      throw err;
    }
  }
  if (!coordinator) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const r = await coordinator.initProducerId({
    transactionalId: req.transactionalId,
    transactionTimeoutMs: req.transactionTimeoutMs,
    producerId: req.producerId,
    producerEpoch: req.producerEpoch,
  });
  return answer(
    fencedAs(r.errorCode, rc.header.apiVersion, producerFencedSince.initProducerId),
    r.producerId,
    r.producerEpoch,
  );
}

type TopicResults = { name: string; resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[] }[];

function topicResults(
  topics: readonly { name: string; partitions: readonly number[] }[],
  codeOf: (tp: TopicPartition) => number,
): TopicResults {
  return topics.map((t) => ({
    name: t.name,
    resultsByPartition: t.partitions.map((p) => ({
      partitionIndex: p,
      partitionErrorCode: codeOf({ topic: t.name, partition: p }),
    })),
  }));
}

/**
 * One transaction's AddPartitionsToTxn: unknown partitions get UNKNOWN_TOPIC_OR_PARTITION and the
 * rest OPERATION_NOT_ATTEMPTED (Kafka adds nothing then); otherwise the coordinator's one answer
 * for all of them. `verifyOnly` (v4+, from partition leaders) adds nothing and answers per partition.
 */
async function addOneTransaction(
  coordinator: TransactionCoordinator,
  exists: (tp: TopicPartition) => boolean,
  t: {
    transactionalId: string;
    producerId: number;
    producerEpoch: number;
    verifyOnly: boolean;
    topics: readonly { name: string; partitions: readonly number[] }[];
  },
  version: number,
  az: RequestAuthorization,
): Promise<TopicResults> {
  const partitions = t.topics.flatMap((x) => x.partitions.map((p) => ({ topic: x.name, partition: p })));
  // Clients (v0-3) need WRITE on the transactional id and on each topic; brokers (v4+) were checked for CLUSTER_ACTION.
  if (version < 4 && !az.transactionalId(AclOperation.WRITE, t.transactionalId))
    return topicResults(t.topics, () => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  const denied = (tp: TopicPartition): boolean => version < 4 && !az.topic(AclOperation.WRITE, tp.topic);
  const request = {
    transactionalId: t.transactionalId,
    producerId: t.producerId,
    producerEpoch: t.producerEpoch,
    partitions,
  };
  if (t.verifyOnly) {
    const v = coordinator.verifyPartitions(request);
    const codes = new Map(v.partitions.map((r) => [`${r.tp.topic}\u0000${r.tp.partition}`, r.errorCode]));
    // A partition outside the transaction: INVALID_TXN_STATE at v4, TRANSACTION_ABORTABLE from v5 (KIP-890).
    const outside = version >= 5 ? ErrorCode.TRANSACTION_ABORTABLE : ErrorCode.INVALID_TXN_STATE;
    return topicResults(t.topics, (tp) => {
      const code = codes.get(`${tp.topic}\u0000${tp.partition}`) ?? ErrorCode.INVALID_TXN_STATE;
      return code === ErrorCode.INVALID_TXN_STATE ? outside : code;
    });
  }
  // One refused or unknown partition fails the whole transaction's request; the others are not attempted.
  if (partitions.some((tp) => denied(tp) || !exists(tp))) {
    return topicResults(t.topics, (tp) =>
      denied(tp)
        ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
        : exists(tp)
          ? ErrorCode.OPERATION_NOT_ATTEMPTED
          : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
  }
  const code = fencedAs(await coordinator.addPartitions(request), version, producerFencedSince.addPartitions);
  return topicResults(t.topics, () => code);
}

async function addPartitionsToTxn(
  coordinator: TransactionCoordinator,
  exists: (tp: TopicPartition) => boolean,
  req: AddPartitionsToTxnRequest,
  rc: RequestContext,
  az: RequestAuthorization,
): Promise<AddPartitionsToTxnResponseInput> {
  const version = rc.header.apiVersion;
  if (version >= 4 && !az.cluster(AclOperation.CLUSTER_ACTION))
    return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, resultsByTransaction: [] };
  if (version <= 3) {
    const results = await addOneTransaction(
      coordinator,
      exists,
      {
        transactionalId: req.v3AndBelowTransactionalId,
        producerId: req.v3AndBelowProducerId,
        producerEpoch: req.v3AndBelowProducerEpoch,
        verifyOnly: false,
        topics: req.v3AndBelowTopics,
      },
      version,
      az,
    );
    return { throttleTimeMs: 0, resultsByTopicV3AndBelow: results };
  }
  const resultsByTransaction = await Promise.all(
    req.transactions.map(async (t) => ({
      transactionalId: t.transactionalId,
      topicResults: await addOneTransaction(coordinator, exists, t, version, az),
    })),
  );
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction };
}

async function addOffsetsToTxn(
  coordinator: TransactionCoordinator,
  req: AddOffsetsToTxnRequest,
  rc: RequestContext,
): Promise<AddOffsetsToTxnResponseInput> {
  const code = await coordinator.addOffsets({
    transactionalId: req.transactionalId,
    producerId: req.producerId,
    producerEpoch: req.producerEpoch,
    groupId: req.groupId,
  });
  return { throttleTimeMs: 0, errorCode: fencedAs(code, rc.header.apiVersion, producerFencedSince.addOffsets) };
}

async function endTxn(
  coordinator: TransactionCoordinator,
  req: EndTxnRequest,
  rc: RequestContext,
): Promise<EndTxnResponseInput> {
  const code = await coordinator.endTxn({
    transactionalId: req.transactionalId,
    producerId: req.producerId,
    producerEpoch: req.producerEpoch,
    committed: req.committed,
  });
  return {
    throttleTimeMs: 0,
    errorCode: fencedAs(code, rc.header.apiVersion, producerFencedSince.endTxn),
    // Fields of v5 (KIP-890 part 2, a bumped epoch), which raftka does not serve (end-txn.ts).
    producerId: -1,
    producerEpoch: -1,
  };
}

function describeTransactions(
  coordinator: TransactionCoordinator,
  req: DescribeTransactionsRequest,
  az: RequestAuthorization,
): DescribeTransactionsResponseInput {
  return {
    throttleTimeMs: 0,
    transactionStates: req.transactionalIds.map((id) => {
      // DESCRIBE on the id; its partitions are shown only for topics the principal may DESCRIBE.
      if (!az.transactionalId(AclOperation.DESCRIBE, id))
        return {
          errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
          transactionalId: id,
          transactionState: '',
          transactionTimeoutMs: 0,
          transactionStartTimeMs: -1,
          producerId: -1,
          producerEpoch: -1,
          topics: [],
        };
      const d = coordinator.describe(id);
      return {
        errorCode: d.errorCode,
        transactionalId: d.transactionalId,
        transactionState: d.state,
        transactionTimeoutMs: d.transactionTimeoutMs,
        transactionStartTimeMs: d.transactionStartTimeMs,
        producerId: d.producerId,
        producerEpoch: d.producerEpoch,
        topics: d.topics
          .filter((t) => az.topic(AclOperation.DESCRIBE, t.topic, true))
          .map((t) => ({ topic: t.topic, partitions: [...t.partitions] })),
      };
    }),
  };
}

/** ListTransactions v2's pattern: an RE2 expression the whole id must match (JavaScript's RegExp here). */
function idPattern(pattern: string | null | undefined): RegExp | null | 'invalid' {
  if (pattern === null || pattern === undefined || pattern === '') return null;
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return 'invalid';
  }
}

function listTransactions(
  coordinator: TransactionCoordinator,
  req: ListTransactionsRequest,
  az: RequestAuthorization,
): ListTransactionsResponseInput {
  const pattern = idPattern(req.transactionalIdPattern);
  if (pattern === 'invalid') {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION,
      unknownStateFilters: [],
      transactionStates: [],
    };
  }
  const r = coordinator.list({
    stateFilters: req.stateFilters,
    producerIdFilters: req.producerIdFilters,
    durationFilterMs: req.durationFilter ?? -1,
  });
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    unknownStateFilters: [...r.unknownStateFilters],
    transactionStates: r.transactionStates
      .filter((t) => pattern === null || pattern.test(t.transactionalId))
      // Only the ids the principal may DESCRIBE are listed.
      .filter((t) => az.transactionalId(AclOperation.DESCRIBE, t.transactionalId, true))
      .map((t) => ({
        transactionalId: t.transactionalId,
        producerId: t.producerId,
        transactionState: t.transactionState,
      })),
  };
}
