// The broker's request authorization (src/broker/authorization.ts): no authorizer means one shared
// allow-all answer; with one, decisions per request are memoised, denials are logged (Kafka's
// audit line) and counted once, quiet checks leave no trace, authorized-operations bit fields, and
// the helpers handlers use (actOnAllowed, requireCluster, the rules table's coverage).
import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import {
  actOnAllowed,
  authorizationErrorFor,
  BrokerAuthorization,
  clusterAuthorizedOperations,
  clusterResourceName,
  requireCluster,
} from '../../src/broker/authorization.js';
import { apiAclRules } from '../../src/broker/authorization-rules.js';
import { brokerHandlers } from '../../src/broker/kafka-apis.js';
import type { BrokerApiContext } from '../../src/broker/api-context.js';
import { ErrorCode } from '../../src/common/errors.js';
import type { AclEntry } from '../../src/metadata/image.js';
import {
  AclOperation as Op,
  AclPatternType,
  AclPermission,
  AclResourceType as Res,
} from '../../src/protocol/acl-types.js';
import { AclAuthorizer } from '../../src/security/authorizer.js';
import { readFileSync } from 'node:fs';
import { repoPath } from '../../src/common/paths.js';

const who = { principal: 'User:alice', clientHost: '10.0.0.1' };

function allow(resourceType: number, resourceName: string, operation: number, deny = false): AclEntry {
  return {
    id: `${resourceType}/${resourceName}/${operation}/${deny}`,
    resourceType,
    resourceName,
    patternType: AclPatternType.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation,
    permissionType: deny ? AclPermission.DENY : AclPermission.ALLOW,
  };
}

function setup(acls: AclEntry[], superUsers: string[] = []) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const registry = new Registry();
  let reads = 0;
  const map = new Map(acls.map((a) => [a.id, a]));
  const authorizer = new AclAuthorizer({ superUsers: new Set(superUsers), allowEveryoneIfNoAclFound: false }, () => {
    reads++;
    return map;
  });
  const authz = new BrokerAuthorization(authorizer, { logger: pino(sink), registry });
  const denied = async (): Promise<number> =>
    ((await registry.getSingleMetric('raftka_authorization_denied_total')?.get())?.values ?? []).reduce(
      (n, v) => n + v.value,
      0,
    );
  return { authz, lines, registry, denied, reads: () => reads };
}

describe('BrokerAuthorization', () => {
  it('without an authorizer every request gets the same allow-all answer', () => {
    const a = BrokerAuthorization.none.forRequest(who, 'Produce');
    assert.equal(a, BrokerAuthorization.none.forRequest(who, 'Fetch'), 'one shared object, nothing allocated');
    assert.equal(a.enabled, false);
    assert.equal(a.topic(Op.WRITE, 'x'), true);
    assert.equal(a.cluster(Op.ALTER), true);
    assert.equal(a.anyResource(Op.WRITE, Res.TOPIC), true);
    // Kafka without an authorizer reports every supported operation.
    assert.equal(a.authorizedOperations(Res.TRANSACTIONAL_ID, 't'), (1 << Op.DESCRIBE) | (1 << Op.WRITE));
  });

  it('asks the authorizer once per resource and operation in a request', () => {
    const s = setup([allow(Res.TOPIC, 'orders', Op.WRITE)]);
    const a = s.authz.forRequest(who, 'Produce');
    assert.equal(a.enabled, true);
    for (let i = 0; i < 5; i++) assert.equal(a.topic(Op.WRITE, 'orders'), true);
    assert.equal(s.reads(), 1, 'memoised: the image was read once');
    assert.equal(a.topic(Op.READ, 'orders'), false);
    assert.equal(s.reads(), 2);
    // A new request asks again (ACLs may have changed in between).
    s.authz.forRequest(who, 'Produce').topic(Op.WRITE, 'orders');
    assert.equal(s.reads(), 3);
  });

  it('a denial is logged with principal, host, operation and resource, and counted once', async () => {
    const s = setup([]);
    const a = s.authz.forRequest(who, 'Fetch');
    assert.equal(a.topic(Op.READ, 'secret'), false);
    assert.equal(a.topic(Op.READ, 'secret'), false);
    assert.equal(s.lines.length, 1);
    const line = s.lines[0]!;
    assert.equal(line.level, 30, 'info');
    assert.equal(line.component, 'authorizer');
    assert.equal(line.principal, 'User:alice');
    assert.equal(line.host, '10.0.0.1');
    assert.equal(line.operation, 'READ');
    assert.equal(line.resource, 'Topic:LITERAL:secret');
    assert.equal(line.api, 'Fetch');
    assert.equal(await s.denied(), 1);
    const text = await s.registry.metrics();
    assert.match(text, /raftka_authorization_denied_total\{operation="READ",resource_type="TOPIC"\} 1/);
  });

  it('quiet checks (filters) leave no trace; a later loud check of the same thing reports it', async () => {
    const s = setup([]);
    const a = s.authz.forRequest(who, 'Metadata');
    assert.equal(a.topic(Op.DESCRIBE, 'hidden', true), false);
    assert.equal(s.lines.length, 0);
    assert.equal(await s.denied(), 0);
    assert.equal(a.topic(Op.DESCRIBE, 'hidden'), false);
    assert.equal(s.lines.length, 1);
    assert.equal(await s.denied(), 1);
  });

  it('super users are allowed everything, DENY ACLs included', () => {
    const s = setup([allow(Res.TOPIC, 'x', Op.ALL, true)], ['User:alice']);
    const a = s.authz.forRequest(who, 'Produce');
    assert.equal(a.topic(Op.WRITE, 'x'), true);
    assert.equal(a.cluster(Op.ALTER), true);
  });

  it('authorized operations: bits of the allowed operations; the cluster needs DESCRIBE to show them', () => {
    const s = setup([allow(Res.TOPIC, 't', Op.READ), allow(Res.GROUP, 'g', Op.DELETE)]);
    const a = s.authz.forRequest(who, 'Metadata');
    // READ implies DESCRIBE.
    assert.equal(a.authorizedOperations(Res.TOPIC, 't'), (1 << Op.READ) | (1 << Op.DESCRIBE));
    assert.equal(a.authorizedOperations(Res.GROUP, 'g'), (1 << Op.DELETE) | (1 << Op.DESCRIBE));
    assert.equal(clusterAuthorizedOperations(a), 0);
    const c = setup([allow(Res.CLUSTER, clusterResourceName, Op.ALTER)]).authz.forRequest(who, 'DescribeCluster');
    assert.equal(clusterAuthorizedOperations(c), (1 << Op.ALTER) | (1 << Op.DESCRIBE));
    assert.equal(s.lines.length, 1, 'only the DESCRIBE Cluster check is a reported denial');
  });

  it('anyResource follows KIP-679 (an idempotent producer with WRITE on some topic)', () => {
    const a = setup([allow(Res.TOPIC, 'x', Op.WRITE)]).authz.forRequest(who, 'InitProducerId');
    assert.equal(a.anyResource(Op.WRITE, Res.TOPIC), true);
    assert.equal(a.anyResource(Op.READ, Res.TOPIC), false);
  });
});

describe('authorization helpers', () => {
  it('each resource type has its error code', () => {
    assert.equal(authorizationErrorFor(Res.TOPIC), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    assert.equal(authorizationErrorFor(Res.GROUP), ErrorCode.GROUP_AUTHORIZATION_FAILED);
    assert.equal(authorizationErrorFor(Res.CLUSTER), ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    assert.equal(authorizationErrorFor(Res.TRANSACTIONAL_ID), ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  });

  it('actOnAllowed acts on the allowed items only and keeps the request order', async () => {
    const seen: string[][] = [];
    const out = await actOnAllowed(
      ['a', 'B', 'c', 'D'],
      (x) => x === x.toLowerCase(),
      (allowed) => {
        seen.push([...allowed]);
        return allowed.map((x) => `ok:${x}`);
      },
      (x) => `denied:${x}`,
    );
    assert.deepEqual(seen, [['a', 'c']]);
    assert.deepEqual(out, ['ok:a', 'denied:B', 'ok:c', 'denied:D']);
    const items = ['x', 'y'];
    await actOnAllowed(
      items,
      () => true,
      (allowed) => {
        assert.equal(allowed, items, 'nothing denied: the caller array itself');
        return [];
      },
      () => '',
    );
  });

  it('requireCluster runs the handler only with the operation on the cluster', async () => {
    const s = setup([allow(Res.CLUSTER, clusterResourceName, Op.DESCRIBE)]);
    const a = s.authz.forRequest(who, 'DescribeAcls');
    let ran = 0;
    const handle = () => {
      ran++;
      return 'answer';
    };
    assert.equal(
      requireCluster(a, Op.DESCRIBE, handle, () => 'refused'),
      'answer',
    );
    assert.equal(
      requireCluster(a, Op.ALTER, handle, (code, message) => `${code} ${message}`),
      '31 Cluster authorization failed.',
    );
    assert.equal(ran, 1);
  });

  it('every API the broker serves has an ACL rule, and docs/security.md lists each rule', () => {
    const ctx = {
      replicas: { currentImage: () => null },
      groups: {},
      txn: { coordinator: {}, markers: {} },
      config: {},
    } as unknown as BrokerApiContext; // nothing runs: only the registry's names are read
    const served = brokerHandlers(ctx).apiNames();
    assert.ok(served.length > 30);
    for (const name of served) assert.ok(apiAclRules[name], `${name} is served but has no ACL rule`);
    const docs = readFileSync(repoPath('docs', 'security.md'), 'utf8');
    for (const name of Object.keys(apiAclRules))
      assert.match(docs, new RegExp(`^\\| ${name} \\|`, 'm'), `docs/security.md has no row for ${name}`);
  });
});
