// A secured ZooKeeper-mode cluster migrated into raftka keeps its security model with no manual
// step (issue 16): three combined nodes with a SASL_PLAINTEXT listener (SCRAM and PLAIN) beside
// PLAINTEXT, StandardAuthorizer on, only the brokers' own login (`User:admin`, PLAIN) a super
// user. After `migrate apply` of the sample fixture, its SCRAM users log in with the passwords
// they had under ZooKeeper and its ACLs decide what they may do: alice writes `orders`, bob reads
// it in the group `orders-consumers` but may not write it, carol reads it; a wrong password and an
// anonymous client on PLAINTEXT are kept out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterFixture, freePorts } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import { sampleTree } from '../migration/expected.js';

const adminJaas =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret";';

test('migrated SCRAM users and ACLs: the right users in, the wrong ones out', { timeout: 240_000 }, async (t) => {
  const sasl = await freePorts(3);
  const f = await ClusterFixture.combined({
    nodes: 3,
    extra: { 'group.initial.rebalance.delay.ms': '0' },
    perNode: (k, layout) => ({
      listeners: [
        `PLAINTEXT://127.0.0.1:${layout.kafka[k]}`,
        `SASL_PLAINTEXT://127.0.0.1:${sasl[k]}`,
        `CONTROLLER://127.0.0.1:${layout.controller[k]}`,
      ].join(','),
      'inter.broker.listener.name': 'SASL_PLAINTEXT',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512,PLAIN',
      'sasl.mechanism.inter.broker.protocol': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': adminJaas,
      'authorizer.class.name': 'StandardAuthorizer',
      'super.users': 'User:admin',
    }),
  });
  t.after(() => f.destroy());
  await f.up();
  const clusterId = (await f.quorumStatus()).clusterId;
  // The sample's znode tree, carrying this cluster's id (a migration refuses another cluster's).
  const tree = JSON.parse(readFileSync(sampleTree, 'utf8')) as Record<string, { data: string }>;
  tree['/cluster/id']!.data = JSON.stringify({ version: '1', id: clusterId });
  const dump = join(f.root, 'sample-tree.json');
  writeFileSync(dump, JSON.stringify(tree));
  const controllers = f.controllerPorts.map((p) => `127.0.0.1:${p}`).join(',');
  const applied = JSON.parse(
    await f.raftka('migrate', 'apply', '--zk-dump', dump, '--bootstrap-controller', controllers, '--force', '--json'),
  ) as { outcome: string };
  assert.equal(applied.outcome, 'applied');

  const bs = sasl.map((p) => `127.0.0.1:${p}`).join(',');
  const as = (mechanism: string, user: string, password: string): string[] => [
    ...['-b', bs, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', `sasl.mechanisms=${mechanism}`],
    ...['-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`],
  ];
  const alice = as('SCRAM-SHA-256', 'alice', 'alice-secret');
  const bob = as('SCRAM-SHA-512', 'bob', 'bob-secret');
  const carol = as('SCRAM-SHA-256', 'carol', 'carol-secret');

  // alice (ZooKeeper ACL: WRITE on orders) writes, with acks=all under the migrated min.insync.replicas=2.
  const lines = Array.from({ length: 20 }, (_, i) => `m${i}`);
  const wrote = await kcat(
    [...alice, '-P', '-t', 'orders', '-p', '0', '-X', 'acks=all', '-X', 'message.timeout.ms=30000'],
    `${lines.join('\n')}\n`,
  );
  assert.equal(wrote.code, 0, wrote.stderr);

  // bob (READ on orders and on the group orders-consumers) reads in his group.
  const read = await kcat(
    [...bob, '-G', 'orders-consumers', '-o', 'beginning', '-e', '-q', 'orders'],
    undefined,
    60_000,
  );
  assert.equal(read.code, 0, read.stderr);
  assert.deepEqual(read.stdout.trim().split('\n').sort(), [...lines].sort());

  // carol (READ on orders) reads partition 0 without a group.
  const carolRead = await kcat([...carol, '-C', '-t', 'orders', '-p', '0', '-o', 'beginning', '-e', '-q']);
  assert.equal(carolRead.code, 0, carolRead.stderr);
  assert.equal(carolRead.stdout.trim().split('\n').length, lines.length);

  // bob may not write: the broker refuses with TOPIC_AUTHORIZATION_FAILED and stores nothing.
  const bobWrite = await kcat([...bob, '-P', '-t', 'orders', '-p', '0', '-X', 'message.timeout.ms=5000'], 'nope\n');
  assert.notEqual(bobWrite.code, 0);
  assert.match(bobWrite.stderr, /Topic authorization failed/i);
  // alice with a wrong password, and anyone anonymous on PLAINTEXT, are kept out.
  const wrong = await kcat([...as('SCRAM-SHA-256', 'alice', 'not-her-password'), '-L', '-m', '1'], undefined, 20_000);
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /SASL authentication error/);
  const anonymous = await kcat(
    ['-b', f.bootstrapServers, '-C', '-t', 'orders', '-p', '0', '-o', 'beginning', '-e', '-q'],
    undefined,
    20_000,
  );
  assert.notEqual(anonymous.code, 0);
  assert.match(anonymous.stderr, /authorization failed/i);
  const after = await kcat([...carol, '-C', '-t', 'orders', '-p', '0', '-o', 'beginning', '-e', '-q']);
  assert.equal(after.stdout.trim().split('\n').length, lines.length, "bob's refused write left the log as it was");
});
