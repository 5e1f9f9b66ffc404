// The ACL rules of the admin APIs (Kafka's KafkaApis/ControllerApis): each function takes the
// decoded request, runs the unguarded handler of admin-apis.ts on the part the principal may act
// on, and answers the rest with the authorization error of its resource. A denied item never
// reaches the controller or a log. Who calls: registerAdminApis (admin-apis.ts).
import { ErrorCode } from '../common/errors.js';
import { AclOperation, AclResourceType } from '../protocol/acl-types.js';
import type { CreateTopicsRequest, CreateTopicsResponseInput } from '../protocol/messages/create-topics.js';
import {
  actOnAllowed,
  authorizationErrorFor,
  authorizationMessageFor,
  clusterResourceName,
  type RequestAuthorization,
} from './authorization.js';

/** A refused topic's error and message. */
export const topicDenied = {
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

/**
 * A request with a `topics` list checked per topic: `handle` sees the request with the allowed
 * topics only (its answers in their order), each refused one is answered `denied(topic)`, and
 * `exempt` topics skip the check.
 */
export function authorizeTopicList<Req extends { readonly topics: readonly unknown[] }, Answer>(
  az: RequestAuthorization,
  operation: number,
  req: Req,
  nameOf: (t: Req['topics'][number]) => string,
  handle: (req: Req) => Promise<readonly Answer[]> | readonly Answer[],
  denied: (t: Req['topics'][number]) => Answer,
  exempt: (t: Req['topics'][number]) => boolean = () => false,
): Promise<Answer[]> {
  return actOnAllowed(
    req.topics,
    (t) => exempt(t) || az.topic(operation, nameOf(t)),
    (topics) => handle({ ...req, topics }),
    denied,
  );
}

/** CreateTopics: CREATE on the cluster, else CREATE on each topic; a refused topic is not created. */
export async function authorizeCreateTopics(
  az: RequestAuthorization,
  req: CreateTopicsRequest,
  handle: (req: CreateTopicsRequest) => Promise<CreateTopicsResponseInput>,
): Promise<CreateTopicsResponseInput> {
  const clusterWide = az.cluster(AclOperation.CREATE, true);
  const topics = await authorizeTopicList(
    az,
    AclOperation.CREATE,
    req,
    (t) => t.name,
    async (q) => (await handle(q)).topics,
    (t) => ({ name: t.name, ...topicDenied, numPartitions: -1, replicationFactor: -1, configs: null }),
    () => clusterWide,
  );
  return { topics };
}

/** The answer of a refused topic whose partitions are answered one by one. */
export function deniedPartitions<P, Answer>(
  name: string,
  partitions: readonly P[],
  answer: (p: P, errorCode: number) => Answer,
): { name: string; partitions: Answer[] } {
  return { name, partitions: partitions.map((p) => answer(p, ErrorCode.TOPIC_AUTHORIZATION_FAILED)) };
}
