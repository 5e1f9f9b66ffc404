// `raftka acls --bootstrap-controller H:P --add | --remove | --list`, like kafka-acls.sh:
// --allow-principal / --deny-principal P, --operation OP (repeatable), one of --topic T,
// --group G, --transactional-id X, --cluster; --resource-pattern-type literal|prefixed; --host.
import type { CommandModule } from 'yargs';
import { ControllerClient } from '../client/controller-client.js';
import { errorName } from '../common/errors.js';
import { AclOperation, AclPatternType, AclPermission, AclResourceType } from '../protocol/acl-types.js';
import type { AclBinding, AclBinding__Output } from '../rpc/controller-rpc.js';
import { parseEndpoint } from '../common/endpoint.js';
import { exitWithError } from './errors.js';
import { type CommandConfigArgs, controllerSecurityOf, commandConfigOption } from './command-config.js';

interface AclsArgs extends CommandConfigArgs {
  'bootstrap-controller': string;
  add?: boolean;
  remove?: boolean;
  list?: boolean;
  'allow-principal'?: string;
  'deny-principal'?: string;
  operation?: string[];
  topic?: string;
  group?: string;
  'transactional-id'?: string;
  cluster?: boolean;
  'resource-pattern-type'?: string;
  host?: string;
  json?: boolean;
}

const operationCodes: Record<string, number> = Object.fromEntries(
  Object.entries(AclOperation).map(([k, v]) => [k.toLowerCase().replace(/_/g, ''), v]),
);
const names = (o: Record<string, number>): Map<number, string> => new Map(Object.entries(o).map(([k, v]) => [v, k]));
const resourceNames = names(AclResourceType);
const operationNames = names(AclOperation);
const permissionNames = names(AclPermission);
const patternNames = names(AclPatternType);

function resource(a: AclsArgs): { resourceType: number; resourceName: string } {
  if (a.topic) return { resourceType: AclResourceType.TOPIC, resourceName: a.topic };
  if (a.group) return { resourceType: AclResourceType.GROUP, resourceName: a.group };
  if (a['transactional-id'])
    return { resourceType: AclResourceType.TRANSACTIONAL_ID, resourceName: a['transactional-id'] };
  if (a.cluster) return { resourceType: AclResourceType.CLUSTER, resourceName: 'kafka-cluster' };
  return { resourceType: AclResourceType.ANY, resourceName: '' };
}

function bindings(a: AclsArgs, forFilter: boolean): AclBinding[] {
  const r = resource(a);
  const principal = a['allow-principal'] ?? a['deny-principal'] ?? '';
  const permissionType = a['allow-principal']
    ? AclPermission.ALLOW
    : a['deny-principal']
      ? AclPermission.DENY
      : AclPermission.ANY;
  const pattern = a['resource-pattern-type'] ?? (forFilter ? 'any' : 'literal');
  const patternType = {
    any: AclPatternType.ANY,
    match: AclPatternType.MATCH,
    literal: AclPatternType.LITERAL,
    prefixed: AclPatternType.PREFIXED,
  }[pattern];
  if (patternType === undefined)
    throw new Error(`--resource-pattern-type must be literal, prefixed, match or any, got "${pattern}"`);
  const ops = (a.operation ?? (forFilter ? ['any'] : [])).map((o) => {
    const code = operationCodes[o.toLowerCase().replace(/[-_]/g, '')];
    if (code === undefined) throw new Error(`unknown --operation ${o}`);
    return code;
  });
  if (ops.length === 0) throw new Error('--operation is required');
  return ops.map((operation) => ({
    ...r,
    patternType,
    principal,
    host: a.host ?? (forFilter ? '' : '*'),
    operation,
    permissionType,
  }));
}

function formatAcl(e: AclBinding__Output): string {
  return `(principal=${e.principal}, host=${e.host}, operation=${operationNames.get(e.operation)}, permissionType=${permissionNames.get(e.permissionType)}) on ${resourceNames.get(e.resourceType)}:${patternNames.get(e.patternType)}:${e.resourceName}`;
}

export const aclsCommand: CommandModule<object, AclsArgs> = {
  command: 'acls',
  describe: 'Add, remove and list ACLs (through the controllers)',
  builder: (y) =>
    y
      .option('bootstrap-controller', { type: 'string', demandOption: true })
      .option('command-config', commandConfigOption)
      .option('add', { type: 'boolean' })
      .option('remove', { type: 'boolean' })
      .option('list', { type: 'boolean' })
      .option('allow-principal', { type: 'string' })
      .option('deny-principal', { type: 'string' })
      .option('operation', { type: 'string', array: true })
      .option('topic', { type: 'string' })
      .option('group', { type: 'string' })
      .option('transactional-id', { type: 'string' })
      .option('cluster', { type: 'boolean' })
      .option('resource-pattern-type', { type: 'string' })
      .option('host', { type: 'string' })
      .option('json', { type: 'boolean' })
      .check((a) => {
        if ([a.add, a.remove, a.list].filter(Boolean).length !== 1)
          throw new Error('give exactly one of --add, --remove, --list');
        if (a.add && !a['allow-principal'] && !a['deny-principal'])
          throw new Error('--add needs --allow-principal or --deny-principal');
        return true;
      }),
  handler: async (args) => {
    const client = new ControllerClient([parseEndpoint(args['bootstrap-controller'])], controllerSecurityOf(args));
    try {
      const request = { acls: bindings(args, !args.add) };
      const res = args.add
        ? await client.createAcls(request)
        : args.remove
          ? await client.deleteAcls(request)
          : await client.describeAcls(request, { anyController: true });
      const results = res.results;
      const failed = results.filter((r) => r.errorCode !== 0);
      if (failed.length > 0)
        throw new Error(failed.map((r) => `${errorName(r.errorCode)}: ${r.errorMessage}`).join('\n'));
      const matched = results.flatMap((r) => r.matched);
      if (args.json) console.log(JSON.stringify(matched.map((m) => ({ ...m, id: undefined }))));
      else if (args.add) console.log(`Added ${results.length} ACL(s).`);
      else {
        if (args.remove) console.log(`Removed ${matched.length} ACL(s):`);
        for (const m of matched) console.log(`  ${formatAcl(m)}`);
      }
    } catch (err) {
      exitWithError(err);
    } finally {
      client.close();
    }
  },
};
