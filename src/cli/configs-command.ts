// `raftka configs --bootstrap-controller H:P --entity-type topics|brokers (--entity-name N |
// --entity-default) --describe | --alter [--add-config k=v,...] [--delete-config k,...]`,
// like kafka-configs.sh, through the controllers.
import type { CommandModule } from 'yargs';
import { ControllerClient } from '../client/controller-client.js';
import { errorName } from '../common/errors.js';
import { AlterConfigOp } from '../controller/config-control.js';
import { ConfigResourceType } from '../metadata/records.js';
import type { WireMessage } from '../raft/driver/raft-wire.js';
import { parseEndpoint } from './endpoint.js';
import { exitWithError } from './errors.js';

interface ConfigsArgs {
  'bootstrap-controller': string;
  'entity-type': string;
  'entity-name'?: string;
  'entity-default'?: boolean;
  describe?: boolean;
  alter?: boolean;
  'add-config'?: string;
  'delete-config'?: string;
  json?: boolean;
}

export function parseAddConfig(text: string): { name: string; value: string }[] {
  return text
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((kv) => {
      const i = kv.indexOf('=');
      if (i <= 0) throw new Error(`--add-config expects k=v[,k=v...], got "${kv}"`);
      return { name: kv.slice(0, i).trim(), value: kv.slice(i + 1).trim() };
    });
}

export const configsCommand: CommandModule<object, ConfigsArgs> = {
  command: 'configs',
  describe: 'Describe or alter topic, broker and cluster-default configs',
  builder: (y) =>
    y
      .option('bootstrap-controller', { type: 'string', demandOption: true })
      .option('entity-type', { type: 'string', demandOption: true, choices: ['topics', 'brokers'] })
      .option('entity-name', { type: 'string' })
      .option('entity-default', { type: 'boolean', describe: 'the cluster-wide broker default' })
      .option('describe', { type: 'boolean' })
      .option('alter', { type: 'boolean' })
      .option('add-config', { type: 'string', describe: 'k=v[,k=v...]' })
      .option('delete-config', { type: 'string', describe: 'k[,k...]' })
      .option('json', { type: 'boolean' })
      .check((a) => {
        if (Boolean(a.describe) === Boolean(a.alter)) throw new Error('give exactly one of --describe or --alter');
        if (!a['entity-name'] && !(a['entity-default'] && a['entity-type'] === 'brokers')) throw new Error('give --entity-name (or --entity-default for brokers)');
        return true;
      }),
  handler: async (args) => {
    const client = new ControllerClient([parseEndpoint(args['bootstrap-controller'])]);
    const resourceType = args['entity-type'] === 'topics' ? ConfigResourceType.TOPIC : ConfigResourceType.BROKER;
    const resourceName = args['entity-default'] ? '' : (args['entity-name'] ?? '');
    const label = `${args['entity-type'] === 'topics' ? 'topic' : 'broker'} ${resourceName === '' ? '<default>' : resourceName}`;
    try {
      if (args.describe) {
        const res = await client.call('DescribeConfigs', { resources: [{ resourceType, resourceName }] }, { anyController: true });
        const r = (res['resources'] as WireMessage[])[0]!;
        if (Number(r['errorCode']) !== 0) throw new Error(`${label}: ${errorName(Number(r['errorCode']))}: ${String(r['errorMessage'])}`);
        const configs = Object.entries((r['configs'] ?? {}) as Record<string, string>).sort();
        if (args.json) console.log(JSON.stringify(Object.fromEntries(configs)));
        else {
          console.log(`Dynamic configs for ${label} are:`);
          for (const [k, v] of configs) console.log(`  ${k}=${v}`);
        }
        return;
      }
      const configs = [
        ...parseAddConfig(args['add-config'] ?? '').map((c) => ({ ...c, op: AlterConfigOp.SET })),
        ...(args['delete-config'] ?? '').split(',').filter((k) => k.trim() !== '').map((name) => ({ name: name.trim(), op: AlterConfigOp.DELETE })),
      ];
      if (configs.length === 0) throw new Error('--alter needs --add-config and/or --delete-config');
      const res = await client.call('IncrementalAlterConfigs', { resources: [{ resourceType, resourceName, configs }] });
      const r = (res['resources'] as WireMessage[])[0]!;
      if (Number(r['errorCode']) !== 0) throw new Error(`${label}: ${errorName(Number(r['errorCode']))}: ${String(r['errorMessage'])}`);
      console.log(`Completed updating config for ${label}.`);
    } catch (err) {
      exitWithError(err);
    } finally {
      client.close();
    }
  },
};
