// The gRPC links between nodes over mutual TLS (CONTROLLER:SSL and REPLICATION:SSL): two combined
// nodes with certificates of the cluster's CA form the quorum (voters 1, 2, 3) and replicate a
// topic; then node 3 starts with a certificate of another CA, and again with no TLS at all. Both
// times it cannot vote (the leader epoch stays put), cannot fetch the metadata log (DescribeQuorum:
// voter 3 never fetched), cannot register (Metadata lists brokers 1 and 2 only) and cannot fetch
// replicas (a replica fetch over the TCP replica link with its credentials is refused); node 1 counts the refusals by reason
// in raftka_rpc_refused_connections_total and both sides log them with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { describeQuorum } from '../../src/client/quorum-client.js';
import { parseNodeConfig } from '../../src/common/config.js';
import { repoPath } from '../../src/common/paths.js';
import { parseProperties } from '../../src/common/properties.js';
import { formatStorage } from '../../src/server/storage-format.js';
import { ReplicaLink } from '../../src/rpc/replica-link.js';
import { plaintextRpc, type RpcClientSecurity, tlsRpcClient } from '../../src/rpc/rpc-security.js';
import { createCertificates } from '../../src/security/certs.js';
import { ClusterFixture, isAlive, waitFor } from '../../src/testing/cluster-fixture.js';
import { buildRecordBatch, readBatchHeaders, readRecords } from '../../src/protocol/record-batch.js';

/** The sum of the series of `name` in a Prometheus text scrape whose labels include all of `labels` (0 when none). */
function series(text: string, name: string, labels: string): number {
  const wanted = labels.split(',');
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m && m[1] === name && wanted.every((l) => m[2]!.split(',').includes(l))) sum += Number(m[3]);
  }
  return sum;
}

const refusedSeries = 'raftka_rpc_refused_connections_total';
/** How long node 3 may take to start and make its first connection. */
const node3StartMs = 60_000;

test('mTLS links: the cluster works; a node with a foreign certificate or no TLS cannot join', {
  timeout: 120_000,
}, async (t) => {
  const f = await ClusterFixture.combined({
    nodes: 3,
    extra: {
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:SSL,REPLICATION:SSL',
      // Kafka's quorum timeouts, not the fixture's fast ones: a busy test machine must not move the
      // leader epoch by itself while the test checks that node 3 cannot.
      'controller.quorum.fetch.timeout.ms': '2000',
      'controller.quorum.election.timeout.ms': '1000',
      'controller.quorum.election.backoff.max.ms': '1000',
    },
    perNode: (k) => ({
      'ssl.keystore.location': join('..', 'certs', `node-${k + 1}.pem`),
      'ssl.truststore.location': join('..', 'certs', 'ca.pem'),
    }),
  });
  let rogue: ChildProcess | null = null;
  const stopRogue = async (): Promise<void> => {
    const pid = rogue?.pid;
    if (pid === undefined || !isAlive(pid)) return;
    rogue!.kill('SIGKILL');
    await waitFor('node 3 to exit', async () => (isAlive(pid) ? undefined : true), 5_000, 10);
  };
  t.after(async () => {
    await stopRogue();
    await f.destroy({ graceful: false });
  });
  const certs = join(f.root, 'certs');
  const foreign = join(f.root, 'foreign');
  await Promise.all([
    createCertificates({ dir: certs, names: ['node-1', 'node-2', 'node-3', 'client'] }),
    createCertificates({ dir: foreign, names: ['node-3'] }),
  ]);
  // Node 3 is started by hand below: `cluster up` starts nodes 1 and 2 (a quorum of the three voters).
  // Its config moves to a folder beside configs/, so that ../certs still names the certificates.
  mkdirSync(join(f.root, 'node-3'));
  const rogueConfig = join(f.root, 'node-3', 'node-3.properties');
  renameSync(join(f.configDir, 'node-2.properties'), rogueConfig);
  const goodNode3 = readFileSync(rogueConfig, 'utf8');
  await f.up();

  const good = tlsRpcClient({
    key: readFileSync(join(certs, 'client.key')),
    cert: readFileSync(join(certs, 'client.crt')),
    ca: readFileSync(join(certs, 'ca.pem')),
  });
  const strangerTls = tlsRpcClient({
    key: readFileSync(join(foreign, 'node-3.key')),
    cert: readFileSync(join(foreign, 'node-3.crt')),
    ca: readFileSync(join(certs, 'ca.pem')),
  });
  const controller = { host: '127.0.0.1', port: f.controllerPorts[0]! };
  const before = await waitFor('a quorum leader', async () => {
    const q = await describeQuorum(controller, good);
    return q.leaderId > 0 ? q : undefined;
  });
  assert.ok([1, 2].includes(before.leaderId));

  // It works: a topic replicated on both brokers, over mTLS replica links.
  const kafka = new KafkaClient(f.brokerPorts.slice(0, 2).map((port) => ({ host: '127.0.0.1', port })));
  t.after(() => kafka.close());
  await kafka.createTopic('linked', 1, 2);
  const values = ['a', 'b', 'c'];
  const records = values.map((v) => ({ value: Buffer.from(v), timestamp: Date.now() }));
  await waitFor('an acks=all produce', async () => kafka.produce('linked', 0, buildRecordBatch(records), -1));
  await waitFor('both replicas in sync', async () => {
    const md = await kafka.metadata(['linked']);
    return md.topics[0]?.partitions[0]?.isr.length === 2 ? true : undefined;
  });

  const replicaPort = f.replicaPorts[0]!;
  const replicaFetch = (security: RpcClientSecurity): Promise<string> => {
    const link = new ReplicaLink(`127.0.0.1:${replicaPort}`, security);
    const request = { replicaId: 3, brokerEpoch: -1, maxWaitMs: 0, maxBytes: 1024, sessionId: 0, sessionEpoch: -1 };
    return link
      .fetch({ ...request, partitions: [], forgotten: [] }, 5_000)
      .then(
        () => 'answered',
        (err: { refused?: boolean; message?: string }) => `${err.refused ? 'refused' : 'failed'}: ${err.message}`,
      )
      .finally(() => link.close());
  };
  assert.equal(await replicaFetch(good), 'answered');

  const startNode3 = (config: string, logFile: string): void => {
    writeFileSync(rogueConfig, config);
    rogue = spawn(process.execPath, [repoPath('bin', 'raftka.js'), 'server', 'start', '--config', rogueConfig], {
      stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')],
    });
  };
  const clusterId = readFileSync(join(f.dataDir, 'cluster.id'), 'utf8').trim();
  const node3Dir = join(f.root, 'node-3-data');
  const withDirs = `${goodNode3}log.dirs=${node3Dir}\n`;
  writeFileSync(rogueConfig, withDirs);
  formatStorage(parseNodeConfig(parseProperties(withDirs), rogueConfig), clusterId, { ignoreFormatted: false });

  /** Node 3 runs `config` until node 1 has refused it `reason` (controller and replication checks follow). */
  const refusedPhase = async (
    name: string,
    config: string,
    reason: string,
    logSays: RegExp,
    replicaCredentials: RpcClientSecurity,
  ): Promise<void> => {
    const logFile = join(f.root, `node-3-${name}.log`);
    const refusedBefore = series(await f.metrics(0), refusedSeries, `listener="CONTROLLER",reason="${reason}"`);
    startNode3(config, logFile);
    // The deadline covers node 3's start-up, slow on a loaded machine.
    await waitFor(
      `node 1 refusing node 3 (${name})`,
      async () => {
        const n = series(await f.metrics(0), refusedSeries, `listener="CONTROLLER",reason="${reason}"`);
        return n > refusedBefore ? n : undefined;
      },
      node3StartMs,
    );
    // Node 3 had time to campaign, fetch and try to register: none of it reached the quorum.
    await waitFor(`node 3 logging its refusal (${name})`, async () =>
      existsSync(logFile) && logSays.test(readFileSync(logFile, 'utf8')) ? true : undefined,
    );
    const q = await describeQuorum(controller, good);
    assert.equal(q.leaderEpoch, before.leaderEpoch, `${name}: node 3 moved the leader epoch`);
    assert.equal(q.leaderId, before.leaderId);
    assert.deepEqual(q.currentVoters, [1, 2, 3]);
    const voter3 = q.replicas.find((r) => r.nodeId === 3);
    assert.equal(voter3?.lastFetchTimestamp, null, `${name}: node 3 fetched the metadata log`);
    assert.ok(!q.currentObservers.includes(3));
    const md = await kafka.metadata(null);
    assert.deepEqual(md.brokers.map((b) => b.nodeId).sort(), [1, 2], `${name}: node 3 registered`);
    const answer = await replicaFetch(replicaCredentials);
    assert.match(answer, /^refused: node 1 \(REPLICATION listener\) refused this connection/);
    assert.ok(series(await f.metrics(0), refusedSeries, `listener="REPLICATION",reason="${reason}"`) > 0);
    await stopRogue();
  };

  // A certificate of another CA (node 3 trusts ours): refused before any call reaches a service.
  await refusedPhase(
    'foreign',
    withDirs.replace(/ssl\.keystore\.location=.*/, `ssl.keystore.location=${join(foreign, 'node-3.pem')}`),
    'untrusted_certificate',
    /is not signed by this cluster's CA/,
    strangerTls,
  );
  // No TLS at all: the plaintext peer is told why.
  await refusedPhase(
    'plaintext',
    withDirs
      .replace(/^ssl\..*\n/gm, '')
      .replace(/listener\.security\.protocol\.map=.*/, 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT'),
    'plaintext',
    /this listener takes TLS connections with a certificate of the cluster/,
    plaintextRpc,
  );
  // The healthy side logged the refusals too, and the data is still there.
  const node1Log = readFileSync(join(f.dataDir, 'node-0.log'), 'utf8');
  assert.match(node1Log, /"reason":"untrusted_certificate".*refused a connection on the CONTROLLER listener/);
  assert.match(node1Log, /"reason":"plaintext".*refused a connection on the CONTROLLER listener/);
  const fetched = await kafka.fetch('linked', 0, 0);
  const read = readBatchHeaders(fetched.records).flatMap((h) => readRecords(fetched.records, h));
  assert.deepEqual(
    read.map((x) => x.value?.toString()),
    values,
  );
});
