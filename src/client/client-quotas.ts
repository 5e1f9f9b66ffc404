// Client quotas over the Kafka protocol for raftka's own client (Kafka's Admin
// describeClientQuotas / alterClientQuotas, KIP-546): DescribeClientQuotas and AlterClientQuotas
// sent to any broker, which forwards them to the active controller. Callers: `raftka configs
// --bootstrap-server` (src/cli/configs-quotas.ts) and tests.
import { ErrorCode } from '../common/errors.js';
import { alterClientQuotasApi, describeClientQuotasApi } from '../protocol/messages/client-quotas.js';
import { KafkaRequestError, type KafkaClient } from './kafka-client.js';

/** A part of a quota entity: type `user`, `client-id` or `ip`; a null name is the default entity. */
export interface ClientQuotaEntityPart {
  readonly entityType: string;
  readonly entityName: string | null;
}

/** A filter component: match a name exactly (0), the default entity (1), or any named one (2). */
export interface ClientQuotaFilterComponent {
  readonly entityType: string;
  readonly matchType: number;
  /** The name for an exact match; null otherwise. */
  readonly match: string | null;
}

export interface ClientQuotaEntry {
  readonly entity: readonly ClientQuotaEntityPart[];
  readonly values: ReadonlyMap<string, number>;
}

export interface ClientQuotaAlteration {
  readonly entity: readonly ClientQuotaEntityPart[];
  /** Keys to set to a value, or to remove. */
  readonly ops: readonly { readonly key: string; readonly value: number; readonly remove: boolean }[];
}

/** The quotas of every entity matching all `components` (strict: and no other entity type). */
export async function describeClientQuotas(
  client: KafkaClient,
  components: readonly ClientQuotaFilterComponent[],
  strict: boolean,
): Promise<ClientQuotaEntry[]> {
  const c = await client.anyConnection();
  const res = await c.send(
    describeClientQuotasApi,
    { components: components.map((x) => ({ ...x })), strict },
    client.requestTimeoutMs,
  );
  if (res.errorCode !== ErrorCode.NONE)
    throw new KafkaRequestError(res.errorCode, res.errorMessage ?? 'DescribeClientQuotas failed');
  return (res.entries ?? []).map((e) => ({
    entity: e.entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName })),
    values: new Map(e.values.map((v) => [v.key, v.value])),
  }));
}

/** Per alteration, in order: its error code (0 when done) and message. */
export async function alterClientQuotas(
  client: KafkaClient,
  alterations: readonly ClientQuotaAlteration[],
  validateOnly = false,
): Promise<{ errorCode: number; errorMessage: string | null }[]> {
  const c = await client.anyConnection();
  const res = await c.send(
    alterClientQuotasApi,
    {
      entries: alterations.map((a) => ({
        entity: a.entity.map((p) => ({ ...p })),
        ops: a.ops.map((o) => ({ ...o })),
      })),
      validateOnly,
    },
    client.requestTimeoutMs,
  );
  return res.entries.map((e) => ({ errorCode: e.errorCode, errorMessage: e.errorMessage }));
}
