// Where `raftka configs` reads and writes a user's or client's entity configs — client quotas
// and users' SCRAM credentials: over the Kafka protocol (--bootstrap-server [--command-config]:
// DescribeClientQuotas / AlterClientQuotas, Describe/AlterUserScramCredentials, as
// kafka-configs.sh does; the password is salted in this process) or the controllers' gRPC
// (--bootstrap-controller). configs-command.ts prints the same output whichever it uses.
import type { ControllerClient } from '../client/controller-client.js';
import { alterUserScramCredentials, describeUserScramCredentials } from '../client/cluster-admin.js';
import { alterClientQuotas, describeClientQuotas } from '../client/client-quotas.js';
import type { KafkaClient } from '../client/kafka-client.js';
import { ErrorCode, errorName } from '../common/errors.js';
import { QuotaMatchType } from '../protocol/quota-types.js';
import type { ScramDeletion, ScramUpsertion } from '../security/scram.js';

export interface QuotaOp {
  readonly key: string;
  readonly value: number;
  readonly remove: boolean;
}

export interface QuotaBackend {
  /** The quotas of exactly this one-part entity (null name: the default entity). */
  describe(entityType: string, name: string | null): Promise<Record<string, number>>;
  /** Sets and removes quota keys of the entity; throws with Kafka's error name when refused. */
  alter(entityType: string, name: string | null, ops: readonly QuotaOp[]): Promise<void>;
}

function refused(errorCode: number, message: string | null, label: string): never {
  throw new Error(`${label}: ${errorName(errorCode)}: ${message ?? ''}`);
}

const exactly = (entityType: string, name: string | null) => ({
  entityType,
  matchType: name === null ? QuotaMatchType.DEFAULT : QuotaMatchType.EXACT,
  match: name,
});

export function kafkaQuotaBackend(client: KafkaClient, label: string): QuotaBackend {
  return {
    async describe(entityType, name) {
      const entries = await describeClientQuotas(client, [exactly(entityType, name)], true);
      return Object.fromEntries(entries[0]?.values ?? []);
    },
    async alter(entityType, name, ops) {
      const [r] = await alterClientQuotas(client, [{ entity: [{ entityType, entityName: name }], ops }]);
      if (r && r.errorCode !== 0) refused(r.errorCode, r.errorMessage, label);
    },
  };
}

export function controllerQuotaBackend(client: ControllerClient, label: string): QuotaBackend {
  return {
    async describe(entityType, name) {
      const { match, ...component } = exactly(entityType, name);
      const q = await client.describeClientQuotas(
        { components: [{ ...component, match: match ?? '' }], strict: true },
        { anyController: true },
      );
      if (q.errorCode !== 0) refused(q.errorCode, q.errorMessage, label);
      return Object.fromEntries((q.entries[0]?.values ?? []).map((v) => [v.key, v.value]));
    },
    async alter(entityType, name, ops) {
      const entity = [name === null ? { entityType } : { entityType, entityName: name }];
      const res = await client.alterClientQuotas({ entries: [{ entity, values: [...ops] }] });
      const r = res.entries[0];
      if (r && r.errorCode !== 0) refused(r.errorCode, r.errorMessage, label);
    },
  };
}

export interface ScramBackend {
  /** The user's credentials (none when it has none). */
  describe(user: string): Promise<readonly { mechanism: number; iterations: number }[]>;
  /** Throws with Kafka's error name when refused. */
  alter(deletions: readonly ScramDeletion[], upsertions: readonly ScramUpsertion[]): Promise<void>;
}

export function kafkaScramBackend(client: KafkaClient, label: string): ScramBackend {
  return {
    async describe(user) {
      const [r] = await describeUserScramCredentials(client, [user]);
      if (!r || r.errorCode === ErrorCode.RESOURCE_NOT_FOUND) return [];
      if (r.errorCode !== ErrorCode.NONE) refused(r.errorCode, r.errorMessage, label);
      return r.credentials;
    },
    async alter(deletions, upsertions) {
      for (const r of await alterUserScramCredentials(client, deletions, upsertions))
        if (r.errorCode !== ErrorCode.NONE) refused(r.errorCode, r.errorMessage, label);
    },
  };
}

export function controllerScramBackend(client: ControllerClient, label: string): ScramBackend {
  return {
    async describe(user) {
      const r = (await client.describeUserScramCredentials({ users: [user] }, { anyController: true })).results[0];
      return r && r.errorCode === ErrorCode.NONE ? r.credentials : [];
    },
    async alter(deletions, upsertions) {
      const res = await client.alterUserScramCredentials({ deletions: [...deletions], upsertions: [...upsertions] });
      for (const r of res.results) if (r.errorCode !== ErrorCode.NONE) refused(r.errorCode, r.errorMessage, label);
    },
  };
}
