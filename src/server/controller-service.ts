// The gRPC face of the QuorumController (proto/controller.proto): converts wire messages to the
// managers' requests and back. A standby answers writes with NOT_CONTROLLER and the active
// controller's address; DescribeTopics is answered by any controller from its committed image,
// DescribeMetadataImage (migrate verify) only by the active one.
import type * as grpc from '@grpc/grpc-js';
import { ErrorCode } from '../common/errors.js';
import type { Endpoint } from '../common/node-config.js';
import { controllerService } from '../client/controller-client.js';
import { NotControllerError, type QuorumController } from '../controller/quorum-controller.js';
import type { TopicResult } from '../controller/replication-control.js';
import { describeAcls, type AclBinding, type AclFilter, type AclResult } from '../controller/acl-control.js';
import { describeFeatures } from '../controller/feature-control.js';
import { listPartitionReassignments } from '../controller/reassignment-control.js';
import { describeClientQuotas } from '../controller/quota-control.js';
import { describeUserScramCredentials } from '../controller/scram-control.js';
import { configResourceKey } from '../metadata/image.js';
import type { QuotaEntity } from '../metadata/records.js';
import { imageDigest, imageRecords } from '../metadata/image-records.js';
import { encodeRecordFramesAsync, RecordFrameError, splitRecordFrames } from '../metadata/record-frames.js';
import { ConfigResourceType } from '../metadata/records.js';
import { uuidFromBytes, uuidToBytes } from '../common/uuid.js';
import type { ExtraService } from '../raft/driver/grpc-transport.js';
import type { WireMessage } from '../raft/driver/raft-wire.js';

type Handler = (request: WireMessage) => Promise<WireMessage>;

const list = (v: unknown): WireMessage[] => (Array.isArray(v) ? (v as WireMessage[]) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => Number(v ?? 0);

function topicResultsToWire(results: readonly TopicResult[]): WireMessage {
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

function bindingFromWire(w: WireMessage): AclBinding {
  return {
    resourceType: num(w['resourceType']),
    resourceName: str(w['resourceName']),
    patternType: num(w['patternType']),
    principal: str(w['principal']),
    host: str(w['host']),
    operation: num(w['operation']),
    permissionType: num(w['permissionType']),
  };
}

function filterFromWire(w: WireMessage): AclFilter {
  const b = bindingFromWire(w);
  return { ...b, resourceName: b.resourceName || null, principal: b.principal || null, host: b.host || null };
}

function aclResultsToWire(results: readonly AclResult[]): WireMessage {
  return {
    errorCode: ErrorCode.NONE,
    results: results.map((r) => ({ errorCode: r.errorCode, errorMessage: r.errorMessage ?? '', matched: r.matched.map((e) => ({ ...e, id: uuidToBytes(e.id) })) })),
  };
}

function quotaEntityFromWire(parts: WireMessage[]): QuotaEntity[] {
  return parts.map((p) => ({ entityType: str(p['entityType']), entityName: typeof p['entityName'] === 'string' ? p['entityName'] : null }));
}

function quotaEntityToWire(entity: readonly QuotaEntity[]): WireMessage[] {
  return entity.map((e) => (e.entityName === null ? { entityType: e.entityType } : { entityType: e.entityType, entityName: e.entityName }));
}

const bytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : new Uint8Array(0));

export function controllerServiceFor(controller: QuorumController, voterEndpoints: ReadonlyMap<number, Endpoint>, metadataOffset: () => number): ExtraService {
  const hint = (): WireMessage => {
    const leaderId = controller.leaderId();
    const ep = voterEndpoints.get(leaderId);
    return { leaderId, leaderHost: ep?.host ?? '', leaderPort: ep?.port ?? 0 };
  };
  const notController = (): WireMessage => ({ errorCode: ErrorCode.NOT_CONTROLLER, controller: hint() });

  const handlers: Record<string, Handler> = {
    RegisterBroker: async (w) => {
      const r = await controller.registerBroker({
        brokerId: num(w['brokerId']),
        clusterId: str(w['clusterId']),
        incarnationId: uuidFromBytes(w['incarnationId'] as Uint8Array),
        listeners: list(w['listeners']).map((l) => ({ name: str(l['name']), host: str(l['host']), port: num(l['port']), securityProtocol: str(l['securityProtocol']) })),
        rack: str(w['rack']) === '' ? null : str(w['rack']),
      });
      return { errorCode: r.errorCode, errorMessage: r.errorMessage ?? '', brokerEpoch: r.brokerEpoch };
    },
    BrokerHeartbeat: async (w) => {
      const r = await controller.brokerHeartbeat({
        brokerId: num(w['brokerId']),
        brokerEpoch: num(w['brokerEpoch']),
        currentMetadataOffset: num(w['currentMetadataOffset']),
        wantFence: Boolean(w['wantFence']),
        wantShutDown: Boolean(w['wantShutDown']),
      });
      return { ...r };
    },
    CreateTopics: async (w) => {
      const topics = list(w['topics']).map((t) => ({
        name: str(t['name']),
        numPartitions: num(t['numPartitions']),
        replicationFactor: num(t['replicationFactor']),
        assignments: [],
        configs: new Map(Object.entries((t['configs'] ?? {}) as Record<string, string>)),
      }));
      return topicResultsToWire(await controller.createTopics(topics, Boolean(w['validateOnly'])));
    },
    DeleteTopics: async (w) => {
      const names = Array.isArray(w['names']) ? (w['names'] as string[]) : [];
      return topicResultsToWire(await controller.deleteTopics(names.map((name) => ({ name, topicId: null }))));
    },
    CreatePartitions: async (w) => {
      const incs = list(w['topics']).map((t) => ({ name: str(t['name']), count: num(t['count']) }));
      return topicResultsToWire(await controller.createPartitions(incs, Boolean(w['validateOnly'])));
    },
    AlterPartition: async (w) => {
      const r = await controller.alterPartition({
        brokerId: num(w['brokerId']),
        brokerEpoch: num(w['brokerEpoch']),
        partitions: list(w['partitions']).map((p) => ({
          topicId: uuidFromBytes(p['topicId'] as Uint8Array),
          partitionIndex: num(p['partitionIndex']),
          leaderEpoch: num(p['leaderEpoch']),
          partitionEpoch: num(p['partitionEpoch']),
          newIsr: Array.isArray(p['newIsr']) ? (p['newIsr'] as number[]) : [],
        })),
      });
      return { errorCode: r.errorCode, partitions: r.partitions.map((p) => ({ ...p, topicId: uuidToBytes(p.topicId) })) };
    },
    IncrementalAlterConfigs: async (w) => {
      const resources = list(w['resources']).map((r) => ({
        resourceType: num(r['resourceType']),
        resourceName: str(r['resourceName']),
        configs: list(r['configs']).map((c) => ({ name: str(c['name']), op: num(c['op']), value: typeof c['value'] === 'string' ? c['value'] : null })),
      }));
      const results = await controller.incrementalAlterConfigs(resources, Boolean(w['validateOnly']));
      return { errorCode: ErrorCode.NONE, resources: results.map((r) => ({ ...r, errorMessage: r.errorMessage ?? '' })) };
    },
    DescribeConfigs: async (w) => {
      const image = w['requireActive'] ? await controller.readBarrier() : controller.image();
      return {
        errorCode: ErrorCode.NONE,
        resources: list(w['resources']).map((r) => {
          const resourceType = num(r['resourceType']);
          const resourceName = str(r['resourceName']);
          const unknownTopic = resourceType === ConfigResourceType.TOPIC && !image.topicsByName.has(resourceName);
          return {
            resourceType,
            resourceName,
            errorCode: unknownTopic ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NONE,
            errorMessage: unknownTopic ? `unknown topic ${resourceName}` : '',
            configs: Object.fromEntries(image.configs.get(configResourceKey(resourceType, resourceName)) ?? []),
          };
        }),
      };
    },
    AllocateProducerIds: async (w) => ({ ...(await controller.allocateProducerIds(num(w['brokerId']), num(w['brokerEpoch']))) }),
    CreateAcls: async (w) => aclResultsToWire(await controller.createAcls(list(w['acls']).map(bindingFromWire))),
    DeleteAcls: async (w) => aclResultsToWire(await controller.deleteAcls(list(w['acls']).map(filterFromWire))),
    DescribeAcls: async (w) => {
      const image = controller.image();
      return aclResultsToWire(list(w['acls']).map((f) => ({ errorCode: ErrorCode.NONE, errorMessage: null, matched: describeAcls(image, filterFromWire(f)) })));
    },
    AlterUserScramCredentials: async (w) => {
      const results = await controller.alterUserScramCredentials(
        list(w['deletions']).map((d) => ({ name: str(d['name']), mechanism: num(d['mechanism']) })),
        list(w['upsertions']).map((u) => ({ name: str(u['name']), mechanism: num(u['mechanism']), iterations: num(u['iterations']), salt: bytes(u['salt']), saltedPassword: bytes(u['saltedPassword']) })),
      );
      return { errorCode: ErrorCode.NONE, results: results.map((r) => ({ ...r, errorMessage: r.errorMessage ?? '' })) };
    },
    DescribeUserScramCredentials: async (w) => {
      const users = Array.isArray(w['users']) ? (w['users'] as string[]) : [];
      const results = describeUserScramCredentials(controller.image(), users);
      return { errorCode: ErrorCode.NONE, results: results.map((r) => ({ user: r.user, errorCode: r.errorCode, errorMessage: r.errorMessage ?? '', credentials: r.credentials.map((c) => ({ name: r.user, ...c })) })) };
    },
    AlterClientQuotas: async (w) => {
      const results = await controller.alterClientQuotas(
        list(w['entries']).map((e) => ({
          entity: quotaEntityFromWire(list(e['entity'])),
          ops: list(e['values']).map((v) => ({ key: str(v['key']), value: num(v['value']), remove: Boolean(v['remove']) })),
        })),
        Boolean(w['validateOnly']),
      );
      return { errorCode: ErrorCode.NONE, entries: results.map((r) => ({ entity: quotaEntityToWire(r.entity), errorCode: r.errorCode, errorMessage: r.errorMessage ?? '' })) };
    },
    DescribeClientQuotas: async (w) => {
      const r = describeClientQuotas(
        controller.image(),
        list(w['components']).map((c) => ({ entityType: str(c['entityType']), matchType: num(c['matchType']), match: str(c['match']) || null })),
        Boolean(w['strict']),
      );
      return {
        errorCode: r.errorCode,
        errorMessage: r.errorMessage ?? '',
        entries: r.entries.map((e) => ({ entity: quotaEntityToWire(e.entity), values: [...e.values].map(([key, value]) => ({ key, value })) })),
      };
    },
    UpdateFeatures: async (w) => {
      const results = await controller.updateFeatures(
        list(w['updates']).map((u) => ({ feature: str(u['feature']), maxVersionLevel: num(u['maxVersionLevel']), upgradeType: num(u['upgradeType']) })),
        Boolean(w['validateOnly']),
      );
      return { errorCode: ErrorCode.NONE, results: results.map((r) => ({ ...r, errorMessage: r.errorMessage ?? '' })) };
    },
    DescribeFeatures: async () => ({ errorCode: ErrorCode.NONE, results: describeFeatures(controller.image()).map((f) => ({ feature: f.name, supportedMin: f.supportedMin, supportedMax: f.supportedMax, finalizedLevel: f.finalizedLevel })) }),
    ImportMigration: async (w) => {
      let encoded: Uint8Array[];
      try {
        encoded = splitRecordFrames(bytes(w['records']), num(w['recordCount']));
      } catch (err) {
        if (!(err instanceof RecordFrameError)) throw err;
        return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: err.message };
      }
      const r = await controller.importMigration(str(w['zkClusterId']), encoded);
      return { ...r, errorMessage: r.errorMessage ?? '' };
    },
    DescribeMetadataImage: async () => {
      const image = controller.activeImage();
      const offset = metadataOffset();
      const { frames, count } = await encodeRecordFramesAsync(imageRecords(image), 1000);
      return { errorCode: ErrorCode.NONE, records: frames, recordCount: count, metadataOffset: offset };
    },
    AlterPartitionReassignments: async (w) => {
      const items = list(w['items']).map((i) => ({ topic: str(i['topic']), partition: num(i['partition']), replicas: i['cancel'] ? null : Array.isArray(i['replicas']) ? (i['replicas'] as number[]).map(Number) : [] }));
      const results = await controller.alterPartitionReassignments(items);
      return { errorCode: ErrorCode.NONE, items: results.map((r) => ({ topic: r.topic, partition: r.partition, errorCode: r.errorCode, errorMessage: r.errorMessage ?? '' })) };
    },
    ListPartitionReassignments: async (w) => {
      const filters = list(w['items']);
      const wanted = filters.length === 0 ? null : new Map<string, number[]>();
      for (const f of filters) wanted?.set(str(f['topic']), [...(wanted.get(str(f['topic'])) ?? []), num(f['partition'])]);
      return { errorCode: ErrorCode.NONE, items: listPartitionReassignments(controller.image(), wanted).map((r) => ({ ...r, errorCode: 0, errorMessage: '' })) };
    },
    DescribeTopics: async (w) => {
      const image = w['requireActive'] ? await controller.readBarrier() : controller.image();
      const names = Array.isArray(w['names']) ? (w['names'] as string[]) : [];
      const wanted = names.length > 0 ? names : [...image.topicsByName.keys()].sort();
      return {
        errorCode: ErrorCode.NONE,
        metadataOffset: metadataOffset(),
        imageDigest: imageDigest(image),
        controller: hint(),
        brokers: [...image.brokers.values()].sort((a, b) => a.id - b.id).map((b) => ({ id: b.id, epoch: b.epoch, fenced: b.fenced, inControlledShutdown: b.inControlledShutdown, rack: b.rack ?? '' })),
        topics: wanted.map((name) => {
          const t = image.topicsByName.get(name);
          if (!t) return { name, topicId: Buffer.alloc(0), errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, configs: {}, partitions: [] };
          return {
            name,
            topicId: uuidToBytes(t.id),
            errorCode: ErrorCode.NONE,
            configs: Object.fromEntries(image.configs.get(configResourceKey(ConfigResourceType.TOPIC, name)) ?? []),
            partitions: [...t.partitions.entries()].sort(([a], [b]) => a - b).map(([partition, p]) => ({ partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr })),
          };
        }),
      };
    },
  };

  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [method, handler] of Object.entries(handlers)) {
    implementation[method] = ((call: grpc.ServerUnaryCall<WireMessage, WireMessage>, callback: grpc.sendUnaryData<WireMessage>) => {
      handler(call.request).then(
        (res) => callback(null, res),
        (err: unknown) => {
          if (err instanceof NotControllerError) callback(null, notController());
          else callback({ code: 13, details: err instanceof Error ? err.message : String(err) });
        },
      );
    }) as grpc.handleUnaryCall<WireMessage, WireMessage>;
  }
  return { service: controllerService().service, implementation };
}
