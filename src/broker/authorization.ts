// Authorization of Kafka requests on the broker (Kafka's KafkaApis/AuthHelper rules over the
// StandardAuthorizer of src/security/authorizer.ts). KafkaApiRegistry (api-context.ts) hands every
// handler one RequestAuthorization for its request; the handlers (kafka-apis.ts, admin-apis.ts,
// group/group-apis.ts, txn/txn-apis.ts, coordinator-lookup.ts) ask it what the principal may do,
// and answer a denied item with the error code of its resource type without acting on it.
//
// - With `authorizer.class.name` unset every answer is "allowed" from one shared object: no
//   allocation, no lookup, nothing changes on the hot path.
// - Decisions are memoised per request (a Produce or Fetch asks once per topic, whatever the
//   partitions), and the authorizer reads the broker's current image, so an ACL change applies
//   from the first request after its commit reaches this broker.
// - A denial is logged at info with principal, host, operation and resource (Kafka's
//   kafka.authorizer.logger) and counted in raftka_authorization_denied_total, except where Kafka
//   filters quietly (Metadata's all-topics answer, ListGroups, ListTransactions, and the checks
//   that only pick between two allowed paths).
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { ErrorCode } from '../common/errors.js';
import { AclOperation, AclResourceType } from '../protocol/acl-types.js';
import type { AclAuthorizer } from '../security/authorizer.js';

/** The one cluster resource's name (Kafka's Resource.CLUSTER_NAME). */
export const clusterResourceName = 'kafka-cluster';

/** What a handler may ask about its request's principal. */
export interface RequestAuthorization {
  /** False when no authorizer is configured (every answer below is then true). */
  readonly enabled: boolean;
  /**
   * Whether the principal may perform `operation` on the resource. A denial is logged and counted
   * unless `quiet` (the caller leaves the item out of an answer instead of failing it).
   */
  allows(resourceType: number, operation: number, name: string, quiet?: boolean): boolean;
  topic(operation: number, name: string, quiet?: boolean): boolean;
  group(operation: number, groupId: string, quiet?: boolean): boolean;
  transactionalId(operation: number, transactionalId: string, quiet?: boolean): boolean;
  cluster(operation: number, quiet?: boolean): boolean;
  /** Whether the principal may perform `operation` on some resource of the type (KIP-679); never logged. */
  anyResource(operation: number, resourceType: number): boolean;
  /** Kafka's authorized-operations bit field of a resource (bit n set = operation code n allowed). */
  authorizedOperations(resourceType: number, name: string): number;
}

/** The error a denied item of each resource type is answered with. */
export function authorizationErrorFor(resourceType: number): number {
  switch (resourceType) {
    case AclResourceType.TOPIC:
      return ErrorCode.TOPIC_AUTHORIZATION_FAILED;
    case AclResourceType.GROUP:
      return ErrorCode.GROUP_AUTHORIZATION_FAILED;
    case AclResourceType.TRANSACTIONAL_ID:
      return ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    default:
      return ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  }
}

/** Kafka's message for each of those errors (its exceptions' default text). */
export function authorizationMessageFor(resourceType: number): string {
  switch (resourceType) {
    case AclResourceType.TOPIC:
      return 'Topic authorization failed.';
    case AclResourceType.GROUP:
      return 'Group authorization failed.';
    case AclResourceType.TRANSACTIONAL_ID:
      return 'Transactional Id authorization failed.';
    default:
      return 'Cluster authorization failed.';
  }
}

/**
 * A request whose only rule is one operation on the cluster: `handle` runs when the principal may
 * perform it, else the request is answered `refused(CLUSTER_AUTHORIZATION_FAILED, message)`.
 */
export function requireCluster<R>(
  az: RequestAuthorization,
  operation: number,
  handle: () => R,
  refused: (errorCode: number, errorMessage: string) => Awaited<R>,
): R | Awaited<R> {
  if (az.cluster(operation)) return handle();
  return refused(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, authorizationMessageFor(AclResourceType.CLUSTER));
}

/** A registry handler for a request whose only rule is `operation` on the cluster (see requireCluster). */
export function clusterOnly<Req, Res>(
  operation: number,
  handle: (req: Req) => Res,
  refused: (errorCode: number, errorMessage: string, req: Req) => Awaited<Res>,
): (req: Req, _ctx: unknown, az: RequestAuthorization) => Res | Awaited<Res> {
  return (req, _ctx, az) =>
    requireCluster(
      az,
      operation,
      () => handle(req),
      (code, message) => refused(code, message, req),
    );
}

/** The operations Kafka reports in authorized-operations fields, per resource type (AclEntry.supportedOperations). */
const supportedOperations: ReadonlyMap<number, readonly number[]> = new Map([
  [
    AclResourceType.TOPIC,
    [
      AclOperation.READ,
      AclOperation.WRITE,
      AclOperation.CREATE,
      AclOperation.DESCRIBE,
      AclOperation.DELETE,
      AclOperation.ALTER,
      AclOperation.DESCRIBE_CONFIGS,
      AclOperation.ALTER_CONFIGS,
    ],
  ],
  [AclResourceType.GROUP, [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE]],
  [
    AclResourceType.CLUSTER,
    [
      AclOperation.CREATE,
      AclOperation.CLUSTER_ACTION,
      AclOperation.DESCRIBE_CONFIGS,
      AclOperation.ALTER_CONFIGS,
      AclOperation.IDEMPOTENT_WRITE,
      AclOperation.ALTER,
      AclOperation.DESCRIBE,
    ],
  ],
  [AclResourceType.TRANSACTIONAL_ID, [AclOperation.DESCRIBE, AclOperation.WRITE]],
]);

function operationBits(resourceType: number, allowed: (operation: number) => boolean): number {
  let bits = 0;
  for (const op of supportedOperations.get(resourceType) ?? []) if (allowed(op)) bits |= 1 << op;
  return bits;
}

/** Every answer "allowed": the one object handed to every request when no authorizer is configured. */
const allowAll: RequestAuthorization = {
  enabled: false,
  allows: () => true,
  topic: () => true,
  group: () => true,
  transactionalId: () => true,
  cluster: () => true,
  anyResource: () => true,
  authorizedOperations: (resourceType) => operationBits(resourceType, () => true),
};

const enumNames = (o: Readonly<Record<string, number>>): Map<number, string> =>
  new Map(Object.entries(o).map(([k, v]) => [v, k]));
const operationNames = enumNames(AclOperation);
const resourceTypeNames = enumNames(AclResourceType);
/** Kafka's audit-log spelling of resource types (Topic, Group, Cluster, TransactionalId). */
const resourceTypeTitles: ReadonlyMap<number, string> = new Map([
  [AclResourceType.TOPIC, 'Topic'],
  [AclResourceType.GROUP, 'Group'],
  [AclResourceType.CLUSTER, 'Cluster'],
  [AclResourceType.TRANSACTIONAL_ID, 'TransactionalId'],
]);

/** Who asks, as the handler contract knows it (RequestContext's fields). */
export interface RequestIdentity {
  readonly principal: string;
  readonly clientHost: string;
}

/** A decision remembered for the rest of the request: allowed, or denied and already reported. */
const Memo = { allowed: 1, deniedQuietly: 2, deniedReported: 3 } as const;
type Memo = (typeof Memo)[keyof typeof Memo];

/** The broker's authorization: null authorizer = none configured. One per broker. */
export class BrokerAuthorization {
  private readonly denied: Counter<'operation' | 'resource_type'> | null;
  private readonly logger: Logger | null;

  constructor(
    private readonly authorizer: AclAuthorizer | null,
    options: { readonly logger: Logger; readonly registry: Registry } | null,
  ) {
    this.logger = authorizer && options ? options.logger.child({ component: 'authorizer' }) : null;
    this.denied =
      authorizer && options
        ? new Counter({
            name: 'raftka_authorization_denied_total',
            help: 'Kafka requests (or items of one) refused for want of an ACL, by operation and resource type',
            labelNames: ['operation', 'resource_type'],
            registers: [options.registry],
          })
        : null;
  }

  /** No authorizer: every request is allowed everything. */
  static readonly none = new BrokerAuthorization(null, null);

  get enabled(): boolean {
    return this.authorizer !== null;
  }

  /** The authorization of one request of `apiName` (the shared allow-all answer when none is configured). */
  forRequest(who: RequestIdentity, apiName: string): RequestAuthorization {
    const authorizer = this.authorizer;
    if (!authorizer) return allowAll;
    const requester = { principal: who.principal, host: who.clientHost };
    // Per (resource type, operation): name → decision. Built on the first check only.
    let memo: Map<number, Map<string, Memo>> | null = null;
    const allows = (resourceType: number, operation: number, name: string, quiet = false): boolean => {
      memo ??= new Map();
      const slot = resourceType * 64 + operation;
      let names = memo.get(slot);
      if (!names) memo.set(slot, (names = new Map()));
      const seen = names.get(name);
      if (seen === Memo.allowed) return true;
      if (seen === Memo.deniedReported || (seen === Memo.deniedQuietly && quiet)) return false;
      const ok = seen === undefined ? authorizer.authorize(requester, operation, resourceType, name) : false;
      if (ok) {
        names.set(name, Memo.allowed);
        return true;
      }
      if (quiet) {
        names.set(name, Memo.deniedQuietly);
        return false;
      }
      names.set(name, Memo.deniedReported);
      this.report(who, apiName, operation, resourceType, name);
      return false;
    };
    return {
      enabled: true,
      allows,
      topic: (op, name, quiet) => allows(AclResourceType.TOPIC, op, name, quiet),
      group: (op, id, quiet) => allows(AclResourceType.GROUP, op, id, quiet),
      transactionalId: (op, id, quiet) => allows(AclResourceType.TRANSACTIONAL_ID, op, id, quiet),
      cluster: (op, quiet) => allows(AclResourceType.CLUSTER, op, clusterResourceName, quiet),
      anyResource: (op, resourceType) => authorizer.authorizeAny(requester, op, resourceType),
      authorizedOperations: (resourceType, name) =>
        operationBits(resourceType, (op) => allows(resourceType, op, name, true)),
    };
  }

  private report(who: RequestIdentity, api: string, operation: number, resourceType: number, name: string): void {
    const op = operationNames.get(operation) ?? String(operation);
    const type = resourceTypeNames.get(resourceType) ?? String(resourceType);
    this.denied?.inc({ operation: op, resource_type: type });
    this.logger?.info(
      {
        principal: who.principal,
        host: who.clientHost,
        operation: op,
        resource: `${resourceTypeTitles.get(resourceType) ?? type}:LITERAL:${name}`,
        api,
      },
      `Principal = ${who.principal} is Denied operation = ${op} from host = ${who.clientHost} on resource = ${resourceTypeTitles.get(resourceType) ?? type}:LITERAL:${name} for request = ${api}`,
    );
  }
}

/** A cluster's authorized operations as DescribeCluster and Metadata answer them: 0 without DESCRIBE on the cluster. */
export function clusterAuthorizedOperations(az: RequestAuthorization): number {
  return az.cluster(AclOperation.DESCRIBE) ? az.authorizedOperations(AclResourceType.CLUSTER, clusterResourceName) : 0;
}

/**
 * The answers for `items` in their order: `act` runs on the allowed ones only (its answers come
 * back in its input's order) and each denied one gets `denied(item)`. With nothing denied, `act`
 * sees the caller's own array.
 */
export async function actOnAllowed<I, R>(
  items: readonly I[],
  allowed: (item: I) => boolean,
  act: (allowed: readonly I[]) => Promise<readonly R[]> | readonly R[],
  denied: (item: I) => R,
): Promise<R[]> {
  const mask = items.map(allowed);
  if (mask.every((m) => m)) return [...(await act(items))];
  const results = await act(items.filter((_, i) => mask[i]));
  let k = 0;
  return items.map((item, i) => (mask[i] ? results[k++]! : denied(item)));
}
