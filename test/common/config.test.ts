import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadNodeConfig, parseNodeConfig } from '../../src/common/config.js';

const controller = {
  'node.id': '1',
  'process.roles': 'controller',
  'controller.quorum.voters': '1@127.0.0.1:9093,2@127.0.0.1:9193,3@127.0.0.1:9293',
  listeners: 'CONTROLLER://127.0.0.1:9093',
  'controller.listener.names': 'CONTROLLER',
};

const parse = (props: Record<string, string>) => parseNodeConfig(new Map(Object.entries(props)), 'node.properties');

function rejects(props: Record<string, string>, pattern: RegExp): void {
  assert.throws(
    () => parse(props),
    (err: unknown) =>
      err instanceof ConfigError && /^node\.properties: /.test(err.message) && pattern.test(err.message),
  );
}

test('a minimal controller config gets Kafka defaults', () => {
  const c = parse(controller);
  assert.equal(c.nodeId, 1);
  assert.deepEqual(c.processRoles, ['controller']);
  assert.deepEqual(
    c.quorumVoters.map((v) => [v.id, v.host, v.port]),
    [
      [1, '127.0.0.1', 9093],
      [2, '127.0.0.1', 9193],
      [3, '127.0.0.1', 9293],
    ],
  );
  assert.deepEqual(c.listeners, [{ name: 'CONTROLLER', host: '127.0.0.1', port: 9093 }]);
  assert.equal(c.quorumElectionTimeoutMs, 1000);
  assert.equal(c.quorumFetchTimeoutMs, 2000);
  assert.equal(c.quorumElectionBackoffMaxMs, 1000);
  assert.equal(c.quorumRetryBackoffMs, 20);
  assert.equal(c.metadataMaxIdleIntervalMs, 500);
  assert.equal(c.metadataLogMaxRecordBytesBetweenSnapshots, 20 * 1024 * 1024);
  assert.equal(c.brokerSessionTimeoutMs, 9000);
  assert.equal(c.minInsyncReplicas, 1);
  assert.equal(c.offsetsTopicReplicationFactor, 3);
  assert.equal(c.autoCreateTopicsEnable, true);
  assert.equal(c.uncleanLeaderElectionEnable, false);
  assert.equal(c.autoLeaderRebalanceEnable, true);
  assert.equal(c.leaderImbalanceCheckIntervalSeconds, 300);
  assert.deepEqual(c.logDirs, ['/tmp/kraft-combined-logs']);
  assert.equal(c.metadataLogDir, '/tmp/kraft-combined-logs');
  assert.equal(c.logRetentionMs, 168 * 3_600_000);
  assert.equal(c.adminListener, null);
});

test('values from the file are typed; metadata.log.dir defaults to the first log dir', () => {
  const c = parse({
    ...controller,
    'log.dirs': '/a,/b',
    'controller.quorum.fetch.timeout.ms': '300',
    'admin.listener': '127.0.0.1:9096',
    'log.retention.minutes': '2',
    'unclean.leader.election.enable': 'TRUE',
  });
  assert.deepEqual(c.logDirs, ['/a', '/b']);
  assert.equal(c.metadataLogDir, '/a');
  assert.equal(c.quorumFetchTimeoutMs, 300);
  assert.deepEqual(c.adminListener, { host: '127.0.0.1', port: 9096 });
  assert.equal(c.logRetentionMs, 120_000);
  assert.equal(c.uncleanLeaderElectionEnable, true);
});

test('unknown keys and invalid values name the key and the file', () => {
  rejects({ ...controller, 'no.such.key': 'x' }, /unknown property no\.such\.key/);
  rejects(
    { ...controller, 'controller.quorum.fetch.timeout.ms': 'abc' },
    /controller\.quorum\.fetch\.timeout\.ms: "abc" is not an integer/,
  );
  rejects({ ...controller, 'controller.quorum.fetch.timeout.ms': '12abc' }, /not an integer/);
  rejects({ ...controller, 'controller.quorum.fetch.timeout.ms': '1.5' }, /not an integer/);
  rejects({ ...controller, 'controller.quorum.fetch.timeout.ms': '0' }, /out of range/);
  rejects(
    { ...controller, 'auto.create.topics.enable': 'yes' },
    /auto\.create\.topics\.enable: "yes" is not true or false/,
  );
  rejects({ ...controller, listeners: 'CONTROLLER:9093' }, /listeners: "CONTROLLER:9093" is not NAME:\/\/host:port/);
  rejects({ ...controller, listeners: 'CONTROLLER://h:99999' }, /not host:port/);
  rejects({ ...controller, 'controller.quorum.voters': '1-127.0.0.1:9093' }, /not id@host:port/);
});

test('cross-key rules: roles, voters, listeners, dependent limits', () => {
  const { 'node.id': _n, ...noId } = controller;
  rejects(noId, /missing required property node\.id/);
  rejects({ ...controller, 'process.roles': 'gateway' }, /process\.roles/);
  rejects({ ...controller, 'process.roles': 'controller,controller' }, /listed twice/);
  rejects({ ...controller, 'node.id': '7' }, /node\.id 7 is a controller but is not in controller\.quorum\.voters/);
  rejects({ ...controller, 'controller.quorum.voters': '' }, /controller\.quorum\.voters/);
  rejects({ ...controller, 'controller.listener.names': '' }, /controller\.listener\.names is required/);
  rejects(
    { ...controller, listeners: 'PLAINTEXT://127.0.0.1:9092' },
    /no listener named in controller\.listener\.names/,
  );
  rejects(
    { ...controller, 'process.roles': 'broker', 'node.id': '9' },
    /broker-only node must not listen on a controller listener/,
  );
  rejects({ ...controller, 'broker.heartbeat.interval.ms': '9000' }, /must be below broker\.session\.timeout\.ms/);
});

test('a combined node and a broker-only node parse', () => {
  const combined = parse({
    ...controller,
    'process.roles': 'broker,controller',
    listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
  });
  assert.deepEqual(combined.processRoles, ['broker', 'controller']);
  assert.deepEqual(
    combined.advertisedListeners.map((l) => l.name),
    ['PLAINTEXT'],
  );
  const broker = parse({
    ...controller,
    'node.id': '100',
    'process.roles': 'broker',
    listeners: 'PLAINTEXT://127.0.0.1:9092',
  });
  assert.deepEqual(broker.processRoles, ['broker']);
});

test('loadNodeConfig reads a file, overrides win, and errors name the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-config-'));
  try {
    const path = join(dir, 'c.properties');
    writeFileSync(
      path,
      Object.entries(controller)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
    );
    const c = loadNodeConfig(
      path,
      new Map([
        ['log.dirs', '/data/x'],
        ['controller.quorum.election.timeout.ms', '150'],
      ]),
    );
    assert.equal(c.sourcePath, path);
    assert.deepEqual(c.logDirs, ['/data/x']);
    assert.equal(c.quorumElectionTimeoutMs, 150);
    writeFileSync(path, 'node.id=x\n');
    assert.throws(
      () => loadNodeConfig(path),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith(`${path}: `),
    );
    assert.throws(() => loadNodeConfig(join(dir, 'missing.properties')), /cannot read the config file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every shipped cluster config parses', async () => {
  const { readdirSync } = await import('node:fs');
  const { repoPath } = await import('../../src/common/paths.js');
  for (const folder of readdirSync(repoPath('cluster-configs'))) {
    for (const file of readdirSync(repoPath('cluster-configs', folder)).filter((f) => f.endsWith('.properties'))) {
      const c = loadNodeConfig(repoPath('cluster-configs', folder, file));
      for (const l of c.listeners) assert.equal(l.host, '127.0.0.1', `${folder}/${file} binds 127.0.0.1 only`);
    }
  }
});

test('authorizer configs: StandardAuthorizer (full or short name) turns ACLs on; anything else is refused', () => {
  const off = parse(controller);
  assert.equal(off.authorizerEnabled, false);
  assert.deepEqual(off.superUsers, []);
  assert.equal(off.allowEveryoneIfNoAclFound, false);
  for (const name of ['org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'StandardAuthorizer']) {
    const c = parse({
      ...controller,
      'authorizer.class.name': name,
      'super.users': 'User:admin; User:CN=broker,OU=ops;',
      'allow.everyone.if.no.acl.found': 'true',
    });
    assert.equal(c.authorizerEnabled, true);
    assert.deepEqual(c.superUsers, ['User:admin', 'User:CN=broker,OU=ops']);
    assert.equal(c.allowEveryoneIfNoAclFound, true);
  }
  rejects(
    { ...controller, 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer' },
    /not supported.*StandardAuthorizer/,
  );
  rejects({ ...controller, 'super.users': 'admin' }, /super\.users: "admin" is not a principal/);
  rejects({ ...controller, 'allow.everyone.if.no.acl.found': 'yes' }, /allow\.everyone\.if\.no\.acl\.found/);
});
