// /kafka-acl/<ResourceType>/<name> (literal) and /kafka-acl-extended/prefixed/<ResourceType>/<name>
// → one AclBindingModel per ACE. ZooKeeper stores {"version":1,"acls":[{principal,
// permissionType, operation, host}]} with Kafka's camel-case names ("Allow", "IdempotentWrite").
// An unknown resource type, operation or permission, or a bad entry, is invalid_acl (error: that
// binding is skipped); unreadable JSON is malformed_json (the resource's bindings are skipped).
import { aclOperations, aclPatternTypes, aclPermissions, aclResourceTypes } from './enums.js';
import type { AclBindingModel } from './model.js';
import { isObject, type ParseContext } from './parse-context.js';

const stores = [
  { root: '/kafka-acl', pattern: aclPatternTypes.LITERAL },
  { root: '/kafka-acl-extended/prefixed', pattern: aclPatternTypes.PREFIXED },
] as const;

export async function parseAcls(ctx: ParseContext): Promise<AclBindingModel[]> {
  const out: AclBindingModel[] = [];
  for (const { root, pattern } of stores) {
    for (const rt of await ctx.zk.children(root)) {
      const type = aclResourceTypes[rt];
      const resources = await ctx.zk.children(`${root}/${rt}`);
      if (!type) {
        if (resources.length > 0)
          ctx.report(
            'error',
            'invalid_acl',
            `${root}/${rt}`,
            `unknown ACL resource type ${rt}; its ACLs are not migrated`,
          );
        continue;
      }
      for (const name of resources) {
        const path = `${root}/${rt}/${name}`;
        const entity = `${pattern.name} ACLs of ${type.name} ${name}`;
        const obj = await ctx.object(path, entity);
        if (!obj) continue;
        const acls = obj['acls'];
        if (!Array.isArray(acls)) {
          ctx.report('error', 'invalid_znode', path, `${entity}: "acls" must be a list`);
          continue;
        }
        for (const e of acls) {
          const op = isObject(e) && typeof e['operation'] === 'string' ? aclOperations[e['operation']] : undefined;
          const perm =
            isObject(e) && typeof e['permissionType'] === 'string' ? aclPermissions[e['permissionType']] : undefined;
          if (
            !isObject(e) ||
            !op ||
            !perm ||
            typeof e['principal'] !== 'string' ||
            !e['principal'].includes(':') ||
            typeof e['host'] !== 'string' ||
            e['host'] === ''
          ) {
            ctx.report(
              'error',
              'invalid_acl',
              path,
              `${entity}: entry ${JSON.stringify(e)} needs principal TYPE:NAME, host, a known operation and Allow/Deny; not migrated`,
            );
            continue;
          }
          out.push({
            resourceType: type.name,
            resourceTypeCode: type.code,
            patternType: pattern.name,
            patternTypeCode: pattern.code,
            resourceName: name,
            principal: e['principal'],
            host: e['host'],
            operation: op.name,
            operationCode: op.code,
            permissionType: perm.name,
            permissionTypeCode: perm.code,
          });
        }
      }
    }
  }
  return out;
}
