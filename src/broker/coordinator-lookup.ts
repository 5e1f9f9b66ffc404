// FindCoordinator (key 10) for both kinds of coordinator Kafka has: key type 0 (a consumer group,
// served by the leader of its `__consumer_offsets` partition) and key type 1 (a transactional id,
// served by the leader of its `__transaction_state` partition). The internal topic is created on
// first use, as Kafka does, with its configured partition count, replication factor (capped at
// the live brokers) and compaction.
import { ErrorCode } from '../common/errors.js';
import type { MetadataImage } from '../metadata/image.js';
import {
  findCoordinatorApi,
  type FindCoordinatorRequest,
  type FindCoordinatorResponseInput,
} from '../protocol/messages/find-coordinator.js';
import { CoordinatorKeyType } from '../protocol/txn-types.js';
import type { BrokerApiContext, KafkaApiRegistry, RequestContext } from './api-context.js';
import { authorizationErrorFor, authorizationMessageFor, type RequestAuthorization } from './authorization.js';
import { AclOperation, AclResourceType } from '../protocol/acl-types.js';

/** One internal topic that coordinators live on, and how a key maps to its partition. */
export interface CoordinatorTopic {
  readonly name: string;
  readonly partitions: number;
  /** The configured replication factor; capped at the live brokers when the topic is created. */
  readonly replicationFactor: number;
  readonly configs: Readonly<Record<string, string>>;
  /** What the key is called in errors ("group id", "transactional id"). */
  readonly keyName: string;
  partitionFor(key: string): number;
}

/** Creates an internal topic once, however many lookups ask at the same time. */
export class InternalTopicCreator {
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly ctx: BrokerApiContext,
    private readonly topic: CoordinatorTopic,
  ) {}

  ensure(img: MetadataImage): void {
    const t = this.topic;
    if (img.topicsByName.has(t.name) || this.inFlight) return;
    const live = [...img.brokers.values()].filter((b) => !b.fenced).length;
    const replicationFactor = Math.max(1, Math.min(t.replicationFactor, live));
    const log = this.ctx.logger;
    this.inFlight = this.ctx.controller
      .createTopics(
        {
          topics: [{ name: t.name, numPartitions: t.partitions, replicationFactor, configs: { ...t.configs } }],
        },
        { timeoutMs: 10_000 },
      )
      .then((res) => {
        const r = res.topics[0];
        const code = r?.errorCode ?? 0;
        if (code === ErrorCode.NONE) log.info({ partitions: t.partitions, replicationFactor }, `created ${t.name}`);
        else if (code !== ErrorCode.TOPIC_ALREADY_EXISTS)
          log.warn({ code, message: r?.errorMessage }, `could not create ${t.name}`);
      })
      .catch((err: unknown) =>
        log.warn({ err: err instanceof Error ? err.message : String(err) }, `could not create ${t.name}`),
      )
      .finally(() => {
        this.inFlight = null;
      });
  }
}

interface Lookup {
  readonly topic: CoordinatorTopic;
  readonly creator: InternalTopicCreator;
  /** What a key names, for ACLs: a group or a transactional id (DESCRIBE on it finds its coordinator). */
  readonly resourceType: number;
}

type CoordinatorAnswer = {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
};

/** Registers FindCoordinator for the coordinators this broker runs (by key type). */
export function registerFindCoordinator(
  apis: KafkaApiRegistry,
  ctx: BrokerApiContext,
  topics: { readonly group?: CoordinatorTopic; readonly transaction?: CoordinatorTopic },
): void {
  const lookups = new Map<number, Lookup>();
  if (topics.group)
    lookups.set(CoordinatorKeyType.GROUP, {
      topic: topics.group,
      creator: new InternalTopicCreator(ctx, topics.group),
      resourceType: AclResourceType.GROUP,
    });
  if (topics.transaction)
    lookups.set(CoordinatorKeyType.TRANSACTION, {
      topic: topics.transaction,
      creator: new InternalTopicCreator(ctx, topics.transaction),
      resourceType: AclResourceType.TRANSACTIONAL_ID,
    });
  apis.register(findCoordinatorApi, (r, rc, az) => findCoordinator(ctx, lookups, r, rc, az));
}

function coordinatorFor(
  ctx: BrokerApiContext,
  lookup: Lookup | undefined,
  key: string,
  rc: RequestContext,
  az: RequestAuthorization,
): CoordinatorAnswer {
  const fail = (errorCode: number, errorMessage: string) => ({
    key,
    nodeId: -1,
    host: '',
    port: -1,
    errorCode,
    errorMessage,
  });
  if (!lookup) return fail(ErrorCode.INVALID_REQUEST, 'unknown coordinator key type');
  if (!az.allows(lookup.resourceType, AclOperation.DESCRIBE, key))
    return fail(authorizationErrorFor(lookup.resourceType), authorizationMessageFor(lookup.resourceType));
  const { topic: spec, creator } = lookup;
  if (key === '') return fail(ErrorCode.INVALID_REQUEST, `empty ${spec.keyName}`);
  const img = ctx.replicas.currentImage();
  if (!img) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'no metadata yet');
  const topic = img.topicsByName.get(spec.name);
  if (!topic) {
    creator.ensure(img);
    return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${spec.name} is being created`);
  }
  const leader = topic.partitions.get(spec.partitionFor(key))?.leader ?? -1;
  const ep = leader >= 0 ? img.brokers.get(leader)?.endpoints.find((e) => e.name === rc.listenerName) : undefined;
  if (!ep) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, `the ${spec.name} partition has no leader`);
  return { key, nodeId: leader, host: ep.host, port: ep.port, errorCode: ErrorCode.NONE, errorMessage: null };
}

function findCoordinator(
  ctx: BrokerApiContext,
  lookups: ReadonlyMap<number, Lookup>,
  req: FindCoordinatorRequest,
  rc: RequestContext,
  az: RequestAuthorization,
): FindCoordinatorResponseInput {
  const version = rc.header.apiVersion;
  const lookup = lookups.get(req.keyType);
  if (version >= 4) {
    const keys = req.coordinatorKeys ?? [];
    return { throttleTimeMs: 0, coordinators: keys.map((k) => coordinatorFor(ctx, lookup, k, rc, az)) };
  }
  const a = coordinatorFor(ctx, lookup, req.key ?? '', rc, az);
  return {
    throttleTimeMs: 0,
    errorCode: a.errorCode,
    errorMessage: a.errorMessage,
    nodeId: a.nodeId,
    host: a.host,
    port: a.port,
  };
}
