// Client quotas on the active controller (KIP-546): AlterClientQuotas and DescribeClientQuotas
// over entities made of user / client-id (alone or together) or ip (alone), each named or the
// default (null name). Quota keys and their types follow Kafka's; brokers enforce them once the
// Kafka protocol layer reads them from the image. Pure: records + answers.
import { isIP } from 'node:net';
import { ErrorCode } from '../common/errors.js';
import { quotaEntityKey, type MetadataImage } from '../metadata/image.js';
import type { MetadataRecord, QuotaEntity } from '../metadata/records.js';
import { QuotaMatchType } from '../protocol/quota-types.js';
import type { Decision } from './cluster-control.js';

/** Quota keys by entity family; `integer` keys take whole numbers only (Kafka's LONG/INT types). */
const userClientKeys: ReadonlyMap<string, { integer: boolean }> = new Map([
  ['producer_byte_rate', { integer: true }],
  ['consumer_byte_rate', { integer: true }],
  ['request_percentage', { integer: false }],
  ['controller_mutation_rate', { integer: false }],
]);
const ipKeys: ReadonlyMap<string, { integer: boolean }> = new Map([['connection_creation_rate', { integer: true }]]);

interface QuotaOp {
  readonly key: string;
  readonly value: number;
  readonly remove: boolean;
}
export interface QuotaAlteration {
  readonly entity: readonly QuotaEntity[];
  readonly ops: readonly QuotaOp[];
}
export interface QuotaAlterResult {
  readonly entity: readonly QuotaEntity[];
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

function entityProblem(entity: readonly QuotaEntity[]): string | null {
  if (entity.length === 0) return 'the quota entity is empty';
  const types = entity.map((e) => e.entityType);
  if (new Set(types).size !== types.length) return `entity type repeated in ${types.join(',')}`;
  for (const e of entity) {
    if (e.entityType !== 'user' && e.entityType !== 'client-id' && e.entityType !== 'ip')
      return `unknown quota entity type ${e.entityType} (user, client-id, ip)`;
    if (e.entityName === '') return `the ${e.entityType} name is empty (omit it for the default entity)`;
  }
  if (types.includes('ip')) {
    if (entity.length > 1) return 'an ip quota entity cannot be combined with user or client-id';
    const name = entity[0]!.entityName;
    if (name !== null && isIP(name) === 0) return `${name} is not an IP address`;
  }
  return null;
}

function opProblem(entity: readonly QuotaEntity[], op: QuotaOp): string | null {
  const keys = entity.some((e) => e.entityType === 'ip') ? ipKeys : userClientKeys;
  const spec = keys.get(op.key);
  if (!spec) return `unknown quota key ${op.key} for this entity (${[...keys.keys()].join(', ')})`;
  if (op.remove) return null;
  if (!Number.isFinite(op.value) || op.value <= 0) return `quota ${op.key} must be a positive number, got ${op.value}`;
  if (spec.integer && !Number.isInteger(op.value)) return `quota ${op.key} must be a whole number, got ${op.value}`;
  return null;
}

export function alterClientQuotas(
  image: MetadataImage,
  alterations: readonly QuotaAlteration[],
  validateOnly: boolean,
): Decision<readonly QuotaAlterResult[]> {
  const records: MetadataRecord[] = [];
  const response = alterations.map((a): QuotaAlterResult => {
    const fail = (errorMessage: string): QuotaAlterResult => ({
      entity: a.entity,
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage,
    });
    const ep = entityProblem(a.entity);
    if (ep) return fail(ep);
    const keys = a.ops.map((o) => o.key);
    if (new Set(keys).size !== keys.length) return fail('a quota key is altered twice for one entity');
    for (const op of a.ops) {
      const p = opProblem(a.entity, op);
      if (p) return fail(p);
    }
    const current = image.quotas.get(quotaEntityKey(a.entity))?.values;
    if (!validateOnly) {
      for (const op of a.ops) {
        if (op.remove && !current?.has(op.key)) continue; // removing what is absent changes nothing
        records.push({
          type: 'clientQuota',
          entity: a.entity,
          key: op.key,
          value: op.remove ? 0 : op.value,
          remove: op.remove,
        });
      }
    }
    return { entity: a.entity, errorCode: ErrorCode.NONE, errorMessage: null };
  });
  return { records, response };
}

interface QuotaFilterComponent {
  readonly entityType: string;
  readonly matchType: number;
  /** The name for EXACT; ignored otherwise. */
  readonly match: string | null;
}

interface QuotaDescription {
  readonly entity: readonly QuotaEntity[];
  readonly values: ReadonlyMap<string, number>;
}

type DescribeQuotasResult = {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly entries: readonly QuotaDescription[];
};

/**
 * Entities matching every component; with `strict`, entities with types no component names are
 * left out (Kafka's DescribeClientQuotas semantics).
 */
export function describeClientQuotas(
  image: MetadataImage,
  components: readonly QuotaFilterComponent[],
  strict: boolean,
): DescribeQuotasResult {
  const types = components.map((c) => c.entityType);
  if (new Set(types).size !== types.length)
    return {
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'an entity type is named twice in the filter',
      entries: [],
    };
  const fail = (errorCode: number, errorMessage: string): DescribeQuotasResult => ({
    errorCode,
    errorMessage,
    entries: [],
  });
  for (const c of components)
    if (c.entityType !== 'user' && c.entityType !== 'client-id' && c.entityType !== 'ip')
      return fail(ErrorCode.UNSUPPORTED_VERSION, `Unsupported entity type ${c.entityType}`);
  if (types.includes('ip') && (types.includes('user') || types.includes('client-id')))
    return fail(
      ErrorCode.INVALID_REQUEST,
      'an ip filter component cannot be combined with user or client-id components',
    );
  for (const c of components) {
    if (
      c.matchType !== QuotaMatchType.EXACT &&
      c.matchType !== QuotaMatchType.DEFAULT &&
      c.matchType !== QuotaMatchType.ANY
    )
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `unknown match type ${c.matchType}`, entries: [] };
    if (c.matchType === QuotaMatchType.EXACT && (c.match === null || c.match === ''))
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `an exact match on ${c.entityType} needs a name`,
        entries: [],
      };
  }
  const entries: QuotaDescription[] = [];
  for (const q of image.quotas.values()) {
    const byType = new Map(q.entity.map((e) => [e.entityType, e.entityName]));
    const ok = components.every((c) => {
      if (!byType.has(c.entityType)) return false;
      const name = byType.get(c.entityType) ?? null;
      if (c.matchType === QuotaMatchType.EXACT) return name === c.match;
      if (c.matchType === QuotaMatchType.DEFAULT) return name === null;
      return true;
    });
    if (!ok || (strict && q.entity.length !== components.length)) continue;
    entries.push({ entity: q.entity, values: q.values });
  }
  entries.sort((a, b) => quotaEntityKey(a.entity).localeCompare(quotaEntityKey(b.entity)));
  return { errorCode: ErrorCode.NONE, errorMessage: null, entries };
}
