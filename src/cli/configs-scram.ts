// `raftka configs --bootstrap-server H:P [--command-config F] --entity-type users --entity-name U
// --describe | --alter --add-config 'SCRAM-SHA-256=[iterations=8192,password=P]'
// --delete-config SCRAM-SHA-512`: SCRAM credentials over the Kafka protocol, as kafka-configs.sh
// does (DescribeUserScramCredentials / AlterUserScramCredentials; the password is salted here and
// never leaves this process). Output as over --bootstrap-controller. Client quotas of the user are
// not handled on this path (they need Describe/AlterClientQuotas over the Kafka protocol).
// Who calls: configs-command.ts.
import { alterUserScramCredentials, describeUserScramCredentials } from '../client/cluster-admin.js';
import {
  parseConfigAssignments,
  parseConfigNames,
  scramMechanismByName,
  scramUpsertion,
} from '../client/config-assignments.js';
import { KafkaClient } from '../client/kafka-client.js';
import { ErrorCode, errorName } from '../common/errors.js';
import { parseEndpoints } from '../common/endpoint.js';
import { scramMechanismNames } from '../protocol/scram-types.js';
import { type CommandConfigArgs, clientSecurityOf } from './command-config.js';

export interface UserScramArgs extends CommandConfigArgs {
  'bootstrap-server'?: string;
  'entity-name'?: string;
  describe?: boolean;
  'add-config'?: string;
  'delete-config'?: string;
  json?: boolean;
}

async function describe(client: KafkaClient, user: string, label: string, json: boolean): Promise<void> {
  const [r] = await describeUserScramCredentials(client, [user]);
  if (r && r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.RESOURCE_NOT_FOUND)
    throw new Error(`${label}: ${errorName(r.errorCode)}: ${r.errorMessage ?? ''}`);
  const scram = (r?.errorCode === ErrorCode.NONE ? r.credentials : []).map((c) => ({
    mechanism: scramMechanismNames.get(c.mechanism) ?? String(c.mechanism),
    iterations: c.iterations,
  }));
  if (json) console.log(JSON.stringify({ scram }));
  else
    console.log(
      `SCRAM credential configs for ${label} are ${scram.map((c) => `${c.mechanism}=iterations=${c.iterations}`).join(', ')}`,
    );
}

/** Describe or alter user `--entity-name`'s SCRAM credentials through any broker. */
export async function userScramViaBroker(args: UserScramArgs): Promise<void> {
  const user = args['entity-name'];
  if (!user) throw new Error('SCRAM credentials belong to a named user (--entity-type users --entity-name U)');
  const label = `user-principal '${user}'`;
  const client = new KafkaClient(parseEndpoints(args['bootstrap-server']!), {
    clientId: 'raftka-configs',
    security: clientSecurityOf(args),
  });
  try {
    if (args.describe) {
      await describe(client, user, label, Boolean(args.json));
      return;
    }
    const adds = parseConfigAssignments(args['add-config'] ?? '');
    const deletes = parseConfigNames(args['delete-config'] ?? '');
    const other = [...adds.map((a) => a.name), ...deletes].filter((k) => !scramMechanismByName.has(k));
    if (other.length > 0)
      throw new Error(
        `over --bootstrap-server only SCRAM-SHA-256 / SCRAM-SHA-512 can be set for users so far (not ${other.join(', ')}); use --bootstrap-controller for quotas`,
      );
    if (adds.length === 0 && deletes.length === 0) throw new Error('--alter needs --add-config and/or --delete-config');
    const results = await alterUserScramCredentials(
      client,
      deletes.map((k) => ({ name: user, mechanism: scramMechanismByName.get(k)! })),
      adds.map((a) => scramUpsertion(user, a.name, a.value)),
    );
    for (const r of results)
      if (r.errorCode !== ErrorCode.NONE)
        throw new Error(`${label}: ${errorName(r.errorCode)}: ${r.errorMessage ?? ''}`);
    console.log(`Completed updating config for ${label}.`);
  } finally {
    client.close();
  }
}
