// ACLs on the active controller: CreateAcls, DeleteAcls (by filter) and DescribeAcls, over
// Kafka's codes for resource types, pattern types, operations and permissions
// (src/protocol/acl-types.ts). Pure: records + answers; the image holds the ACLs once the records
// are committed.
import { ErrorCode } from '../common/errors.js';
import type { AclEntry, MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import { AclOperation, AclPatternType, AclPermission, AclResourceType } from '../protocol/acl-types.js';
import type { Decision } from './cluster-control.js';

export type AclBinding = Omit<AclEntry, 'id'>;

/** A filter: null fields, and the ANY values of the enums, match everything. */
export interface AclFilter {
  readonly resourceType: number;
  readonly resourceName: string | null;
  readonly patternType: number;
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: number;
  readonly permissionType: number;
}

export interface AclResult {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  /** DeleteAcls: the bindings removed by this filter. */
  readonly matched: readonly AclEntry[];
}

function bindingProblem(b: AclBinding): string | null {
  if (b.resourceType < AclResourceType.TOPIC || b.resourceType > AclResourceType.USER)
    return `resource type ${b.resourceType} cannot be used in an ACL`;
  if (b.patternType !== AclPatternType.LITERAL && b.patternType !== AclPatternType.PREFIXED)
    return `pattern type ${b.patternType} cannot be used in an ACL (LITERAL or PREFIXED)`;
  if (b.operation < AclOperation.ALL || b.operation > AclOperation.DESCRIBE_TOKENS)
    return `operation ${b.operation} cannot be used in an ACL`;
  if (b.permissionType !== AclPermission.ALLOW && b.permissionType !== AclPermission.DENY)
    return `permission type ${b.permissionType} cannot be used in an ACL`;
  if (!/^[^:]+:.+$/.test(b.principal)) return `principal "${b.principal}" is not TYPE:NAME (e.g. User:alice)`;
  if (b.resourceName === '') return 'the resource name is empty';
  if (b.resourceType === AclResourceType.CLUSTER && b.resourceName !== 'kafka-cluster')
    return 'the cluster resource is named kafka-cluster';
  if (b.host === '') return 'the host is empty (use * for any host)';
  return null;
}

function sameBinding(a: AclBinding, b: AclBinding): boolean {
  return (
    a.resourceType === b.resourceType &&
    a.resourceName === b.resourceName &&
    a.patternType === b.patternType &&
    a.principal === b.principal &&
    a.host === b.host &&
    a.operation === b.operation &&
    a.permissionType === b.permissionType
  );
}

function aclMatches(f: AclFilter, e: AclEntry): boolean {
  return (
    (f.resourceType === AclResourceType.ANY || f.resourceType === e.resourceType) &&
    (f.resourceName === null || f.resourceName === e.resourceName) &&
    (f.patternType === AclPatternType.ANY ||
      f.patternType === AclPatternType.MATCH ||
      f.patternType === e.patternType) &&
    (f.principal === null || f.principal === e.principal) &&
    (f.host === null || f.host === e.host) &&
    (f.operation === AclOperation.ANY || f.operation === e.operation) &&
    (f.permissionType === AclPermission.ANY || f.permissionType === e.permissionType)
  );
}

export function createAcls(
  image: MetadataImage,
  creations: readonly AclBinding[],
  newId: () => string,
): Decision<readonly AclResult[]> {
  const records: MetadataRecord[] = [];
  const results: AclResult[] = [];
  const added: AclBinding[] = [];
  for (const b of creations) {
    const problem = bindingProblem(b);
    if (problem) {
      results.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, matched: [] });
      continue;
    }
    // An ACL that already exists is a success that writes nothing (as in Kafka).
    const exists = [...image.acls.values()].some((e) => sameBinding(e, b)) || added.some((a) => sameBinding(a, b));
    if (!exists) {
      records.push({ type: 'accessControlEntry', id: newId(), ...b });
      added.push(b);
    }
    results.push({ errorCode: ErrorCode.NONE, errorMessage: null, matched: [] });
  }
  return { records, response: results };
}

export function deleteAcls(image: MetadataImage, filters: readonly AclFilter[]): Decision<readonly AclResult[]> {
  const records: MetadataRecord[] = [];
  const removed = new Set<string>();
  const results = filters.map((f) => {
    const matched = [...image.acls.values()].filter((e) => aclMatches(f, e));
    for (const e of matched) {
      if (removed.has(e.id)) continue;
      removed.add(e.id);
      records.push({ type: 'removeAccessControlEntry', id: e.id });
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, matched };
  });
  return { records, response: results };
}

export function describeAcls(image: MetadataImage, filter: AclFilter): AclEntry[] {
  return [...image.acls.values()].filter((e) => aclMatches(filter, e));
}
