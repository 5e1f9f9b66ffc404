// The gRPC face of the QuorumController (proto/controller.proto): converts the typed wire
// messages to the managers' requests and back. A standby answers writes with NOT_CONTROLLER and
// the active controller's address; DescribeTopics is answered by any controller from its
// committed image, DescribeMetadataImage (migrate verify) only by the active one.
import * as grpc from '@grpc/grpc-js';
import { ErrorCode } from '../common/errors.js';
import type { Endpoint } from '../common/node-config.js';
import { NotControllerError, type QuorumController } from '../controller/quorum-controller.js';
import type { TopicResult } from '../controller/replication-control.js';
import { describeAcls, type AclBinding, type AclFilter, type AclResult } from '../controller/acl-control.js';
import { describeFeatures } from '../controller/feature-control.js';
import { listPartitionReassignments } from '../controller/reassignment-control.js';
import { describeClientQuotas } from '../controller/quota-control.js';
import { describeUserScramCredentials } from '../controller/scram-control.js';
import { configResourceKey, type MetadataImage } from '../metadata/image.js';
import type { BrokerEndpoint, QuotaEntity } from '../metadata/records.js';
import { imageDigest, imageRecords } from '../metadata/image-records.js';
import { encodeRecordFramesAsync, RecordFrameError, splitRecordFrames } from '../metadata/record-frames.js';
import { ConfigResourceType } from '../metadata/records.js';
import { uuidFromBytes, uuidToBytes } from '../common/uuid.js';
import { serviceImplementation, type RequestOut, type ResponseIn, type RpcService } from '../rpc/grpc-plumbing.js';
import {
  controllerService,
  type AclBinding as WireAclBinding,
  type AclBinding__Output,
  type ControllerDefinition,
  type ControllerHandlers,
  type ControllerHint,
  type ControllerMethod,
  type QuotaEntityPart,
} from '../rpc/controller-rpc.js';

/** What a handler of method M receives and answers. */
type In<M extends ControllerMethod> = RequestOut<ControllerDefinition, M>;
type Out<M extends ControllerMethod> = ResponseIn<ControllerDefinition, M>;

/** What the handlers need besides the controller. */
interface ServiceContext {
  readonly controller: QuorumController;
  readonly hint: () => ControllerHint;
  readonly metadataOffset: () => number;
}

// ------------------------------------------------------------ conversions

function topicResultsToWire(results: readonly TopicResult[]): Out<'CreateTopics'> {
  return {
    errorCode: ErrorCode.NONE,
    topics: results.map((r) => ({
      name: r.name,
      topicId: r.topicId ? uuidToBytes(r.topicId) : Buffer.alloc(0),
      errorCode: r.errorCode,
      errorMessage: r.errorMessage ?? '',
      numPartitions: r.numPartitions,
      replicationFactor: r.replicationFactor,
    })),
  };
}

function bindingFromWire(w: AclBinding__Output): AclBinding {
  return {
    resourceType: w.resourceType,
    resourceName: w.resourceName,
    patternType: w.patternType,
    principal: w.principal,
    host: w.host,
    operation: w.operation,
    permissionType: w.permissionType,
  };
}

function filterFromWire(w: AclBinding__Output): AclFilter {
  const b = bindingFromWire(w);
  return { ...b, resourceName: b.resourceName || null, principal: b.principal || null, host: b.host || null };
}

function aclResultsToWire(results: readonly AclResult[]): Out<'CreateAcls'> {
  return {
    errorCode: ErrorCode.NONE,
    results: results.map((r) => ({
      errorCode: r.errorCode,
      errorMessage: r.errorMessage ?? '',
      matched: r.matched.map((e): WireAclBinding => ({ ...e, id: uuidToBytes(e.id) })),
    })),
  };
}

function quotaEntityFromWire(parts: readonly { entityType: string; entityName?: string }[]): QuotaEntity[] {
  return parts.map((p) => ({
    entityType: p.entityType,
    entityName: typeof p.entityName === 'string' ? p.entityName : null,
  }));
}

function quotaEntityToWire(entity: readonly QuotaEntity[]): QuotaEntityPart[] {
  return entity.map((e) =>
    e.entityName === null ? { entityType: e.entityType } : { entityType: e.entityType, entityName: e.entityName },
  );
}

/** A resource's dynamic configs in the image, as a proto map. */
function configsOf(image: MetadataImage, resourceType: number, resourceName: string): Record<string, string> {
  return Object.fromEntries(image.configs.get(configResourceKey(resourceType, resourceName)) ?? []);
}

// ------------------------------------------------------------ brokers and topics

/** A registration's listeners as metadata records hold them. */
function endpointsFromWire(listeners: In<'RegisterBroker'>['listeners']): BrokerEndpoint[] {
  return listeners.map((l) => ({ name: l.name, host: l.host, port: l.port, securityProtocol: l.securityProtocol }));
}

async function registerBroker({ controller }: ServiceContext, w: In<'RegisterBroker'>): Promise<Out<'RegisterBroker'>> {
  const r = await controller.registerBroker({
    brokerId: w.brokerId,
    clusterId: w.clusterId,
    incarnationId: uuidFromBytes(w.incarnationId),
    listeners: endpointsFromWire(w.listeners),
    rack: w.rack === '' ? null : w.rack,
  });
  return { errorCode: r.errorCode, errorMessage: r.errorMessage ?? '', brokerEpoch: r.brokerEpoch };
}

async function registerController(
  { controller }: ServiceContext,
  w: In<'RegisterController'>,
): Promise<Out<'RegisterController'>> {
  const r = await controller.registerController({
    controllerId: w.controllerId,
    clusterId: w.clusterId,
    incarnationId: uuidFromBytes(w.incarnationId),
    listeners: endpointsFromWire(w.listeners),
  });
  return { errorCode: r.errorCode, errorMessage: r.errorMessage ?? '' };
}

async function brokerHeartbeat(
  { controller }: ServiceContext,
  w: In<'BrokerHeartbeat'>,
): Promise<Out<'BrokerHeartbeat'>> {
  const r = await controller.brokerHeartbeat({
    brokerId: w.brokerId,
    brokerEpoch: w.brokerEpoch,
    currentMetadataOffset: w.currentMetadataOffset,
    wantFence: w.wantFence,
    wantShutDown: w.wantShutDown,
  });
  return { ...r };
}

async function createTopics({ controller }: ServiceContext, w: In<'CreateTopics'>): Promise<Out<'CreateTopics'>> {
  const topics = w.topics.map((t) => ({
    name: t.name,
    numPartitions: t.numPartitions,
    replicationFactor: t.replicationFactor,
    assignments: t.assignments.map((a) => ({ partitionIndex: a.partitionIndex, brokerIds: a.brokerIds })),
    configs: new Map(Object.entries(t.configs)),
  }));
  return topicResultsToWire(await controller.createTopics(topics, w.validateOnly));
}

async function alterPartition({ controller }: ServiceContext, w: In<'AlterPartition'>): Promise<Out<'AlterPartition'>> {
  const r = await controller.alterPartition({
    brokerId: w.brokerId,
    brokerEpoch: w.brokerEpoch,
    partitions: w.partitions.map((p) => ({
      topicId: uuidFromBytes(p.topicId),
      partitionIndex: p.partitionIndex,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
      newIsr: p.newIsr,
    })),
  });
  return {
    errorCode: r.errorCode,
    partitions: r.partitions.map((p) => ({ ...p, isr: [...p.isr], topicId: uuidToBytes(p.topicId) })),
  };
}

async function describeTopics(ctx: ServiceContext, w: In<'DescribeTopics'>): Promise<Out<'DescribeTopics'>> {
  const image = w.requireActive ? await ctx.controller.readBarrier() : ctx.controller.image();
  const wanted = w.names.length > 0 ? w.names : [...image.topicsByName.keys()].sort();
  return {
    errorCode: ErrorCode.NONE,
    metadataOffset: ctx.metadataOffset(),
    imageDigest: imageDigest(image),
    controller: ctx.hint(),
    brokers: [...image.brokers.values()]
      .sort((a, b) => a.id - b.id)
      .map((b) => ({
        id: b.id,
        epoch: b.epoch,
        fenced: b.fenced,
        inControlledShutdown: b.inControlledShutdown,
        rack: b.rack ?? '',
      })),
    topics: wanted.map((name) => {
      const t = image.topicsByName.get(name);
      if (!t)
        return {
          name,
          topicId: Buffer.alloc(0),
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          configs: {},
          partitions: [],
        };
      return {
        name,
        topicId: uuidToBytes(t.id),
        errorCode: ErrorCode.NONE,
        configs: configsOf(image, ConfigResourceType.TOPIC, name),
        partitions: [...t.partitions.entries()]
          .sort(([a], [b]) => a - b)
          .map(([partition, p]) => ({
            partition,
            leader: p.leader,
            leaderEpoch: p.leaderEpoch,
            replicas: [...p.replicas],
            isr: [...p.isr],
          })),
      };
    }),
  };
}

// ------------------------------------------------------------ configs

async function incrementalAlterConfigs(
  { controller }: ServiceContext,
  w: In<'IncrementalAlterConfigs'>,
): Promise<Out<'IncrementalAlterConfigs'>> {
  const resources = w.resources.map((r) => ({
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    configs: r.configs.map((c) => ({ name: c.name, op: c.op, value: typeof c.value === 'string' ? c.value : null })),
  }));
  const results = await controller.incrementalAlterConfigs(resources, w.validateOnly);
  return { errorCode: ErrorCode.NONE, resources: results.map((r) => ({ ...r, errorMessage: r.errorMessage ?? '' })) };
}

async function describeConfigs(
  { controller }: ServiceContext,
  w: In<'DescribeConfigs'>,
): Promise<Out<'DescribeConfigs'>> {
  const image = w.requireActive ? await controller.readBarrier() : controller.image();
  return {
    errorCode: ErrorCode.NONE,
    resources: w.resources.map(({ resourceType, resourceName }) => {
      const unknownTopic = resourceType === ConfigResourceType.TOPIC && !image.topicsByName.has(resourceName);
      return {
        resourceType,
        resourceName,
        errorCode: unknownTopic ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NONE,
        errorMessage: unknownTopic ? `unknown topic ${resourceName}` : '',
        configs: configsOf(image, resourceType, resourceName),
      };
    }),
  };
}

// ------------------------------------------------------------ SCRAM and quotas

async function alterUserScramCredentials(
  { controller }: ServiceContext,
  w: In<'AlterUserScramCredentials'>,
): Promise<Out<'AlterUserScramCredentials'>> {
  const results = await controller.alterUserScramCredentials(
    w.deletions.map((d) => ({ name: d.name, mechanism: d.mechanism })),
    w.upsertions.map((u) => ({
      name: u.name,
      mechanism: u.mechanism,
      iterations: u.iterations,
      salt: u.salt,
      saltedPassword: u.saltedPassword,
    })),
  );
  return { errorCode: ErrorCode.NONE, results: results.map((r) => ({ ...r, errorMessage: r.errorMessage ?? '' })) };
}

function describeUserScramCredentialsAnswer(
  { controller }: ServiceContext,
  w: In<'DescribeUserScramCredentials'>,
): Out<'DescribeUserScramCredentials'> {
  const results = describeUserScramCredentials(controller.image(), w.users);
  return {
    errorCode: ErrorCode.NONE,
    results: results.map((r) => ({
      user: r.user,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage ?? '',
      credentials: r.credentials.map((c) => ({ name: r.user, ...c })),
    })),
  };
}

async function alterClientQuotas(
  { controller }: ServiceContext,
  w: In<'AlterClientQuotas'>,
): Promise<Out<'AlterClientQuotas'>> {
  const results = await controller.alterClientQuotas(
    w.entries.map((e) => ({
      entity: quotaEntityFromWire(e.entity),
      ops: e.values.map((v) => ({ key: v.key, value: v.value, remove: v.remove })),
    })),
    w.validateOnly,
  );
  return {
    errorCode: ErrorCode.NONE,
    entries: results.map((r) => ({
      entity: quotaEntityToWire(r.entity),
      errorCode: r.errorCode,
      errorMessage: r.errorMessage ?? '',
    })),
  };
}

function describeClientQuotasAnswer(
  { controller }: ServiceContext,
  w: In<'DescribeClientQuotas'>,
): Out<'DescribeClientQuotas'> {
  const r = describeClientQuotas(
    controller.image(),
    w.components.map((c) => ({ entityType: c.entityType, matchType: c.matchType, match: c.match || null })),
    w.strict,
  );
  return {
    errorCode: r.errorCode,
    errorMessage: r.errorMessage ?? '',
    entries: r.entries.map((e) => ({
      entity: quotaEntityToWire(e.entity),
      values: [...e.values].map(([key, value]) => ({ key, value })),
    })),
  };
}

// ------------------------------------------------------------ features, migration, reassignments

async function updateFeatures({ controller }: ServiceContext, w: In<'UpdateFeatures'>): Promise<Out<'UpdateFeatures'>> {
  const results = await controller.updateFeatures(
    w.updates.map((u) => ({ feature: u.feature, maxVersionLevel: u.maxVersionLevel, upgradeType: u.upgradeType })),
    w.validateOnly,
  );
  return { errorCode: ErrorCode.NONE, results: results.map((r) => ({ ...r, errorMessage: r.errorMessage ?? '' })) };
}

async function importMigration(
  { controller }: ServiceContext,
  w: In<'ImportMigration'>,
): Promise<Out<'ImportMigration'>> {
  let encoded: Uint8Array[];
  try {
    encoded = splitRecordFrames(w.records, w.recordCount);
  } catch (err) {
    if (!(err instanceof RecordFrameError)) throw err;
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: err.message };
  }
  const r = await controller.importMigration(w.zkClusterId, encoded);
  return { ...r, conflicts: [...r.conflicts], notes: [...r.notes], errorMessage: r.errorMessage ?? '' };
}

async function describeMetadataImage(ctx: ServiceContext): Promise<Out<'DescribeMetadataImage'>> {
  const image = ctx.controller.activeImage();
  const offset = ctx.metadataOffset();
  const { frames, count } = await encodeRecordFramesAsync(imageRecords(image), 1000);
  return { errorCode: ErrorCode.NONE, records: frames, recordCount: count, metadataOffset: offset };
}

async function alterPartitionReassignments(
  { controller }: ServiceContext,
  w: In<'AlterPartitionReassignments'>,
): Promise<Out<'AlterPartitionReassignments'>> {
  const items = w.items.map((i) => ({
    topic: i.topic,
    partition: i.partition,
    replicas: i.cancel ? null : i.replicas.map(Number),
    keepReplicationFactor: i.keepReplicationFactor,
  }));
  const results = await controller.alterPartitionReassignments(items);
  return {
    errorCode: ErrorCode.NONE,
    items: results.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage ?? '',
    })),
  };
}

function listPartitionReassignmentsAnswer(
  { controller }: ServiceContext,
  w: In<'ListPartitionReassignments'>,
): Out<'ListPartitionReassignments'> {
  const filters = w.items;
  const wanted = filters.length === 0 ? null : new Map<string, number[]>();
  for (const f of filters) wanted?.set(f.topic, [...(wanted.get(f.topic) ?? []), f.partition]);
  const listing = listPartitionReassignments(controller.image(), wanted);
  return {
    errorCode: ErrorCode.NONE,
    items: listing.map((r) => ({
      ...r,
      replicas: [...r.replicas],
      addingReplicas: [...r.addingReplicas],
      removingReplicas: [...r.removingReplicas],
      errorCode: 0,
      errorMessage: '',
    })),
  };
}

// ------------------------------------------------------------ the service

function handlersFor(ctx: ServiceContext): ControllerHandlers {
  const { controller } = ctx;
  return {
    RegisterBroker: (w) => registerBroker(ctx, w),
    BrokerHeartbeat: (w) => brokerHeartbeat(ctx, w),
    RegisterController: (w) => registerController(ctx, w),
    CreateTopics: (w) => createTopics(ctx, w),
    DeleteTopics: async (w) =>
      topicResultsToWire(await controller.deleteTopics(w.names.map((name) => ({ name, topicId: null })))),
    CreatePartitions: async (w) =>
      topicResultsToWire(
        await controller.createPartitions(
          w.topics.map((t) => ({ name: t.name, count: t.count, assignments: t.assignments.map((a) => a.brokerIds) })),
          w.validateOnly,
        ),
      ),
    AlterPartition: (w) => alterPartition(ctx, w),
    IncrementalAlterConfigs: (w) => incrementalAlterConfigs(ctx, w),
    DescribeConfigs: (w) => describeConfigs(ctx, w),
    AllocateProducerIds: async (w) => ({ ...(await controller.allocateProducerIds(w.brokerId, w.brokerEpoch)) }),
    CreateAcls: async (w) => aclResultsToWire(await controller.createAcls(w.acls.map(bindingFromWire))),
    DeleteAcls: async (w) => aclResultsToWire(await controller.deleteAcls(w.acls.map(filterFromWire))),
    DescribeAcls: async (w) => {
      const image = controller.image();
      return aclResultsToWire(
        w.acls.map((f) => ({
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          matched: describeAcls(image, filterFromWire(f)),
        })),
      );
    },
    AlterUserScramCredentials: (w) => alterUserScramCredentials(ctx, w),
    DescribeUserScramCredentials: async (w) => describeUserScramCredentialsAnswer(ctx, w),
    AlterClientQuotas: (w) => alterClientQuotas(ctx, w),
    DescribeClientQuotas: async (w) => describeClientQuotasAnswer(ctx, w),
    UpdateFeatures: (w) => updateFeatures(ctx, w),
    DescribeFeatures: async () => ({
      errorCode: ErrorCode.NONE,
      results: describeFeatures(controller.image()).map((f) => ({
        feature: f.name,
        supportedMin: f.supportedMin,
        supportedMax: f.supportedMax,
        finalizedLevel: f.finalizedLevel,
      })),
    }),
    ImportMigration: (w) => importMigration(ctx, w),
    DescribeMetadataImage: () => describeMetadataImage(ctx),
    AlterPartitionReassignments: (w) => alterPartitionReassignments(ctx, w),
    ListPartitionReassignments: async (w) => listPartitionReassignmentsAnswer(ctx, w),
    DescribeTopics: (w) => describeTopics(ctx, w),
    ElectLeaders: async (w) => ({
      errorCode: ErrorCode.NONE,
      results: (await controller.electLeaders(w.electionType, w.allPartitions ? null : w.partitions)).map((r) => ({
        ...r,
        errorMessage: r.errorMessage ?? '',
      })),
    }),
  };
}

export function controllerServiceFor(
  controller: QuorumController,
  voterEndpoints: ReadonlyMap<number, Endpoint>,
  metadataOffset: () => number,
): RpcService {
  const hint = (): ControllerHint => {
    const leaderId = controller.leaderId();
    const ep = voterEndpoints.get(leaderId);
    return { leaderId, leaderHost: ep?.host ?? '', leaderPort: ep?.port ?? 0 };
  };
  // A standby refuses with NOT_CONTROLLER and names the active controller (an active one that lost
  // its leadership during the call says so); any other failure is INTERNAL.
  const notController = (err: unknown): Out<ControllerMethod> | null =>
    err instanceof NotControllerError
      ? { errorCode: ErrorCode.NOT_CONTROLLER, controller: { ...hint(), lostLeadership: err.lostLeadership } }
      : null;
  return serviceImplementation(controllerService(), handlersFor({ controller, hint, metadataOffset }), {
    status: grpc.status.INTERNAL,
    answer: notController,
  });
}
