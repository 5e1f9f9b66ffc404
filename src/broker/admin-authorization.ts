// The ACL rules of the admin APIs (Kafka's KafkaApis/ControllerApis): each function takes the
// decoded request, runs the unguarded handler of admin-apis.ts on the part the principal may act
// on, and answers the rest with the authorization error of its resource. A denied item never
// reaches the controller or a log. Who calls: registerAdminApis (admin-apis.ts).
import { ErrorCode } from '../common/errors.js';
import { AclOperation, AclResourceType } from '../protocol/acl-types.js';
import type { CreatePartitionsRequest } from '../protocol/messages/create-partitions.js';
import type { CreateTopicsRequest, CreateTopicsResponseInput } from '../protocol/messages/create-topics.js';
import type { DeleteRecordsRequest, DeleteRecordsResponseInput } from '../protocol/messages/delete-records.js';
import type { OffsetForLeaderEpochRequest } from '../protocol/messages/offset-for-leader-epoch.js';
import {
  actOnAllowed,
  authorizationErrorFor,
  authorizationMessageFor,
  clusterResourceName,
  type RequestAuthorization,
} from './authorization.js';

type Handler<Req, Res> = (req: Req) => Promise<Res> | Res;

const topicDenied = {
  errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  errorMessage: authorizationMessageFor(AclResourceType.TOPIC),
} as const;

/** Config resource types (DescribeConfigs/AlterConfigs) as Kafka authorizes them. */
const configResourceTypes = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const;

/** The ACL resource a config resource is checked on, or null for a type the handler refuses anyway. */
function configAclResource(type: number, name: string): { resourceType: number; name: string } | null {
  switch (type) {
    case configResourceTypes.TOPIC:
      return { resourceType: AclResourceType.TOPIC, name };
    case configResourceTypes.GROUP:
      return { resourceType: AclResourceType.GROUP, name };
    case configResourceTypes.BROKER:
    case configResourceTypes.BROKER_LOGGER:
    case configResourceTypes.CLIENT_METRICS:
      return { resourceType: AclResourceType.CLUSTER, name: clusterResourceName };
    default:
      return null;
  }
}

/**
 * Config resources (DescribeConfigs: DESCRIBE_CONFIGS, AlterConfigs and IncrementalAlterConfigs:
 * ALTER_CONFIGS) on their topic, group or the cluster; a denied one is answered with its error.
 */
export function authorizeConfigResources<
  Item extends { resourceType: number; resourceName: string },
  Req extends { resources: readonly Item[] },
  Answer,
>(
  az: RequestAuthorization,
  operation: number,
  req: Req,
  handle: (req: Req) => Promise<readonly Answer[]> | readonly Answer[],
  denied: (item: Item, errorCode: number, errorMessage: string) => Answer,
): Promise<Answer[]> {
  return actOnAllowed(
    req.resources,
    (r) => {
      const on = configAclResource(r.resourceType, r.resourceName);
      return on === null || az.allows(on.resourceType, operation, on.name);
    },
    (resources) => handle({ ...req, resources }),
    (r) => {
      const type = configAclResource(r.resourceType, r.resourceName)!.resourceType;
      return denied(r, authorizationErrorFor(type), authorizationMessageFor(type));
    },
  );
}

/** CreateTopics: CREATE on the cluster, else CREATE on each topic. */
export async function authorizeCreateTopics(
  az: RequestAuthorization,
  req: CreateTopicsRequest,
  handle: Handler<CreateTopicsRequest, CreateTopicsResponseInput>,
): Promise<CreateTopicsResponseInput> {
  const clusterWide = az.cluster(AclOperation.CREATE, true);
  const topics = await actOnAllowed(
    req.topics,
    (t) => clusterWide || az.topic(AclOperation.CREATE, t.name),
    async (allowed) => (await handle({ ...req, topics: [...allowed] })).topics,
    (t) => ({ name: t.name, ...topicDenied, numPartitions: -1, replicationFactor: -1, configs: null }),
  );
  return { topics };
}

/** Topic-shaped requests checked per topic (CreatePartitions ALTER, DeleteTopics DELETE); `exempt` items skip the check. */
export function authorizeTopics<T, Answer>(
  az: RequestAuthorization,
  operation: number,
  topics: readonly T[],
  nameOf: (t: T) => string,
  handle: (allowed: readonly T[]) => Promise<readonly Answer[]> | readonly Answer[],
  denied: (t: T) => Answer,
  exempt: (t: T) => boolean = () => false,
): Promise<Answer[]> {
  return actOnAllowed(topics, (t) => exempt(t) || az.topic(operation, nameOf(t)), handle, denied);
}

/** CreatePartitions: ALTER on each topic. */
export function authorizeCreatePartitions<Answer>(
  az: RequestAuthorization,
  req: CreatePartitionsRequest,
  handle: (req: CreatePartitionsRequest) => Promise<readonly Answer[]>,
  denied: (name: string) => Answer,
): Promise<Answer[]> {
  return authorizeTopics(
    az,
    AclOperation.ALTER,
    req.topics,
    (t) => t.name,
    (topics) => handle({ ...req, topics: [...topics] }),
    (t) => denied(t.name),
  );
}

/** DeleteRecords: DELETE on each topic; a denied topic's partitions keep their records. */
export async function authorizeDeleteRecords(
  az: RequestAuthorization,
  req: DeleteRecordsRequest,
  handle: Handler<DeleteRecordsRequest, DeleteRecordsResponseInput>,
): Promise<DeleteRecordsResponseInput> {
  const topics = await authorizeTopics(
    az,
    AclOperation.DELETE,
    req.topics,
    (t) => t.name,
    async (allowed) => (await handle({ ...req, topics: [...allowed] })).topics,
    (t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        lowWatermark: -1,
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      })),
    }),
  );
  return { topics };
}

/** OffsetForLeaderEpoch: CLUSTER_ACTION (a replica), else DESCRIBE on each topic (a client). */
export function authorizeOffsetForLeaderEpoch<Answer>(
  az: RequestAuthorization,
  req: OffsetForLeaderEpochRequest,
  handle: (req: OffsetForLeaderEpochRequest) => readonly Answer[],
  denied: (t: OffsetForLeaderEpochRequest['topics'][number]) => Answer,
): Promise<Answer[]> {
  if (az.cluster(AclOperation.CLUSTER_ACTION, true)) return Promise.resolve([...handle(req)]);
  return authorizeTopics(
    az,
    AclOperation.DESCRIBE,
    req.topics,
    (t) => t.topic,
    (topics) => handle({ ...req, topics: [...topics] }),
    denied,
  );
}
