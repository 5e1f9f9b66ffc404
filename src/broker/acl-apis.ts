// The Kafka ACL APIs on the broker: CreateAcls and DeleteAcls are forwarded to the active
// controller (which validates and commits them), DescribeAcls is answered by any controller. All
// three need the principal's ACL on the cluster (ALTER to change, DESCRIBE to list), as in Kafka.
// Who calls: brokerHandlers (kafka-apis.ts).
import { ErrorCode } from '../common/errors.js';
import { AclOperation } from '../protocol/acl-types.js';
import {
  createAclsApi,
  deleteAclsApi,
  describeAclsApi,
  type CreateAclsRequest,
  type CreateAclsResponseInput,
  type DeleteAclsRequest,
  type DeleteAclsResponseInput,
  type DescribeAclsRequest,
  type DescribeAclsResponseInput,
} from '../protocol/messages/acls.js';
import type { AclBinding } from '../rpc/controller-rpc.js';
import { forward, type ControllerRoute } from './admin-apis.js';
import type { KafkaApiRegistry } from './api-context.js';
import { clusterOnly } from './authorization.js';

export function registerAclApis(apis: KafkaApiRegistry, ctx: ControllerRoute): void {
  apis.register(
    createAclsApi,
    clusterOnly(
      AclOperation.ALTER,
      (r) => createAcls(ctx, r),
      (errorCode, errorMessage, r) => ({ results: r.creations.map(() => ({ errorCode, errorMessage })) }),
    ),
  );
  apis.register(
    deleteAclsApi,
    clusterOnly(
      AclOperation.ALTER,
      (r) => deleteAcls(ctx, r),
      (errorCode, errorMessage, r) => ({
        filterResults: r.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
      }),
    ),
  );
  apis.register(
    describeAclsApi,
    clusterOnly(
      AclOperation.DESCRIBE,
      (r) => describeAcls(ctx, r),
      (errorCode, errorMessage) => ({ errorCode, errorMessage, resources: [] }),
    ),
  );
}

async function createAcls(ctx: ControllerRoute, req: CreateAclsRequest): Promise<CreateAclsResponseInput> {
  const res = await forward(
    ctx,
    'CreateAcls',
    {
      acls: req.creations.map((c) => ({
        resourceType: c.resourceType,
        resourceName: c.resourceName,
        patternType: c.resourcePatternType,
        principal: c.principal,
        host: c.host,
        operation: c.operation,
        permissionType: c.permissionType,
      })),
    },
    30_000,
  );
  const results = 'unavailable' in res ? [] : res.results;
  return {
    results: req.creations.map((_, i) => ({
      errorCode: results[i] ? results[i]!.errorCode : ErrorCode.REQUEST_TIMED_OUT,
      errorMessage: results[i] ? results[i]!.errorMessage || null : 'no answer from the controller',
    })),
  };
}

const filterToWire = (f: {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}): AclBinding => ({
  resourceType: f.resourceTypeFilter,
  resourceName: f.resourceNameFilter ?? '',
  patternType: f.patternTypeFilter,
  principal: f.principalFilter ?? '',
  host: f.hostFilter ?? '',
  operation: f.operation,
  permissionType: f.permissionType,
});

async function deleteAcls(ctx: ControllerRoute, req: DeleteAclsRequest): Promise<DeleteAclsResponseInput> {
  const res = await forward(ctx, 'DeleteAcls', { acls: req.filters.map(filterToWire) }, 30_000);
  const results = 'unavailable' in res ? [] : res.results;
  return {
    filterResults: req.filters.map((_, i) => {
      const r = results[i];
      if (!r)
        return {
          errorCode: ErrorCode.REQUEST_TIMED_OUT,
          errorMessage: 'no answer from the controller',
          matchingAcls: [],
        };
      return {
        errorCode: r.errorCode,
        errorMessage: r.errorMessage || null,
        matchingAcls: r.matched.map((m) => ({
          errorCode: 0,
          errorMessage: null,
          resourceType: m.resourceType,
          resourceName: m.resourceName,
          patternType: m.patternType,
          principal: m.principal,
          host: m.host,
          operation: m.operation,
          permissionType: m.permissionType,
        })),
      };
    }),
  };
}

async function describeAcls(ctx: ControllerRoute, req: DescribeAclsRequest): Promise<DescribeAclsResponseInput> {
  const res = await ctx.controller
    .describeAcls({ acls: [filterToWire(req)] }, { anyController: true, timeoutMs: 15_000 })
    .catch((err: unknown) => ({ unavailable: err instanceof Error ? err.message : String(err) }) as const);
  if ('unavailable' in res)
    return { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: String(res.unavailable), resources: [] };
  const r = res.results[0];
  if (r?.errorCode !== 0)
    return {
      errorCode: r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR,
      errorMessage: r?.errorMessage ?? '',
      resources: [],
    };
  const byResource = new Map<
    string,
    {
      resourceType: number;
      resourceName: string;
      patternType: number;
      acls: { principal: string; host: string; operation: number; permissionType: number }[];
    }
  >();
  for (const m of r.matched) {
    const key = `${m.resourceType}/${m.patternType}/${m.resourceName}`;
    const entry = byResource.get(key) ?? {
      resourceType: m.resourceType,
      resourceName: m.resourceName,
      patternType: m.patternType,
      acls: [],
    };
    entry.acls.push({ principal: m.principal, host: m.host, operation: m.operation, permissionType: m.permissionType });
    byResource.set(key, entry);
  }
  return { errorCode: 0, errorMessage: null, resources: [...byResource.values()] };
}
