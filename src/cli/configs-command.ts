// `raftka configs --bootstrap-controller H:P --entity-type topics|brokers|users|clients|ips
// (--entity-name N | --entity-default) --describe | --alter [--add-config k=v,...]
// [--delete-config k,...]`, like kafka-configs.sh, through the controllers; client quotas also
// `--bootstrap-server H:P [--command-config F]` over the Kafka protocol (configs-quotas.ts). Topics and brokers
// hold configs; users, clients and ips hold client quotas, and users also SCRAM credentials
// (`--add-config 'SCRAM-SHA-256=[iterations=8192,password=secret]'`, `--delete-config SCRAM-SHA-256`).
// With --bootstrap-server instead, users', clients' and ips' quotas and users' SCRAM credentials
// go over the Kafka protocol (configs-quotas.ts), as kafka-configs.sh does; topics and brokers
// too: --describe then shows each config's source and synonyms as the broker resolves them, as
// kafka-configs.sh prints them (`--all` also lists static and default values).
import { isSensitiveConfig } from '../protocol/kafka-config-names.js';
import type { CommandModule } from 'yargs';
import { ControllerClient } from '../client/controller-client.js';
import {
  parseConfigAssignments,
  parseConfigNames,
  scramMechanismByName,
  scramUpsertion,
} from '../client/config-assignments.js';
import { errorName } from '../common/errors.js';
import { AlterConfigOp } from '../protocol/config-types.js';
import { scramMechanismNames } from '../protocol/scram-types.js';
import { ConfigResourceType } from '../metadata/records.js';
import { parseEndpoint, parseEndpoints } from '../common/endpoint.js';
import { exitWithError } from './errors.js';
import {
  type CommandConfigArgs,
  clientSecurityOf,
  commandConfigOption,
  controllerSecurityOf,
} from './command-config.js';
import {
  controllerQuotaBackend,
  controllerScramBackend,
  kafkaQuotaBackend,
  kafkaScramBackend,
  type QuotaBackend,
  type ScramBackend,
} from './configs-quotas.js';
import { KafkaClient } from '../client/kafka-client.js';
import { describedConfigsJson, dynamicSourceOf, formatDescribedConfigs } from './configs-format.js';

interface ConfigsArgs extends CommandConfigArgs {
  'bootstrap-controller'?: string;
  'bootstrap-server'?: string;
  all?: boolean;
  'entity-type': string;
  'entity-name'?: string;
  'entity-default'?: boolean;
  describe?: boolean;
  alter?: boolean;
  'add-config'?: string;
  'delete-config'?: string;
  json?: boolean;
}

/** kafka-configs.sh entity types for quotas → the quota entity type. */
const quotaEntityTypes: Readonly<Record<string, string>> = { users: 'user', clients: 'client-id', ips: 'ip' };
const quotaLabels: Readonly<Record<string, string>> = { user: 'user-principal', 'client-id': 'client-id', ip: 'ip' };

function check(r: { readonly errorCode: number; readonly errorMessage: string }, label: string): void {
  if (r.errorCode !== 0) throw new Error(`${label}: ${errorName(r.errorCode)}: ${r.errorMessage}`);
}

/** The same verbs for topics and brokers over the Kafka protocol: sources and synonyms come from the broker. */
async function resourceConfigsViaBroker(client: KafkaClient, args: ConfigsArgs): Promise<void> {
  const entityType = args['entity-type'] === 'topics' ? 'topics' : 'brokers';
  const resourceType = entityType === 'topics' ? ConfigResourceType.TOPIC : ConfigResourceType.BROKER;
  const resourceName = args['entity-default'] ? '' : (args['entity-name'] ?? '');
  if (args.describe) {
    const entries = await client.describeConfigs(resourceType, resourceName, true);
    if (args.json)
      console.log(
        JSON.stringify(describedConfigsJson(entries, args.all ? null : dynamicSourceOf(entityType, resourceName))),
      );
    else
      for (const line of formatDescribedConfigs(entityType, resourceName, entries, Boolean(args.all)))
        console.log(line);
    return;
  }
  await client.incrementalAlterConfigs(resourceType, resourceName, alterations(args));
  const label = `${entityType === 'topics' ? 'topic' : 'broker'} ${resourceName === '' ? '<default>' : resourceName}`;
  console.log(`Completed updating config for ${label}.`);
}

/** --add-config as SETs, --delete-config as DELETEs. */
function alterations(args: ConfigsArgs): { name: string; op: number; value?: string }[] {
  const configs = [
    ...parseConfigAssignments(args['add-config'] ?? '').map((c) => ({ ...c, op: AlterConfigOp.SET })),
    ...(args['delete-config'] ?? '')
      .split(',')
      .filter((k) => k.trim() !== '')
      .map((name) => ({ name: name.trim(), op: AlterConfigOp.DELETE })),
  ];
  if (configs.length === 0) throw new Error('--alter needs --add-config and/or --delete-config');
  return configs;
}

async function resourceConfigs(client: ControllerClient, args: ConfigsArgs): Promise<void> {
  const resourceType = args['entity-type'] === 'topics' ? ConfigResourceType.TOPIC : ConfigResourceType.BROKER;
  const resourceName = args['entity-default'] ? '' : (args['entity-name'] ?? '');
  const label = `${args['entity-type'] === 'topics' ? 'topic' : 'broker'} ${resourceName === '' ? '<default>' : resourceName}`;
  if (args.describe) {
    const res = await client.describeConfigs({ resources: [{ resourceType, resourceName }] }, { anyController: true });
    const r = res.resources[0]!;
    check(r, label);
    // Secrets are never printed (kafka-configs.sh: "sensitive=true" with no value).
    const configs = Object.entries(r.configs)
      .sort()
      .map(([k, v]): [string, string | null] => [k, isSensitiveConfig(k) ? null : v]);
    if (args.json) console.log(JSON.stringify(Object.fromEntries(configs)));
    else {
      console.log(`Dynamic configs for ${label} are:`);
      for (const [k, v] of configs) console.log(v === null ? `  ${k}=null sensitive=true` : `  ${k}=${v}`);
    }
    return;
  }
  const configs = alterations(args);
  const res = await client.incrementalAlterConfigs({ resources: [{ resourceType, resourceName, configs }] });
  check(res.resources[0]!, label);
  console.log(`Completed updating config for ${label}.`);
}

async function quotaConfigs(
  quotas: QuotaBackend,
  scramOf: (label: string) => ScramBackend,
  args: ConfigsArgs,
): Promise<void> {
  const entityType = quotaEntityTypes[args['entity-type']]!;
  const name = args['entity-default'] ? null : (args['entity-name'] ?? null);
  const label = `${quotaLabels[entityType]} ${name === null ? '<default>' : `'${name}'`}`;
  const scram = scramOf(label);
  const showScram = entityType === 'user' && name !== null;
  if (args.describe) {
    const values = await quotas.describe(entityType, name);
    const creds = showScram ? await scram.describe(name) : [];
    const shown = creds.map((c) => ({
      mechanism: scramMechanismNames.get(c.mechanism) ?? String(c.mechanism),
      iterations: c.iterations,
    }));
    if (args.json) console.log(JSON.stringify({ quotas: values, ...(showScram ? { scram: shown } : {}) }));
    else {
      console.log(
        `Quota configs for ${label} are ${Object.entries(values)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}`,
      );
      if (showScram)
        console.log(
          `SCRAM credential configs for ${label} are ${shown.map((c) => `${c.mechanism}=iterations=${c.iterations}`).join(', ')}`,
        );
    }
    return;
  }
  const adds = parseConfigAssignments(args['add-config'] ?? '');
  const deletes = parseConfigNames(args['delete-config'] ?? '');
  const isScram = (k: string): boolean => scramMechanismByName.has(k);
  if (adds.length === 0 && deletes.length === 0) throw new Error('--alter needs --add-config and/or --delete-config');
  if ((adds.some((a) => isScram(a.name)) || deletes.some(isScram)) && !showScram)
    throw new Error('SCRAM credentials belong to a named user (--entity-type users --entity-name U)');
  const ops = [
    ...adds.filter((a) => !isScram(a.name)).map((a) => ({ key: a.name, value: Number(a.value), remove: false })),
    ...deletes.filter((k) => !isScram(k)).map((key) => ({ key, value: 0, remove: true })),
  ];
  if (ops.some((o) => !o.remove && Number.isNaN(o.value))) throw new Error('quota values must be numbers');
  if (ops.length > 0) await quotas.alter(entityType, name, ops);
  const upsertions = adds.filter((a) => isScram(a.name)).map((a) => scramUpsertion(name!, a.name, a.value));
  const deletions = deletes.filter(isScram).map((k) => ({ name: name!, mechanism: scramMechanismByName.get(k)! }));
  if (upsertions.length > 0 || deletions.length > 0) await scram.alter(deletions, upsertions);
  console.log(`Completed updating config for ${label}.`);
}

export const configsCommand: CommandModule<object, ConfigsArgs> = {
  command: 'configs',
  describe: 'Describe or alter topic, broker and cluster-default configs, client quotas and SCRAM credentials',
  builder: (y) =>
    y
      .option('bootstrap-controller', { type: 'string', describe: 'controllers (gRPC): every entity type' })
      .option('bootstrap-server', {
        type: 'string',
        describe:
          'brokers (Kafka protocol, with --command-config): topics, brokers, client quotas of users, clients, ips',
      })
      .option('all', { type: 'boolean', describe: 'with --describe --bootstrap-server: static and default values too' })
      .option('command-config', commandConfigOption)
      .option('entity-type', {
        type: 'string',
        demandOption: true,
        choices: ['topics', 'brokers', 'users', 'clients', 'ips'],
      })
      .option('entity-name', { type: 'string' })
      .option('entity-default', { type: 'boolean', describe: 'the default entity (brokers: the cluster-wide default)' })
      .option('describe', { type: 'boolean' })
      .option('alter', { type: 'boolean' })
      .option('add-config', {
        type: 'string',
        describe: 'k=v[,k=v...]; SCRAM: SCRAM-SHA-256=[iterations=8192,password=P]',
      })
      .option('delete-config', { type: 'string', describe: 'k[,k...]' })
      .option('json', { type: 'boolean' })
      .check((a) => {
        if (Boolean(a.describe) === Boolean(a.alter)) throw new Error('give exactly one of --describe or --alter');
        if (Boolean(a['bootstrap-controller']) === Boolean(a['bootstrap-server']))
          throw new Error('give exactly one of --bootstrap-controller or --bootstrap-server');
        if (!a['entity-name'] && !(a['entity-default'] && a['entity-type'] !== 'topics'))
          throw new Error('give --entity-name (or --entity-default, except for topics)');
        return true;
      }),
  handler: async (args) => {
    const server = args['bootstrap-server'];
    const label = args['entity-type'];
    if (server !== undefined) {
      // kafka-configs.sh --bootstrap-server: configs and client quotas over the Kafka protocol.
      try {
        const client = new KafkaClient(parseEndpoints(server), { security: clientSecurityOf(args) });
        try {
          if (args['entity-type'] in quotaEntityTypes)
            await quotaConfigs(kafkaQuotaBackend(client, label), (l) => kafkaScramBackend(client, l), args);
          else await resourceConfigsViaBroker(client, args);
        } finally {
          client.close();
        }
      } catch (err) {
        exitWithError(err);
      }
      return;
    }
    const client = new ControllerClient([parseEndpoint(args['bootstrap-controller']!)], controllerSecurityOf(args));
    try {
      if (args['entity-type'] in quotaEntityTypes)
        await quotaConfigs(controllerQuotaBackend(client, label), (l) => controllerScramBackend(client, l), args);
      else await resourceConfigs(client, args);
    } catch (err) {
      exitWithError(err);
    } finally {
      client.close();
    }
  },
};
