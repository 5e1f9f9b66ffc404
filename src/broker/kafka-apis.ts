// The broker's Kafka API handlers: each takes a decoded request (src/protocol/) and returns the
// response value. Data APIs (Produce, Fetch, ListOffsets) go to the ReplicaManager; Metadata is
// answered from the broker's metadata image; admin APIs are forwarded to the active controller.
// This file composes the broker's registry: its own data APIs, then admin-apis.ts and
// group/group-apis.ts (which import only the contract, api-context.ts, never this file).
import { ErrorCode, errorName } from '../common/errors.js';
import type { MetadataImage } from '../metadata/image.js';
import { metadataPartition } from './metadata-partitions.js';
import { apiVersionsResponse } from '../protocol/apis.js';
import {
  clientVisibleControllerId,
  KafkaApiRegistry,
  type BrokerApiContext,
  type RequestContext,
} from './api-context.js';
import { registerAdminApis } from './admin-apis.js';
import { registerAclApis } from './acl-apis.js';
import { registerClientQuotaApis } from './quota/quota-apis.js';
import { featureLevels, registerClusterAdminApis } from './cluster-admin-apis.js';
import { registerDescribeTopicPartitions } from './topic-partitions-api.js';
import { registerTelemetryApis } from './telemetry-api.js';
import { offsetsCoordinatorTopic, registerGroupApis } from './group/group-apis.js';
import { registerFindCoordinator } from './coordinator-lookup.js';
import {
  registerInitProducerId,
  registerPartitionTxnApis,
  registerTransactionApis,
  transactionCoordinatorTopic,
} from './txn/txn-apis.js';
import { recompressForTopic } from './recompress.js';
import { clusterAuthorizedOperations, type RequestAuthorization } from './authorization.js';
import { AclOperation, AclResourceType } from '../protocol/acl-types.js';
import { apiVersionsApi } from '../protocol/messages/api-versions.js';
import { registerFetch } from './fetch-api.js';
import {
  listOffsetsApi,
  type ListOffsetsRequest,
  type ListOffsetsResponseInput,
} from '../protocol/messages/list-offsets.js';
import { metadataApi, type MetadataRequest, type MetadataResponseInput } from '../protocol/messages/metadata.js';
import { produceApi, type ProduceRequest, type ProduceResponseInput } from '../protocol/messages/produce.js';
import { readBatchHeader, validateBatches, type RecordBatchHeader } from '../protocol/record-batch.js';
import { topicNameProblem } from '../protocol/topic-partition.js';
import { IsolationLevel } from '../protocol/txn-types.js';
import { zeroUuid } from '../protocol/primitives/uuid.js';
import { leaderEndpoints, leaderHint, topicNameOf, wantsLeaderHint, type LeaderHint } from './leader-hints.js';

/** ListOffsets special timestamps. */
const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const LATEST_TIERED = -5;
const EARLIEST_PENDING_UPLOAD = -6;
/** The first ListOffsets version that may ask for each special timestamp below -2 (Kafka's table). */
const specialTimestampMinVersion: ReadonlyMap<number, number> = new Map([
  [MAX_TIMESTAMP, 7],
  [EARLIEST_LOCAL, 8],
  [LATEST_TIERED, 9],
  [EARLIEST_PENDING_UPLOAD, 11],
]);

export function brokerHandlers(ctx: BrokerApiContext): KafkaApiRegistry {
  const image = (): MetadataImage | null => ctx.replicas.currentImage();
  const apis = new KafkaApiRegistry(ctx.authorization, ctx.quotas ?? null);
  // ApiVersions lists exactly the APIs this broker answers (asked at request time, once the registry is complete).
  apis.register(apiVersionsApi, () => ({
    ...apiVersionsResponse(0, (key) => apis.has(key)),
    ...featureLevels(image()),
  }));
  apis.register(metadataApi, (req, rc, az) => metadata(ctx, image(), req, rc, az));
  apis.register(produceApi, (req, rc, az) => produce(ctx, req, rc, az));
  registerFetch(apis, ctx);
  apis.register(listOffsetsApi, (req, rc, az) => listOffsets(ctx, req, rc, az));
  registerAdminApis(apis, ctx);
  registerAclApis(apis, ctx);
  registerClientQuotaApis(apis, ctx);
  registerClusterAdminApis(apis, ctx);
  registerDescribeTopicPartitions(apis, ctx);
  registerTelemetryApis(apis);
  const txn = ctx.txn;
  registerFindCoordinator(apis, ctx, {
    ...(ctx.groups ? { group: offsetsCoordinatorTopic(ctx, ctx.groups) } : {}),
    ...(txn ? { transaction: transactionCoordinatorTopic(ctx, txn.coordinator) } : {}),
  });
  if (ctx.groups) registerGroupApis(apis, ctx.groups);
  registerInitProducerId(apis, ctx.producerIds, txn?.coordinator);
  registerPartitionTxnApis(apis, ctx);
  if (txn) registerTransactionApis(apis, ctx, txn.coordinator);
  return apis;
}

async function metadata(
  ctx: BrokerApiContext,
  img: MetadataImage | null,
  req: MetadataRequest,
  rc: RequestContext,
  az: RequestAuthorization,
): Promise<MetadataResponseInput> {
  if (!img) return { brokers: [], clusterId: ctx.clusterId, controllerId: -1, topics: [] };
  const version = rc.header.apiVersion;
  const brokers = [...img.brokers.values()]
    .filter((b) => !b.fenced)
    .sort((a, b) => a.id - b.id)
    .flatMap((b) => {
      const ep = b.endpoints.find((e) => e.name === rc.listenerName);
      return ep ? [{ nodeId: b.id, host: ep.host, port: ep.port, rack: b.rack }] : [];
    });
  const live = new Set(brokers.map((b) => b.nodeId));
  let names: string[];
  const requested = req.topics;
  // Topic ids (v12+, KIP-516): a request names its topics by id or by name. Below v12 a topic must
  // have a name and no id (Kafka answers INVALID_REQUEST).
  const byId = requested?.filter((t) => t.topicId !== zeroUuid) ?? [];
  if (requested && (requested.some((t) => t.name === null) || byId.length > 0) && version < 12)
    return {
      brokers,
      clusterId: ctx.clusterId,
      controllerId: clientVisibleControllerId(img),
      topics: requested.map((t) => ({ errorCode: ErrorCode.INVALID_REQUEST, name: t.name ?? '', partitions: [] })),
    };
  const unknownIds = byId.filter((t) => !img.topicsById.has(t.topicId)).map((t) => t.topicId);
  // Topics the principal may not describe: left out of an all-topics answer, refused when named
  // (whether or not they exist), as are missing ones it may not create.
  const refused = new Set<string>();
  if (requested === null || (version === 0 && requested.length === 0))
    names = [...img.topicsByName.keys()].sort().filter((n) => az.topic(AclOperation.DESCRIBE, n, true));
  else {
    names =
      byId.length > 0
        ? byId.flatMap((t) => img.topicsById.get(t.topicId)?.name ?? [])
        : requested.map((t) => t.name ?? '').filter((n) => n !== '');
    for (const n of names) if (!az.topic(AclOperation.DESCRIBE, n)) refused.add(n);
  }
  const missing = names.filter((n) => !refused.has(n) && !img.topicsByName.has(n));
  const autoCreate =
    req.allowAutoTopicCreation &&
    ctx.config.autoCreateTopicsEnable &&
    requested !== null &&
    byId.length === 0 &&
    missing.length > 0;
  const created = new Map<string, number>();
  if (autoCreate) {
    const creatable = az.cluster(AclOperation.CREATE, true)
      ? missing
      : missing.filter((n) => {
          const ok = az.topic(AclOperation.CREATE, n);
          if (!ok) refused.add(n);
          return ok;
        });
    const valid = creatable.filter((n) => topicNameProblem(n) === null);
    try {
      const res = await ctx.controller.createTopics(
        { topics: valid.map((name) => ({ name, numPartitions: -1, replicationFactor: -1 })) },
        { timeoutMs: 5000 },
      );
      for (const t of res.topics) created.set(t.name, t.errorCode);
    } catch (err) {
      ctx.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'auto topic creation failed');
    }
  }
  const withOps = version >= 8 && req.includeTopicAuthorizedOperations === true;
  const topics = names.map((name) => {
    const t = img.topicsByName.get(name);
    if (refused.has(name))
      // Asked by id: the id is no secret, the name is (Kafka answers the id and a null name).
      return byId.length > 0
        ? {
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            name: null,
            topicId: t?.id,
            isInternal: false,
            partitions: [],
          }
        : { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, isInternal: false, partitions: [] };
    if (!t) {
      const c = created.get(name);
      const errorCode =
        topicNameProblem(name) !== null
          ? ErrorCode.INVALID_TOPIC_EXCEPTION
          : c === ErrorCode.NONE || c === ErrorCode.TOPIC_ALREADY_EXISTS
            ? ErrorCode.LEADER_NOT_AVAILABLE
            : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      return { errorCode, name, isInternal: false, partitions: [] };
    }
    return {
      errorCode: ErrorCode.NONE,
      name,
      topicId: t.id,
      isInternal: name.startsWith('__'),
      ...(withOps ? { topicAuthorizedOperations: az.authorizedOperations(AclResourceType.TOPIC, name) } : {}),
      partitions: [...t.partitions.entries()]
        .sort(([a], [b]) => a - b)
        .map(([partitionIndex, p]) =>
          metadataPartition(partitionIndex, p, img.brokers, rc.listenerName, live, version),
        ),
    };
  });
  const unknown = unknownIds.map((topicId) => ({
    errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
    name: null,
    topicId,
    isInternal: false,
    partitions: [],
  }));
  return {
    brokers,
    clusterId: ctx.clusterId,
    controllerId: clientVisibleControllerId(img),
    topics: [...topics, ...unknown],
    ...(version >= 8 && version <= 10 && req.includeClusterAuthorizedOperations === true
      ? { clusterAuthorizedOperations: clusterAuthorizedOperations(az) }
      : {}),
  };
}

/**
 * Transactional batches (KIP-98, KIP-890): a request with a transactional id carries only
 * transactional batches of one producer and vice versa, and the first batch of a transaction on a
 * partition must belong to a transaction the coordinator knows includes the partition (part 1),
 * or, from Produce v12, that the coordinator adds it to (part 2).
 */
async function verifyTransactional(
  ctx: BrokerApiContext,
  transactionalId: string | null,
  topic: string,
  partition: number,
  batches: readonly RecordBatchHeader[],
  version: number,
): Promise<{ errorCode: number; message: string } | null> {
  const first = batches[0];
  const transactional = batches.some((b) => b.isTransactional);
  if (!first || (!transactional && transactionalId === null)) return null;
  if (transactionalId === null || !batches.every((b) => b.isTransactional && b.producerId === first.producerId))
    return {
      errorCode: ErrorCode.INVALID_RECORD,
      message: 'a transactional produce carries transactional batches of one producer, with its transactional id',
    };
  const txn = ctx.txn;
  if (!txn) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, message: 'no transaction coordinator' };
  const hosted = ctx.replicas.get(topic, partition);
  if (hosted && ctx.replicas.hasOpenTransaction(hosted, first.producerId, first.producerEpoch)) return null;
  // Produce v12+ (KIP-890 part 2): the produce itself adds the partition to the transaction.
  const answer = await txn.verifier.verify(
    transactionalId,
    first.producerId,
    first.producerEpoch,
    { topic, partition },
    version >= 12,
  );
  if (answer === ErrorCode.NONE) return null;
  // Producers expect INVALID_PRODUCER_EPOCH from a produce (Kafka's AddPartitionsToTxnManager maps
  // the coordinator's PRODUCER_FENCED so; produce versions before KIP-588 do not know the code).
  // TRANSACTION_ABORTABLE is known to producers from Produce v11 (KIP-890); older ones get INVALID_TXN_STATE.
  const code =
    answer === ErrorCode.PRODUCER_FENCED
      ? ErrorCode.INVALID_PRODUCER_EPOCH
      : answer === ErrorCode.TRANSACTION_ABORTABLE && version < 11
        ? ErrorCode.INVALID_TXN_STATE
        : answer;
  return {
    errorCode: code,
    message: `${topic}-${partition} is not part of transactional id ${transactionalId}'s ongoing transaction (${errorName(code)})`,
  };
}

async function produce(
  ctx: BrokerApiContext,
  req: ProduceRequest,
  rc: RequestContext,
  az: RequestAuthorization,
): Promise<ProduceResponseInput | null> {
  const acks = req.acks;
  // A transactional id the principal may not write refuses the whole request (Kafka's rule); else
  // WRITE on each topic (asked once per topic: the request's authorization remembers answers).
  const txnIdDenied = req.transactionalId !== null && !az.transactionalId(AclOperation.WRITE, req.transactionalId);
  const refusal = (topic: string): number =>
    txnIdDenied
      ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
      : az.topic(AclOperation.WRITE, topic)
        ? ErrorCode.NONE
        : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  // v13+ names topics by id (KIP-516); an id this broker's image does not know is UNKNOWN_TOPIC_ID.
  const version = rc.header.apiVersion;
  const img = version >= 13 ? ctx.replicas.currentImage() : null;
  const responses = await Promise.all(
    req.topicData.map(async (t) => ({
      name: version >= 13 ? (topicNameOf(img, t.topicId) ?? '') : t.name,
      topicId: t.topicId,
      partitionResponses: await Promise.all(
        t.partitionData.map(async (p) => {
          const resolved = version >= 13 ? topicNameOf(img, t.topicId) : t.name;
          const topicName = resolved ?? '';
          const fail = (errorCode: number, errorMessage: string | null = null) => {
            // Counted for hosted partitions only: topic names from clients are unbounded.
            if (ctx.replicas.get(topicName, p.index)) ctx.topicMetrics.produced(topicName, 'failed');
            // v10+ (KIP-951): a partition that moved carries its leader, so the producer need not ask Metadata.
            const leader =
              version >= 10 && wantsLeaderHint(errorCode)
                ? leaderHint(ctx.replicas.currentImage(), topicName, p.index)
                : undefined;
            return {
              index: p.index,
              errorCode,
              baseOffset: -1,
              logAppendTimeMs: -1,
              logStartOffset: -1,
              recordErrors: [],
              errorMessage,
              ...(leader ? { currentLeader: leader } : {}),
            };
          };
          if (acks !== 0 && acks !== 1 && acks !== -1)
            return fail(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, got ${acks}`);
          if (resolved === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_ID, `no topic has id ${t.topicId}`);
          const denied = refusal(topicName);
          if (denied !== ErrorCode.NONE) return fail(denied);
          const hosted = ctx.replicas.get(topicName, p.index);
          const leaderError = ctx.replicas.leaderError(topicName, p.index);
          if (leaderError !== ErrorCode.NONE || !hosted) return fail(leaderError);
          if (!p.records) return fail(ErrorCode.INVALID_RECORD, 'no records');
          const v = validateBatches(p.records);
          if (!v.ok) {
            ctx.logger.debug(
              { topic: topicName, partition: p.index, client: rc.header.clientId, reason: v.message },
              'produce rejected',
            );
            return fail(v.errorCode, v.message);
          }
          const txnError = await verifyTransactional(ctx, req.transactionalId, topicName, p.index, v.batches, version);
          if (txnError) return fail(txnError.errorCode, txnError.message);
          const tooBig = v.batches.find((b) => b.sizeInBytes > hosted.log.config.maxMessageBytes);
          if (tooBig)
            return fail(
              ErrorCode.MESSAGE_TOO_LARGE,
              `a batch of ${tooBig.sizeInBytes} bytes is above max.message.bytes (${hosted.log.config.maxMessageBytes})`,
            );
          const stored = recompressForTopic(p.records, v.batches, hosted.log.config.compressionType);
          if (!stored.ok) return fail(stored.errorCode, stored.message);
          // The request frame's buffer is ours: offsets are patched in place, then the bytes are written.
          const leaderEpoch = hosted.leaderEpoch;
          const r = ctx.replicas.appendAsLeader(topicName, p.index, stored.records, acks);
          if (r.errorCode !== 0 || !('baseOffset' in r)) return fail(r.errorCode, 'message' in r ? r.message : null);
          if (acks === -1) {
            // acks=all: answer once every ISR member has the records (the high watermark passed them).
            const committed = await ctx.replicas.waitForCommit(
              topicName,
              p.index,
              r.lastOffset,
              leaderEpoch,
              Math.max(0, req.timeoutMs),
              rc.signal,
            );
            if (committed !== ErrorCode.NONE)
              return fail(
                committed,
                `${topicName}-${p.index}: the records were appended at ${r.baseOffset} but not replicated to the ISR (${errorName(committed)})`,
              );
          }
          ctx.topicMetrics.produced(topicName, {
            bytes: p.records.length,
            messages: v.batches.reduce((n, b) => n + b.recordsCount, 0),
          });
          return {
            index: p.index,
            errorCode: 0,
            baseOffset: r.baseOffset,
            logAppendTimeMs: r.logAppendTimeMs,
            logStartOffset: r.logStartOffset,
            recordErrors: [],
            errorMessage: null,
          };
        }),
      ),
    })),
  );
  // Client quotas: the request's bytes count against producer_byte_rate whatever the outcome (as
  // Kafka); an acks=0 producer gets no answer but its connection is muted all the same.
  const throttleTimeMs = rc.quota?.recordProduce() ?? 0;
  if (acks === 0) return null;
  return {
    responses,
    throttleTimeMs,
    ...leaderEndpoints(
      () => ctx.replicas.currentImage(),
      responses.map(asPartitions),
      { apiVersion: rc.header.apiVersion, listenerName: rc.listenerName },
      10,
    ),
  };
}

/** A Produce answer's topic in the shape leaderEndpoints reads. */
const asPartitions = <P extends { errorCode: number; currentLeader?: LeaderHint }>(t: {
  partitionResponses: readonly P[];
}) => ({ partitions: t.partitionResponses });

async function listOffsets(
  ctx: BrokerApiContext,
  req: ListOffsetsRequest,
  rc: RequestContext,
  az: RequestAuthorization,
): Promise<ListOffsetsResponseInput> {
  const version = rc.header.apiVersion;
  return {
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        // DESCRIBE on the topic (asked once per topic: the request's authorization remembers answers).
        const described = az.topic(AclOperation.DESCRIBE, t.name);
        const hosted = described ? ctx.replicas.get(t.name, p.partitionIndex) : undefined;
        const err = described
          ? ctx.replicas.leaderError(t.name, p.partitionIndex)
          : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        const answer = (offset: number, timestamp: number, errorCode = 0, leaderEpoch = hosted?.leaderEpoch ?? -1) =>
          version === 0
            ? { partitionIndex: p.partitionIndex, errorCode, oldStyleOffsets: offset >= 0 ? [offset] : [] }
            : {
                partitionIndex: p.partitionIndex,
                errorCode,
                timestamp,
                offset,
                leaderEpoch,
              };
        if (p.timestamp < EARLIEST && version < (specialTimestampMinVersion.get(p.timestamp) ?? Infinity))
          return answer(-1, -1, ErrorCode.UNSUPPORTED_VERSION, -1);
        if (err !== ErrorCode.NONE || !hosted) return answer(-1, -1, err);
        if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch !== hosted.leaderEpoch)
          return answer(
            -1,
            -1,
            p.currentLeaderEpoch < hosted.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH,
          );
        const log = hosted.log;
        const hw = ctx.replicas.highWatermark(hosted);
        // read_committed consumers see the log up to the last stable offset (KIP-98).
        if (p.timestamp === LATEST)
          return answer(
            req.isolationLevel === IsolationLevel.READ_COMMITTED ? ctx.replicas.lastStableOffset(hosted) : hw,
            -1,
          );
        // No tiered storage: the local log starts at the log start offset, nothing is tiered or pending upload.
        if (p.timestamp === EARLIEST || p.timestamp === EARLIEST_LOCAL) return answer(log.logStartOffset, -1);
        if (p.timestamp === LATEST_TIERED || p.timestamp === EARLIEST_PENDING_UPLOAD) return answer(-1, -1, 0, -1);
        if (p.timestamp === MAX_TIMESTAMP) {
          const max = log.maxTimestamp();
          if (max < 0) return answer(-1, -1);
          const batch = log.batchAtTimestamp(max);
          const found = batch ? ctx.offsetInBatchForTimestamp(batch, max) : null;
          return found ? answer(found.offset, found.timestamp) : answer(-1, -1);
        }
        const batch = log.batchAtTimestamp(p.timestamp);
        if (!batch) return answer(-1, -1);
        const found = ctx.offsetInBatchForTimestamp(batch, p.timestamp);
        if (!found) {
          const h = readBatchHeader(batch, 0)!;
          return answer(h.baseOffset, h.maxTimestamp);
        }
        return answer(Math.max(found.offset, log.logStartOffset), found.timestamp);
      }),
    })),
  };
}
