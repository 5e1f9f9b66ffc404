// Cut-over of a broker's data (issue 17 item 4), as an operator does it: a node whose log dir is
// the one a ZooKeeper-mode Kafka broker left (meta.properties version 0, Kafka's checkpoint files,
// segments and partition.metadata, written by test/fixtures/kafka-zk-log-dir.ts from Kafka's
// documented formats) starts with `cluster up`, takes the ZooKeeper cluster's id, and once the
// ZooKeeper metadata is applied (`migrate apply`) serves the partition at the same offsets —
// log start 3, records "v3".."v9" at offsets 3..9 — to kcat, and appends after them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUuid } from '../../src/common/uuid.js';
import { readMetaProperties } from '../../src/server/storage-format.js';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import { stableUuid } from '../../migration/src/kafka/stable-uuid.js';
import { syntheticDump } from '../../migration/src/synthetic.js';
import { writeZkModeLogDir } from '../fixtures/kafka-zk-log-dir.js';

test("a ZooKeeper-mode broker's log dir is adopted and served at its offsets after migrate apply", async (t) => {
  const f = await ClusterFixture.combined({ nodes: 1 });
  t.after(() => f.destroy());
  const clusterId = randomUuid();
  const topic = 'orders-0'; // the synthetic dump names topics <prefix>-<index>
  const logs = join(f.dataDir, 'node-0', 'logs');
  const layout = writeZkModeLogDir(logs, {
    brokerId: 1,
    clusterId,
    topic,
    topicId: stableUuid('raftka-synthetic-topic', clusterId, topic),
  });

  await f.up();
  const meta = readMetaProperties(logs)!;
  assert.deepEqual([meta.version, meta.nodeId, meta.clusterId], [1, 1, clusterId]);

  // The ZooKeeper view of the same cluster: topic orders-0, partition 0 on broker 1, leader epoch 2
  // (the epoch the broker last wrote in, as its leader-epoch-checkpoint says).
  const dump = join(f.root, 'zk.json');
  writeFileSync(
    dump,
    syntheticDump({ clusterId, brokers: [1], topics: 1, partitionsPerTopic: 1, replicationFactor: 1, prefix: 'orders' })
      .split('"leader_epoch":0')
      .join('"leader_epoch":2'),
  );
  await f.raftka('migrate', 'apply', '--zk-dump', dump, '--bootstrap-controller', `127.0.0.1:${f.controllerPorts[0]}`);

  const consume = async (): Promise<string[]> => {
    const r = await kcat([
      '-C',
      '-b',
      f.bootstrapServers,
      '-t',
      topic,
      '-p',
      '0',
      '-o',
      'beginning',
      '-e',
      '-f',
      '%o:%s\n',
    ]);
    return r.stdout.split('\n').filter((l) => l !== '');
  };
  const expected = layout.values.slice(layout.logStartOffset).map((v, i) => `${i + layout.logStartOffset}:${v}`);
  const served = await waitFor(
    'the adopted partition to be served',
    async () => {
      const lines = await consume();
      return lines.length === expected.length ? lines : undefined;
    },
    30_000,
  );
  assert.deepEqual(served, expected);

  // New records go after the adopted ones.
  await kcat(['-P', '-b', f.bootstrapServers, '-t', topic, '-p', '0', '-X', 'request.required.acks=1'], 'v10\n');
  assert.deepEqual(await consume(), [...expected, '10:v10']);
});
