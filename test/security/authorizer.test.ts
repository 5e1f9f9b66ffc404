// The ACL authorizer's decisions, case by case against Kafka's StandardAuthorizer rules:
// literal, wildcard and prefixed patterns, DENY over ALLOW, implied DESCRIBE, hosts, wildcard
// principals, super users, the no-ACL default, index refresh on a new ACL map, and
// authorizeAny (KIP-679).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { AclEntry } from '../../src/metadata/image.js';
import {
  AclOperation as Op,
  AclPatternType,
  AclPermission,
  AclResourceType as Res,
} from '../../src/protocol/acl-types.js';
import { AclAuthorizer, type Requester } from '../../src/security/authorizer.js';

let nextId = 0;
function acl(
  resourceType: number,
  resourceName: string,
  operation: number,
  options: { principal?: string; host?: string; deny?: boolean; prefixed?: boolean } = {},
): AclEntry {
  return {
    id: String(nextId++),
    resourceType,
    resourceName,
    patternType: options.prefixed ? AclPatternType.PREFIXED : AclPatternType.LITERAL,
    principal: options.principal ?? 'User:alice',
    host: options.host ?? '*',
    operation,
    permissionType: options.deny ? AclPermission.DENY : AclPermission.ALLOW,
  };
}

function authorizer(acls: AclEntry[], opts: { superUsers?: string[]; allowEveryone?: boolean } = {}): AclAuthorizer {
  const map = new Map(acls.map((a) => [a.id, a]));
  return new AclAuthorizer(
    { superUsers: new Set(opts.superUsers ?? []), allowEveryoneIfNoAclFound: opts.allowEveryone ?? false },
    () => map,
  );
}

const alice: Requester = { principal: 'User:alice', host: '10.0.0.1' };
const bob: Requester = { principal: 'User:bob', host: '10.0.0.2' };

describe('AclAuthorizer', () => {
  it('a literal ALLOW grants that operation on that name only', () => {
    const a = authorizer([acl(Res.TOPIC, 'orders', Op.READ)]);
    assert.equal(a.authorize(alice, Op.READ, Res.TOPIC, 'orders'), true);
    assert.equal(a.authorize(alice, Op.WRITE, Res.TOPIC, 'orders'), false);
    assert.equal(a.authorize(alice, Op.READ, Res.TOPIC, 'orders2'), false);
    assert.equal(a.authorize(bob, Op.READ, Res.TOPIC, 'orders'), false);
    assert.equal(a.authorize(alice, Op.READ, Res.GROUP, 'orders'), false);
  });

  it('prefixed patterns match names that start with them; a literal never matches a longer name', () => {
    const a = authorizer([acl(Res.TOPIC, 'pay', Op.WRITE, { prefixed: true }), acl(Res.TOPIC, 'ord', Op.WRITE)]);
    assert.equal(a.authorize(alice, Op.WRITE, Res.TOPIC, 'payments'), true);
    assert.equal(a.authorize(alice, Op.WRITE, Res.TOPIC, 'pay'), true);
    assert.equal(a.authorize(alice, Op.WRITE, Res.TOPIC, 'pa'), false);
    assert.equal(a.authorize(alice, Op.WRITE, Res.TOPIC, 'orders'), false);
  });

  it('the literal * matches every name of the type', () => {
    const a = authorizer([acl(Res.GROUP, '*', Op.READ)]);
    assert.equal(a.authorize(alice, Op.READ, Res.GROUP, 'any-group'), true);
    assert.equal(a.authorize(alice, Op.READ, Res.TOPIC, 'any-topic'), false);
  });

  it('DENY beats ALLOW, whichever pattern carries it', () => {
    const a = authorizer([
      acl(Res.TOPIC, '*', Op.ALL),
      acl(Res.TOPIC, 'secret', Op.READ, { deny: true, prefixed: true }),
    ]);
    assert.equal(a.authorize(alice, Op.READ, Res.TOPIC, 'public'), true);
    assert.equal(a.authorize(alice, Op.READ, Res.TOPIC, 'secret-plans'), false);
    assert.equal(a.authorize(alice, Op.WRITE, Res.TOPIC, 'secret-plans'), true, 'the DENY is for READ only');
  });

  it('READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; a DENY implies nothing', () => {
    for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]) {
      assert.equal(authorizer([acl(Res.TOPIC, 't', op)]).authorize(alice, Op.DESCRIBE, Res.TOPIC, 't'), true);
    }
    assert.equal(authorizer([acl(Res.TOPIC, 't', Op.CREATE)]).authorize(alice, Op.DESCRIBE, Res.TOPIC, 't'), false);
    const cfg = authorizer([acl(Res.TOPIC, 't', Op.ALTER_CONFIGS)]);
    assert.equal(cfg.authorize(alice, Op.DESCRIBE_CONFIGS, Res.TOPIC, 't'), true);
    const denyRead = authorizer([acl(Res.TOPIC, 't', Op.DESCRIBE), acl(Res.TOPIC, 't', Op.READ, { deny: true })]);
    assert.equal(denyRead.authorize(alice, Op.DESCRIBE, Res.TOPIC, 't'), true, 'a READ deny does not deny DESCRIBE');
  });

  it('ALL matches every operation, for ALLOW and for DENY', () => {
    assert.equal(authorizer([acl(Res.TOPIC, 't', Op.ALL)]).authorize(alice, Op.ALTER, Res.TOPIC, 't'), true);
    const denied = authorizer([acl(Res.TOPIC, 't', Op.READ), acl(Res.TOPIC, 't', Op.ALL, { deny: true })]);
    assert.equal(denied.authorize(alice, Op.READ, Res.TOPIC, 't'), false);
  });

  it('hosts: an ACL for one address applies only from it; * from anywhere', () => {
    const a = authorizer([acl(Res.TOPIC, 't', Op.READ, { host: '10.0.0.1' })]);
    assert.equal(a.authorize(alice, Op.READ, Res.TOPIC, 't'), true);
    assert.equal(a.authorize({ principal: 'User:alice', host: '10.0.0.9' }, Op.READ, Res.TOPIC, 't'), false);
  });

  it('User:* matches every principal', () => {
    const a = authorizer([acl(Res.TOPIC, 't', Op.READ, { principal: 'User:*' })]);
    assert.equal(a.authorize(bob, Op.READ, Res.TOPIC, 't'), true);
  });

  it('super users pass every check, DENY ACLs included', () => {
    const a = authorizer([acl(Res.TOPIC, 't', Op.ALL, { principal: 'User:*', deny: true })], {
      superUsers: ['User:admin'],
    });
    assert.equal(a.authorize({ principal: 'User:admin', host: '1.2.3.4' }, Op.DELETE, Res.TOPIC, 't'), true);
    assert.equal(a.authorize(alice, Op.READ, Res.TOPIC, 't'), false);
  });

  it('no ACL on the resource: allow.everyone.if.no.acl.found decides; some ACL on it: deny unless one allows', () => {
    const open = authorizer([acl(Res.TOPIC, 'guarded', Op.READ)], { allowEveryone: true });
    assert.equal(open.authorize(bob, Op.WRITE, Res.TOPIC, 'free'), true);
    assert.equal(open.authorize(bob, Op.READ, Res.TOPIC, 'guarded'), false, 'an ACL for alice guards it from bob');
    const closed = authorizer([], { allowEveryone: false });
    assert.equal(closed.authorize(bob, Op.WRITE, Res.TOPIC, 'free'), false);
  });

  it('sees a new ACL map at the next check', () => {
    let map = new Map<string, AclEntry>();
    const a = new AclAuthorizer({ superUsers: new Set(), allowEveryoneIfNoAclFound: false }, () => map);
    assert.equal(a.authorize(alice, Op.READ, Res.TOPIC, 't'), false);
    const entry = acl(Res.TOPIC, 't', Op.READ);
    map = new Map([[entry.id, entry]]);
    assert.equal(a.authorize(alice, Op.READ, Res.TOPIC, 't'), true);
  });

  it('authorizeAny: some allowed name not covered by a deny', () => {
    assert.equal(authorizer([acl(Res.TOPIC, 'x', Op.WRITE)]).authorizeAny(alice, Op.WRITE, Res.TOPIC), true);
    assert.equal(authorizer([acl(Res.TOPIC, 'x', Op.READ)]).authorizeAny(alice, Op.WRITE, Res.TOPIC), false);
    const covered = authorizer([
      acl(Res.TOPIC, 'abc', Op.WRITE),
      acl(Res.TOPIC, 'ab', Op.WRITE, { prefixed: true, deny: true }),
    ]);
    assert.equal(covered.authorizeAny(alice, Op.WRITE, Res.TOPIC), false);
    const wildcardDeny = authorizer([acl(Res.TOPIC, 'x', Op.WRITE), acl(Res.TOPIC, '*', Op.WRITE, { deny: true })]);
    assert.equal(wildcardDeny.authorizeAny(alice, Op.WRITE, Res.TOPIC), false);
    const prefixAllow = authorizer([acl(Res.TOPIC, 'p', Op.ALL, { prefixed: true })]);
    assert.equal(prefixAllow.authorizeAny(alice, Op.WRITE, Res.TOPIC), true);
    assert.equal(authorizer([], { superUsers: ['User:alice'] }).authorizeAny(alice, Op.WRITE, Res.TOPIC), true);
    assert.equal(authorizer([], { allowEveryone: true }).authorizeAny(alice, Op.WRITE, Res.TOPIC), true);
  });

  it('authorizeAny: a wildcard DENY beats a wildcard ALLOW whichever was created first', () => {
    for (const order of [
      [acl(Res.TOPIC, '*', Op.WRITE), acl(Res.TOPIC, '*', Op.WRITE, { deny: true })],
      [acl(Res.TOPIC, '*', Op.WRITE, { deny: true }), acl(Res.TOPIC, '*', Op.WRITE)],
    ]) {
      // A name-specific check denies too, so the short cut through authorize() cannot answer first.
      const a = authorizer([...order, acl(Res.TOPIC, 'x', Op.WRITE)]);
      assert.equal(a.authorizeAny(alice, Op.WRITE, Res.TOPIC), false);
    }
    // A wildcard ALLOW with only a prefixed DENY still allows (Kafka: the wildcard allow wins).
    const a = authorizer([
      acl(Res.TOPIC, '*', Op.WRITE),
      acl(Res.TOPIC, 'a', Op.WRITE, { deny: true, prefixed: true }),
    ]);
    assert.equal(a.authorizeAny(alice, Op.WRITE, Res.TOPIC), true);
  });
});
