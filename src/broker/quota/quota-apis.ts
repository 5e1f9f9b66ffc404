// DescribeClientQuotas (key 48) and AlterClientQuotas (key 49) on the broker's Kafka listener
// (KIP-546): authorized as Kafka does (DESCRIBE_CONFIGS / ALTER_CONFIGS on the cluster), checked for
// what only the Kafka request can say (a null or present match string), then forwarded to the
// active controller over gRPC (src/controller/quota-control.ts decides, as for the CLI before).
// Who calls: brokerHandlers (kafka-apis.ts); controllerHandlers (controller-apis.ts) for AlterClientQuotas.
import { ErrorCode } from '../../common/errors.js';
import { AclOperation } from '../../protocol/acl-types.js';
import {
  alterClientQuotasApi,
  describeClientQuotasApi,
  type AlterClientQuotasRequest,
  type AlterClientQuotasResponseInput,
  type DescribeClientQuotasRequest,
  type DescribeClientQuotasResponseInput,
} from '../../protocol/messages/client-quotas.js';
import { QuotaMatchType } from '../../protocol/quota-types.js';
import { forward, type ControllerRoute } from '../admin-apis.js';
import type { KafkaApiRegistry } from '../api-context.js';
import { clusterOnly } from '../authorization.js';

/** How long a forwarded quota call may take. */
const quotaCallTimeoutMs = 30_000;

interface EntityPart {
  readonly entityType: string;
  readonly entityName: string | null;
}

const toWire = (entity: readonly EntityPart[]): { entityType: string; entityName?: string }[] =>
  entity.map((e) =>
    e.entityName === null ? { entityType: e.entityType } : { entityType: e.entityType, entityName: e.entityName },
  );
const fromWire = (entity: readonly { entityType: string; entityName?: string }[]): EntityPart[] =>
  entity.map((e) => ({ entityType: e.entityType, entityName: typeof e.entityName === 'string' ? e.entityName : null }));

/**
 * `describe`: register DescribeClientQuotas too (a broker does; Kafka's controller listener serves
 * only AlterClientQuotas).
 */
export function registerClientQuotaApis(apis: KafkaApiRegistry, ctx: ControllerRoute, describe = true): void {
  if (describe)
    apis.register(
      describeClientQuotasApi,
      clusterOnly(
        AclOperation.DESCRIBE_CONFIGS,
        (r) => describeClientQuotas(ctx, r),
        (errorCode, errorMessage) => ({ errorCode, errorMessage, entries: null }),
      ),
    );
  apis.register(
    alterClientQuotasApi,
    clusterOnly(
      AclOperation.ALTER_CONFIGS,
      (r) => alterClientQuotas(ctx, r),
      (errorCode, errorMessage, r) => ({
        entries: r.entries.map((e) => ({ errorCode, errorMessage, entity: e.entity })),
      }),
    ),
  );
}

/** Kafka's checks of a filter that the gRPC request cannot carry (null versus a match string). */
function filterProblem(req: DescribeClientQuotasRequest): string | null {
  for (const c of req.components) {
    if (c.entityType === '') return 'Invalid empty entity type.';
    if (c.matchType === QuotaMatchType.EXACT && c.match === null)
      return 'Request specified MATCH_TYPE_EXACT, but set match string to null.';
    if (c.matchType === QuotaMatchType.DEFAULT && c.match !== null)
      return 'Request specified MATCH_TYPE_DEFAULT, but also specified a match string.';
    if (c.matchType === QuotaMatchType.ANY && c.match !== null)
      return 'Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.';
  }
  return null;
}

async function describeClientQuotas(
  ctx: ControllerRoute,
  req: DescribeClientQuotasRequest,
): Promise<DescribeClientQuotasResponseInput> {
  const problem = filterProblem(req);
  if (problem) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, entries: null };
  const res = await forward(
    ctx,
    'DescribeClientQuotas',
    {
      components: req.components.map((c) => ({
        entityType: c.entityType,
        matchType: c.matchType,
        match: c.match ?? '',
      })),
      strict: req.strict,
    },
    quotaCallTimeoutMs,
  );
  if ('unavailable' in res)
    return { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: res.unavailable, entries: null };
  if (res.errorCode !== ErrorCode.NONE)
    return { errorCode: res.errorCode, errorMessage: res.errorMessage || null, entries: null };
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    entries: res.entries.map((e) => ({
      entity: fromWire(e.entity),
      values: e.values.map((v) => ({ key: v.key, value: v.value })),
    })),
  };
}

async function alterClientQuotas(
  ctx: ControllerRoute,
  req: AlterClientQuotasRequest,
): Promise<AlterClientQuotasResponseInput> {
  const res = await forward(
    ctx,
    'AlterClientQuotas',
    {
      entries: req.entries.map((e) => ({
        entity: toWire(e.entity),
        values: e.ops.map((o) => ({ key: o.key, value: o.value, remove: Boolean(o.remove) })),
      })),
      validateOnly: req.validateOnly,
    },
    quotaCallTimeoutMs,
  );
  const results = 'unavailable' in res ? [] : res.entries;
  return {
    entries: req.entries.map((e, i) => {
      const r = results[i];
      return {
        errorCode: r ? r.errorCode : ErrorCode.REQUEST_TIMED_OUT,
        errorMessage: r ? r.errorMessage || null : 'no answer from the controller',
        entity: e.entity,
      };
    }),
  };
}
