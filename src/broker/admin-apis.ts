// The broker's admin API handlers. Metadata writes (topics, partitions, configs, ACLs) are
// forwarded to the active controller over gRPC (proto/controller.proto), which validates them
// with Kafka's error codes; the broker answers once the controller has committed. Reads
// (DescribeConfigs, DescribeCluster) come from the node's own metadata image; DeleteRecords and
// OffsetForLeaderEpoch act on the partition logs this broker leads. The APIs Kafka also serves on
// a controller listener (registerControllerRoutedAdminApis) take only an AdminApiContext, so a
// controller's Kafka listener (KIP-919, controller-apis.ts) registers the same handlers.
import { isSensitiveConfig } from '../protocol/kafka-config-names.js';
import { configDoc } from '../protocol/config-docs.js';
import { zeroUuid } from '../protocol/primitives/uuid.js';
import { ErrorCode, errorName } from '../common/errors.js';
import {
  ControllerUnavailableError,
  type ControllerMethod,
  type ControllerRequest,
  type ControllerResponse,
} from '../client/controller-client.js';
import { AlterConfigOp } from '../protocol/config-types.js';
import { configResourceKey, type MetadataImage } from '../metadata/image.js';
import { ConfigResourceType } from '../metadata/records.js';
import type { ConfigResource } from '../rpc/controller-rpc.js';
import {
  alterConfigsApi,
  type AlterConfigsRequest,
  type AlterConfigsResponseInput,
} from '../protocol/messages/alter-configs.js';
import {
  createPartitionsApi,
  type CreatePartitionsRequest,
  type CreatePartitionsResponseInput,
} from '../protocol/messages/create-partitions.js';
import {
  createTopicsApi,
  type CreateTopicsRequest,
  type CreateTopicsResponseInput,
} from '../protocol/messages/create-topics.js';
import {
  deleteRecordsApi,
  type DeleteRecordsRequest,
  type DeleteRecordsResponseInput,
} from '../protocol/messages/delete-records.js';
import {
  deleteTopicsApi,
  type DeleteTopicsRequest,
  type DeleteTopicsResponseInput,
} from '../protocol/messages/delete-topics.js';
import { describeClusterApi } from '../protocol/messages/describe-cluster.js';
import {
  describeConfigsApi,
  type DescribeConfigsRequest,
  type DescribeConfigsResponseInput,
} from '../protocol/messages/describe-configs.js';
import {
  incrementalAlterConfigsApi,
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsResponseInput,
} from '../protocol/messages/incremental-alter-configs.js';
import {
  offsetForLeaderEpochApi,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponseInput,
} from '../protocol/messages/offset-for-leader-epoch.js';
import {
  alterPartitionReassignmentsApi,
  listPartitionReassignmentsApi,
  type AlterPartitionReassignmentsRequest,
  type AlterPartitionReassignmentsResponseInput,
  type ListPartitionReassignmentsRequest,
  type ListPartitionReassignmentsResponseInput,
} from '../protocol/messages/partition-reassignments.js';
import {
  brokerAdminContext,
  type AdminApiContext,
  type BrokerApiContext,
  type KafkaApiRegistry,
  type RequestContext,
} from './api-context.js';
import { brokerEndpoints, describeCluster } from './describe-cluster-api.js';
import { describeBrokerConfigs, describeTopicConfigs } from './config-describe.js';
import { ConfigSource, type ResolvedConfig } from '../common/dynamic-broker-config.js';
import { resolveLogConfig } from '../storage/log-config.js';
import { clusterOnly, type RequestAuthorization } from './authorization.js';
import {
  authorizeConfigResources,
  authorizeCreateTopics,
  authorizeTopicList,
  deniedPartitions,
  topicDenied,
} from './admin-authorization.js';
import { AclOperation } from '../protocol/acl-types.js';
import { registerLogDirsApi } from './log-dirs-api.js';

/** Call the controller; an unreachable quorum becomes a code the client retries on (also used by acl-apis.ts). */
export async function forward<M extends ControllerMethod>(
  ctx: ControllerRoute,
  method: M,
  request: ControllerRequest<M>,
  timeoutMs: number,
): Promise<ControllerResponse<M> | { unavailable: string }> {
  try {
    return await ctx.controller.call(method, request, { timeoutMs: Math.max(1000, Math.min(timeoutMs, 60_000)) });
  } catch (err) {
    if (err instanceof ControllerUnavailableError) return { unavailable: err.message };
    throw err;
  }
}

/** What forwarding needs: a client of the active controller. */
export type ControllerRoute = Pick<AdminApiContext, 'controller'>;

/**
 * The admin APIs Kafka also serves on a controller listener (topics, configs, reassignments),
 * registered alike by the broker and by a controller's Kafka listener (controller-apis.ts).
 */
export function registerControllerRoutedAdminApis(apis: KafkaApiRegistry, ctx: AdminApiContext): void {
  const image = ctx.image;
  // Each API's ACL rule is applied here, around the unguarded handler (admin-authorization.ts).
  apis.register(createTopicsApi, (r, rc, az) =>
    authorizeCreateTopics(az, r, (q) => createTopics(ctx, q, rc.header.apiVersion, az)),
  );
  apis.register(deleteTopicsApi, (r, rc, az) => deleteTopics(ctx, r, rc, image(), az));
  apis.register(createPartitionsApi, async (r, _rc, az) => ({
    results: await authorizeTopicList(
      az,
      AclOperation.ALTER,
      r,
      (t) => t.name,
      async (q) => (await createPartitions(ctx, q)).results,
      (t) => ({ name: t.name, ...topicDenied }),
    ),
  }));
  apis.register(describeConfigsApi, async (r, _rc, az) => ({
    results: await authorizeConfigResources(
      az,
      AclOperation.DESCRIBE_CONFIGS,
      r,
      (q) => describeConfigs(ctx, q, image()).results,
      (x, errorCode, errorMessage) => ({ ...configKey(x), errorCode, errorMessage, configs: [] }),
    ),
  }));
  const configsAltered =
    <Req extends { resources: readonly { resourceType: number; resourceName: string }[] }>(
      alter: (q: Req) => Promise<{ responses: readonly ConfigAnswer[] }>,
    ) =>
    async (r: Req, _rc: RequestContext, az: RequestAuthorization) => ({
      responses: await authorizeConfigResources(
        az,
        AclOperation.ALTER_CONFIGS,
        r,
        async (q) => (await alter(q)).responses,
        (x, errorCode, errorMessage) => ({ ...configKey(x), errorCode, errorMessage }),
      ),
    });
  apis.register(
    alterConfigsApi,
    configsAltered((r: AlterConfigsRequest) => alterConfigs(ctx, r, image())),
  );
  apis.register(
    incrementalAlterConfigsApi,
    configsAltered((r: IncrementalAlterConfigsRequest) => incrementalAlterConfigs(ctx, r)),
  );
  apis.register(
    alterPartitionReassignmentsApi,
    clusterOnly(
      AclOperation.ALTER,
      (r) => alterReassignments(ctx, r),
      (errorCode, errorMessage) => ({ errorCode, errorMessage, responses: [] }),
    ),
  );
  apis.register(
    listPartitionReassignmentsApi,
    clusterOnly(
      AclOperation.DESCRIBE,
      (r) => listReassignments(ctx, r),
      (errorCode, errorMessage) => ({ errorCode, errorMessage, topics: [] }),
    ),
  );
}

/** The broker's admin APIs: those Kafka routes to controllers, and the ones only a broker answers. */
export function registerAdminApis(apis: KafkaApiRegistry, ctx: BrokerApiContext): void {
  const admin = brokerAdminContext(ctx);
  registerControllerRoutedAdminApis(apis, admin);
  apis.register(describeClusterApi, (r, rc, az) =>
    describeCluster(ctx.clusterId, r, rc, az, brokerEndpoints(admin.image())),
  );
  apis.register(deleteRecordsApi, async (r, _rc, az) => ({
    topics: await authorizeTopicList(
      az,
      AclOperation.DELETE,
      r,
      (t) => t.name,
      (q) => deleteRecords(ctx, q).topics,
      (t) => deniedPartitions(t.name, t.partitions, (p, errorCode) => ({ ...p, lowWatermark: -1, errorCode })),
    ),
  }));
  // Replicas have CLUSTER_ACTION; clients need DESCRIBE on each topic.
  apis.register(offsetForLeaderEpochApi, async (r, _rc, az) => ({
    topics: await authorizeTopicList(
      az,
      AclOperation.DESCRIBE,
      r,
      (t) => t.topic,
      (q) => offsetForLeaderEpoch(ctx, q).topics,
      (t) => ({
        topic: t.topic,
        partitions: deniedPartitions(t.topic, t.partitions, (p, errorCode) => ({
          errorCode,
          partition: p.partition,
          leaderEpoch: -1,
          endOffset: -1,
        })).partitions,
      }),
      () => az.cluster(AclOperation.CLUSTER_ACTION, true),
    ),
  }));
  registerLogDirsApi(apis, ctx);
}

type ConfigAnswer = { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string };
const configKey = (r: { resourceType: number; resourceName: string }) => ({
  resourceType: r.resourceType,
  resourceName: r.resourceName,
});

/**
 * v5+ (KIP-525) answers each created (or validated) topic with its partition count, replication
 * factor and effective configs, the request's over the broker defaults; a principal without
 * DESCRIBE_CONFIGS on the topic gets none of them and TopicConfigErrorCode TOPIC_AUTHORIZATION_FAILED.
 */
function createdTopicDetails(
  ctx: AdminApiContext,
  t: CreateTopicsRequest['topics'][number],
  a: { numPartitions: number; replicationFactor: number },
  version: number,
  az: RequestAuthorization,
): Pick<CreateTopicsResponseInput['topics'][number], 'numPartitions' | 'replicationFactor' | 'configs'> & {
  topicConfigErrorCode?: number;
} {
  if (version < 5) return { numPartitions: a.numPartitions, replicationFactor: a.replicationFactor, configs: null };
  if (!az.topic(AclOperation.DESCRIBE_CONFIGS, t.name, true))
    return {
      numPartitions: -1,
      replicationFactor: -1,
      configs: null,
      topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    };
  const given = new Map(t.configs.flatMap((c) => (c.value === null ? [] : [[c.name, c.value] as const])));
  return {
    numPartitions: a.numPartitions,
    replicationFactor: a.replicationFactor,
    configs: describeTopicConfigs(
      given,
      ctx.dynamicConfig().layers(ctx.image()),
      ctx.config.staticProperties,
      resolveLogConfig(ctx.dynamicConfig().logDefaults(ctx.image()), given),
    ).map((e) => {
      const isSensitive = isSensitiveConfig(e.name);
      return {
        name: e.name,
        value: isSensitive ? null : e.value,
        readOnly: e.readOnly,
        configSource: e.source,
        isSensitive,
      };
    }),
  };
}

async function createTopics(
  ctx: AdminApiContext,
  req: CreateTopicsRequest,
  version: number,
  az: RequestAuthorization,
): Promise<CreateTopicsResponseInput> {
  // Kafka's rule: manual assignments leave the partition count and replication factor at -1.
  const bothSet = new Set(
    req.topics
      .filter((t) => t.assignments.length > 0 && (t.numPartitions !== -1 || t.replicationFactor !== -1))
      .map((t) => t.name),
  );
  const res = await forward(
    ctx,
    'CreateTopics',
    {
      validateOnly: req.validateOnly,
      topics: req.topics
        .filter((t) => !bothSet.has(t.name))
        .map((t) => ({
          name: t.name,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          configs: Object.fromEntries(t.configs.map((c) => [c.name, c.value ?? ''])),
          assignments: t.assignments.map((a) => ({ partitionIndex: a.partitionIndex, brokerIds: a.brokerIds })),
        })),
    },
    req.timeoutMs,
  );
  const answers = new Map('unavailable' in res ? [] : res.topics.map((t) => [t.name, t]));
  return {
    topics: req.topics.map((t) => {
      if (bothSet.has(t.name))
        return {
          name: t.name,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage:
            'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
          numPartitions: -1,
          replicationFactor: -1,
          configs: null,
        };
      const a = answers.get(t.name);
      if (!a)
        return {
          name: t.name,
          errorCode: ErrorCode.REQUEST_TIMED_OUT,
          errorMessage: 'unavailable' in res ? res.unavailable : 'no answer from the controller',
          numPartitions: -1,
          replicationFactor: -1,
          configs: null,
        };
      const errorCode = a.errorCode;
      return {
        name: t.name,
        topicId: a.topicId.length === 16 ? Buffer.from(a.topicId).toString('base64url') : undefined,
        errorCode,
        errorMessage: errorCode === 0 ? null : a.errorMessage,
        ...(errorCode === 0
          ? createdTopicDetails(ctx, t, a, version, az)
          : { numPartitions: -1, replicationFactor: -1, configs: null }),
      };
    }),
  };
}

type DeleteTopicsAnswer = DeleteTopicsResponseInput['responses'][number];

/**
 * DeleteTopics. v6 names each topic by name or by id (both, or neither, is INVALID_REQUEST): an
 * id this broker's image does not know is UNKNOWN_TOPIC_ID (so is one the principal may not
 * DESCRIBE, as Kafka hides it), a name given twice or an id given twice is INVALID_REQUEST, and
 * every answer carries the topic's id (and the name of a topic named by id). DELETE is needed on
 * each topic.
 */
async function deleteTopics(
  ctx: AdminApiContext,
  req: DeleteTopicsRequest,
  rc: RequestContext,
  img: MetadataImage | null,
  az: RequestAuthorization,
): Promise<DeleteTopicsResponseInput> {
  const v6 = rc.header.apiVersion >= 6;
  const idOf = (name: string): string => img?.topicsByName.get(name)?.id ?? zeroUuid;
  const asked: { name: string | null; topicId: string }[] = v6
    ? req.topics.map((t) => (t.name !== null ? { name: t.name, topicId: idOf(t.name) } : t))
    : (req.topicNames ?? []).map((name) => ({ name, topicId: zeroUuid }));
  // v6: exactly one of name and id names a topic.
  const malformed = (i: number): boolean =>
    v6 && (req.topics[i]?.name === null) === (req.topics[i]?.topicId === zeroUuid);
  const count = (key: (a: (typeof asked)[number]) => string | null) => {
    const n = new Map<string, number>();
    for (const [i, a] of asked.entries()) {
      if (malformed(i)) continue;
      const k = key(a);
      if (k !== null) n.set(k, (n.get(k) ?? 0) + 1);
    }
    return n;
  };
  const names = count((a) => a.name);
  const ids = count((a) => (a.name === null ? a.topicId : null));
  // Answers decided here; the rest go to the controller by name.
  const early = (a: (typeof asked)[number], i: number): DeleteTopicsAnswer | null => {
    const given = req.topics[i];
    if (malformed(i) && given)
      return {
        ...given,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage:
          given.name === null
            ? 'Neither topic name nor id were specified.'
            : 'You may not specify both topic name and topic id.',
      };
    if (a.name !== null) {
      if ((names.get(a.name) ?? 0) > 1)
        return { ...a, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' };
      return az.topic(AclOperation.DELETE, a.name) ? null : { ...a, ...topicDenied };
    }
    if ((ids.get(a.topicId) ?? 0) > 1)
      return { ...a, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic id.' };
    const name = img?.topicsById.get(a.topicId)?.name;
    if (name === undefined || !az.topic(AclOperation.DESCRIBE, name, true))
      return { ...a, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: `unknown topic id ${a.topicId}` };
    return az.topic(AclOperation.DELETE, name) ? null : { name, topicId: a.topicId, ...topicDenied };
  };
  const decided = asked.map(early);
  const toDelete = asked.flatMap((a, i) =>
    decided[i] === null ? [a.name ?? img?.topicsById.get(a.topicId)?.name ?? ''] : [],
  );
  const res = await forward(ctx, 'DeleteTopics', { names: toDelete }, req.timeoutMs);
  const answers = new Map('unavailable' in res ? [] : res.topics.map((t) => [t.name, t]));
  let k = 0;
  return {
    responses: asked.map((a, i): DeleteTopicsAnswer => {
      const d = decided[i];
      if (d) return v6 ? d : { name: d.name, errorCode: d.errorCode, errorMessage: d.errorMessage };
      const name = toDelete[k++] ?? '';
      const r = answers.get(name);
      const errorCode = r ? r.errorCode : ErrorCode.REQUEST_TIMED_OUT;
      return {
        name,
        topicId: a.topicId,
        errorCode,
        errorMessage:
          errorCode === 0 ? null : (r?.errorMessage ?? ('unavailable' in res ? res.unavailable : errorName(errorCode))),
      };
    }),
  };
}

async function createPartitions(
  ctx: AdminApiContext,
  req: CreatePartitionsRequest,
): Promise<CreatePartitionsResponseInput> {
  const res = await forward(
    ctx,
    'CreatePartitions',
    {
      validateOnly: req.validateOnly,
      topics: req.topics.map((t) => ({
        name: t.name,
        count: t.count,
        assignments: (t.assignments ?? []).map((a) => ({ partitionIndex: -1, brokerIds: a.brokerIds })),
      })),
    },
    req.timeoutMs,
  );
  const answers = new Map('unavailable' in res ? [] : res.topics.map((t) => [t.name, t]));
  return {
    results: req.topics.map((t) => {
      const a = answers.get(t.name);
      const errorCode = a ? a.errorCode : ErrorCode.REQUEST_TIMED_OUT;
      return {
        name: t.name,
        errorCode,
        errorMessage: errorCode === 0 ? null : (a?.errorMessage ?? errorName(errorCode)),
      };
    }),
  };
}

function describeConfigs(
  ctx: AdminApiContext,
  req: DescribeConfigsRequest,
  img: MetadataImage | null,
): DescribeConfigsResponseInput {
  return {
    results: req.resources.map((r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (!img)
        return { ...base, errorCode: ErrorCode.BROKER_NOT_AVAILABLE, errorMessage: 'no metadata yet', configs: [] };
      const layers = ctx.dynamicConfig().layers(img);
      let entries: readonly ResolvedConfig[];
      if (r.resourceType === ConfigResourceType.TOPIC) {
        if (!img.topicsByName.has(r.resourceName))
          return {
            ...base,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            errorMessage: `unknown topic ${r.resourceName}`,
            configs: [],
          };
        const overrides = img.configs.get(configResourceKey(ConfigResourceType.TOPIC, r.resourceName));
        const log = resolveLogConfig(ctx.dynamicConfig().logDefaults(img), overrides);
        entries = describeTopicConfigs(overrides, layers, ctx.config.staticProperties, log);
      } else if (r.resourceType === ConfigResourceType.BROKER) {
        if (r.resourceName !== '' && r.resourceName !== String(ctx.nodeId))
          return {
            ...base,
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage: `this is broker ${ctx.nodeId}; ask broker ${r.resourceName} itself`,
            configs: [],
          };
        entries = describeBrokerConfigs(ctx.config, layers);
      } else
        return {
          ...base,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `unsupported resource type ${r.resourceType}`,
          configs: [],
        };
      const keys = r.configurationKeys;
      return {
        ...base,
        errorCode: 0,
        errorMessage: null,
        configs: entries
          .filter((e) => !keys || keys.includes(e.name))
          .map((e) => {
            // v3+: every entry's type; its documentation only when asked for.
            const doc = configDoc(r.resourceType, e.name);
            return {
              ...describedEntry(e, req.includeSynonyms),
              configType: doc.configType,
              documentation: req.includeDocumentation ? doc.documentation : null,
            };
          }),
      };
    }),
  };
}

/** One DescribeConfigs entry; secrets (and their synonyms) without their values, as Kafka answers them. */
function describedEntry(e: ResolvedConfig, includeSynonyms: boolean) {
  const isSensitive = isSensitiveConfig(e.name);
  return {
    name: e.name,
    value: isSensitive ? null : e.value,
    readOnly: e.readOnly,
    isDefault: e.source === ConfigSource.DEFAULT,
    configSource: e.source,
    isSensitive,
    synonyms: includeSynonyms ? e.synonyms.map((s) => ({ ...s, value: isSensitive ? null : s.value })) : [],
  };
}

/** Legacy AlterConfigs replaces a resource's whole dynamic config set: SET what is given, DELETE the rest. */
async function alterConfigs(
  ctx: AdminApiContext,
  req: AlterConfigsRequest,
  img: MetadataImage | null,
): Promise<AlterConfigsResponseInput> {
  const resources = req.resources.map((r) => {
    const current = img?.configs.get(configResourceKey(r.resourceType, r.resourceName)) ?? new Map<string, string>();
    const given = new Set(r.configs.map((c) => c.name));
    return {
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: [
        ...r.configs.map((c) => ({
          name: c.name,
          op: c.value === null ? AlterConfigOp.DELETE : AlterConfigOp.SET,
          value: c.value ?? undefined,
        })),
        ...[...current.keys()].filter((k) => !given.has(k)).map((name) => ({ name, op: AlterConfigOp.DELETE })),
      ],
    };
  });
  return { responses: await alterViaController(ctx, resources, req.validateOnly) };
}

async function incrementalAlterConfigs(
  ctx: AdminApiContext,
  req: IncrementalAlterConfigsRequest,
): Promise<IncrementalAlterConfigsResponseInput> {
  const resources = req.resources.map((r) => ({
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    configs: r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value ?? undefined })),
  }));
  return { responses: await alterViaController(ctx, resources, req.validateOnly) };
}

async function alterViaController(
  ctx: AdminApiContext,
  resources: (ConfigResource & { resourceType: number; resourceName: string })[],
  validateOnly: boolean,
): Promise<{ errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }[]> {
  const res = await forward(ctx, 'IncrementalAlterConfigs', { resources, validateOnly }, 30_000);
  const results = 'unavailable' in res ? [] : res.resources;
  return resources.map((r, i) => {
    const a = results[i];
    const errorCode = a ? a.errorCode : ErrorCode.REQUEST_TIMED_OUT;
    return {
      errorCode,
      errorMessage: errorCode === 0 ? null : (a?.errorMessage ?? errorName(errorCode)),
      resourceType: r.resourceType,
      resourceName: r.resourceName,
    };
  });
}

function deleteRecords(ctx: BrokerApiContext, req: DeleteRecordsRequest): DeleteRecordsResponseInput {
  return {
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const err = ctx.replicas.leaderError(t.name, p.partitionIndex);
        const hosted = ctx.replicas.get(t.name, p.partitionIndex);
        if (err !== ErrorCode.NONE || !hosted)
          return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: err };
        const hw = ctx.replicas.highWatermark(hosted);
        const target = p.offset === -1 ? hw : p.offset;
        if (target < 0 || target > hw)
          return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
        hosted.log.advanceLogStart(target);
        return { partitionIndex: p.partitionIndex, lowWatermark: hosted.log.logStartOffset, errorCode: 0 };
      }),
    })),
  };
}

function offsetForLeaderEpoch(
  ctx: BrokerApiContext,
  req: OffsetForLeaderEpochRequest,
): OffsetForLeaderEpochResponseInput {
  return {
    topics: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        const err = ctx.replicas.leaderError(t.topic, p.partition);
        const hosted = ctx.replicas.get(t.topic, p.partition);
        if (err !== ErrorCode.NONE || !hosted)
          return { errorCode: err, partition: p.partition, leaderEpoch: -1, endOffset: -1 };
        if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch !== hosted.leaderEpoch) {
          return {
            errorCode:
              p.currentLeaderEpoch < hosted.leaderEpoch
                ? ErrorCode.FENCED_LEADER_EPOCH
                : ErrorCode.UNKNOWN_LEADER_EPOCH,
            partition: p.partition,
            leaderEpoch: -1,
            endOffset: -1,
          };
        }
        const r = hosted.log.epochs.endOffsetFor(p.leaderEpoch, hosted.log.logEndOffset);
        return { errorCode: 0, partition: p.partition, leaderEpoch: r.epoch, endOffset: r.endOffset };
      }),
    })),
  };
}

async function alterReassignments(
  ctx: AdminApiContext,
  req: AlterPartitionReassignmentsRequest,
): Promise<AlterPartitionReassignmentsResponseInput> {
  const items = req.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      replicas: p.replicas ?? [],
      cancel: p.replicas === null,
      keepReplicationFactor: !req.allowReplicationFactorChange, // true before v1
    })),
  );
  const res = await forward(ctx, 'AlterPartitionReassignments', { items }, req.timeoutMs);
  // v1 echoes the request's AllowReplicationFactorChange.
  const allowReplicationFactorChange = req.allowReplicationFactorChange;
  if ('unavailable' in res)
    return {
      allowReplicationFactorChange,
      errorCode: ErrorCode.REQUEST_TIMED_OUT,
      errorMessage: res.unavailable,
      responses: [],
    };
  const answers = res.items;
  let i = 0;
  return {
    allowReplicationFactorChange,
    errorCode: 0,
    errorMessage: null,
    responses: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const a = answers[i++];
        const errorCode = a ? a.errorCode : ErrorCode.REQUEST_TIMED_OUT;
        return {
          partitionIndex: p.partitionIndex,
          errorCode,
          errorMessage: errorCode === 0 ? null : (a?.errorMessage ?? errorName(errorCode)),
        };
      }),
    })),
  };
}

async function listReassignments(
  ctx: AdminApiContext,
  req: ListPartitionReassignmentsRequest,
): Promise<ListPartitionReassignmentsResponseInput> {
  const items = (req.topics ?? []).flatMap((t) =>
    t.partitionIndexes.map((partition) => ({ topic: t.name, partition })),
  );
  const res = await ctx.controller
    .listPartitionReassignments({ items }, { anyController: true, timeoutMs: 15_000 })
    .catch((err: unknown) => ({ unavailable: err instanceof Error ? err.message : String(err) }) as const);
  if ('unavailable' in res)
    return { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: String(res.unavailable), topics: [] };
  const byTopic = new Map<
    string,
    { partitionIndex: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }[]
  >();
  for (const a of res.items) {
    const topic = a.topic;
    byTopic.set(topic, [
      ...(byTopic.get(topic) ?? []),
      {
        partitionIndex: a.partition,
        replicas: a.replicas,
        addingReplicas: a.addingReplicas,
        removingReplicas: a.removingReplicas,
      },
    ]);
  }
  return { errorCode: 0, errorMessage: null, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) };
}
