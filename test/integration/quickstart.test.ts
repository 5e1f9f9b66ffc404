// The README quickstart, run as a user would, on three combined nodes (ephemeral ports):
// create a topic with RF 3 and 6 partitions, produce with console-producer, consume with
// console-consumer, describe it — over the Kafka protocol through the brokers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import { repoPath } from '../../src/common/paths.js';
import { partitionForKey } from '../../src/client/partitioner.js';

const execFileAsync = promisify(execFile);

function raftkaWithInput(args: readonly string[], input: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [repoPath('bin', 'raftka.js'), ...args],
      { timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(Object.assign(err, { stderr })) : resolve({ stdout, stderr })),
    );
    child.stdin!.end(input);
  });
}

test('quickstart: topics, console-producer and console-consumer through the brokers', {
  timeout: 300_000,
}, async (t) => {
  const f = await ClusterFixture.combined({ nodes: 3 });
  t.after(() => f.destroy());
  await f.up();
  const bs = f.bootstrapServers;
  await waitFor(
    'three brokers in the metadata',
    async () => ((await kcat(['-b', bs, '-L', '-m', '3'])).stdout.includes('3 brokers') ? true : undefined),
    60_000,
    200,
  );

  const created = await f.raftka(
    'topics',
    '--bootstrap-server',
    bs,
    '--create',
    '--topic',
    'quickstart-events',
    '--partitions',
    '6',
    '--replication-factor',
    '3',
    '--config',
    'retention.ms=86400000',
  );
  assert.match(created, /Created topic quickstart-events\./);
  await assert.rejects(
    f.raftka('topics', '--bootstrap-server', bs, '--create', '--topic', 'quickstart-events', '--partitions', '1'),
    /TOPIC_ALREADY_EXISTS/,
  );
  assert.deepEqual(JSON.parse(await f.raftka('topics', '--bootstrap-server', bs, '--list', '--json')), [
    'quickstart-events',
  ]);

  const described = await f.raftka('topics', '--bootstrap-server', bs, '--describe', '--topic', 'quickstart-events');
  const lines = described.trim().split('\n');
  assert.match(
    lines[0]!,
    /^Topic: quickstart-events\tTopicId: (?!A{22})\S{22}\tPartitionCount: 6\tReplicationFactor: 3\tConfigs: retention.ms=86400000$/,
  );
  assert.equal(lines.length, 7);
  const leaders = new Map<string, number>();
  for (const l of lines.slice(1)) {
    const m = /Partition: (\d)\tLeader: (\d)\tReplicas: (\d,\d,\d)\tIsr: (\d,\d,\d)$/.exec(l);
    assert.ok(m, l);
    leaders.set(m[2]!, (leaders.get(m[2]!) ?? 0) + 1);
  }
  assert.deepEqual([...leaders.values()], [2, 2, 2], 'leaders spread evenly over the three brokers');

  const input = `${Array.from({ length: 300 }, (_, i) => `user-${i % 17}:event ${i}`).join('\n')}\n`;
  await raftkaWithInput(
    [
      'console-producer',
      '--bootstrap-server',
      bs,
      '--topic',
      'quickstart-events',
      '--property',
      'parse.key=true',
      '--property',
      'key.separator=:',
      '--compression-codec',
      'lz4',
    ],
    input,
  );

  const { stdout, stderr } = await execFileAsync(
    process.execPath,
    [
      repoPath('bin', 'raftka.js'),
      'console-consumer',
      '--bootstrap-server',
      bs,
      '--topic',
      'quickstart-events',
      '--from-beginning',
      '--max-messages',
      '300',
      '--property',
      'print.key=true',
      '--property',
      'print.partition=true',
      '--property',
      'key.separator=|',
    ],
    { timeout: 60_000 },
  );
  assert.match(stderr, /Processed a total of 300 messages/);
  const got = stdout
    .trim()
    .split('\n')
    .map((l) => l.split('|'));
  assert.equal(got.length, 300);
  for (const [partition, key] of got)
    assert.equal(
      Number(partition!.slice('Partition:'.length)),
      partitionForKey(Buffer.from(key!), 6),
      `key ${key} on Kafka's partition`,
    );
  // Per key, the events come back in the order they were sent.
  const perKey = new Map<string, number[]>();
  for (const [, key, value] of got)
    perKey.set(key!, [...(perKey.get(key!) ?? []), Number(value!.slice('event '.length))]);
  for (const [key, events] of perKey)
    assert.deepEqual(
      events,
      [...events].sort((a, b) => a - b),
      key,
    );

  // kcat agrees with the console consumer, and finds the same keys on the same partitions.
  const k = await kcat(['-b', bs, '-C', '-t', 'quickstart-events', '-o', 'beginning', '-e', '-q', '-f', '%p|%k\n']);
  assert.equal(k.stdout.trim().split('\n').length, 300);
  const one = await f.raftka(
    'console-consumer',
    '--bootstrap-server',
    bs,
    '--topic',
    'quickstart-events',
    '--partition',
    '0',
    '--offset',
    '0',
    '--max-messages',
    '1',
    '--property',
    'print.offset=true',
  );
  assert.match(one, /^Offset:0\tevent \d+\n$/);

  // Kafka's step 5: read as a consumer group, then list and describe the groups.
  const grouped = await execFileAsync(
    process.execPath,
    [
      repoPath('bin', 'raftka.js'),
      'console-consumer',
      '--bootstrap-server',
      bs,
      '--topic',
      'quickstart-events',
      '--group',
      'quickstart-group',
      '--from-beginning',
      '--max-messages',
      '300',
    ],
    { timeout: 60_000 },
  );
  assert.match(grouped.stderr, /Processed a total of 300 messages/);
  assert.deepEqual((await f.raftka('consumer-groups', '--bootstrap-server', bs, '--list')).trim().split('\n'), [
    'quickstart-group',
  ]);
  const groupRows = JSON.parse(
    await f.raftka('consumer-groups', '--bootstrap-server', bs, '--describe', '--group', 'quickstart-group', '--json'),
  ) as { partition: number; currentOffset: number | null; logEndOffset: number; lag: number | null }[];
  assert.equal(groupRows.length, 6);
  assert.equal(
    groupRows.reduce((sum, r) => sum + (r.currentOffset ?? 0), 0),
    300,
    'the group committed all 300 records',
  );
  assert.ok(groupRows.every((r) => r.lag === 0 && r.logEndOffset === r.currentOffset));
});
