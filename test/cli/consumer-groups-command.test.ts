// `raftka consumer-groups` and `raftka console-consumer --group` as processes, against the fake
// one-node broker of test/client/fake-broker.ts: flags, exit codes, stdout/stderr and --json
// shapes (scripts and the integration tests parse them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GroupConsumer } from '../../src/client/group-consumer.js';
import { FakeBroker } from '../client/fake-broker.js';

const bin = fileURLToPath(new URL('../../../bin/raftka.js', import.meta.url));

/** Runs the CLI without blocking this process's event loop (the fake broker lives in it). */
function raftka(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

test('consumer-groups and console-consumer --group against a fake broker', { timeout: 120_000 }, async (t) => {
  const b = await FakeBroker.start({ orders: 2 });
  t.after(() => b.close());
  const bs = `127.0.0.1:${b.port}`;
  b.append('orders', 0, ['a', 'b', 'c']);
  b.append('orders', 1, ['d']);

  await t.test(
    'console-consumer --group reads from the beginning, stops at --max-messages and commits only what it printed',
    async () => {
      const r = await raftka(
        'console-consumer',
        '--bootstrap-server',
        bs,
        '--topic',
        'orders',
        '--group',
        'cli',
        '--from-beginning',
        '--max-messages',
        '2',
        '--consumer-property',
        'session.timeout.ms=6000',
        '--consumer-property',
        'heartbeat.interval.ms=100',
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.split('\n').filter(Boolean).length, 2);
      assert.match(r.stderr, /Processed a total of 2 messages/);
      const committed = [b.committed('cli', 'orders', 0) ?? 0, b.committed('cli', 'orders', 1) ?? 0];
      assert.equal(committed[0]! + committed[1]!, 2, `committed ${committed}`);
      assert.equal(b.groups.get('cli')!.state, 'Empty', 'left the group on exit');
      const join = b.requests.find((x) => x.api === 'JoinGroup')!;
      assert.equal(join.body['sessionTimeoutMs'], 6000);
    },
  );

  await t.test('--partition with --group is refused', async () => {
    const r = await raftka(
      'console-consumer',
      '--bootstrap-server',
      bs,
      '--topic',
      'orders',
      '--group',
      'cli',
      '--partition',
      '0',
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cannot be combined with --group/);
  });

  await t.test('--list, --list --state, --describe of an empty group with committed offsets', async () => {
    assert.equal((await raftka('consumer-groups', '--bootstrap-server', bs, '--list')).stdout, 'cli\n');
    assert.deepEqual(
      JSON.parse((await raftka('consumer-groups', '--bootstrap-server', bs, '--list', '--state', '--json')).stdout),
      [{ group: 'cli', state: 'Empty' }],
    );
    assert.match(
      (await raftka('consumer-groups', '--bootstrap-server', bs, '--list', '--state')).stdout,
      /^GROUP +STATE\ncli +Empty\n$/,
    );
    const r = await raftka('consumer-groups', '--bootstrap-server', bs, '--describe', '--group', 'cli', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Consumer group 'cli' has no active members\./);
    const rows = JSON.parse(r.stdout) as {
      topic: string;
      partition: number;
      currentOffset: number;
      logEndOffset: number;
      lag: number;
      consumerId: string | null;
    }[];
    assert.ok(rows.length >= 1);
    for (const row of rows) {
      assert.equal(row.consumerId, null);
      assert.equal(row.lag, row.logEndOffset - row.currentOffset);
    }
  });

  await t.test('a live member: --describe, --members --verbose, --state; resets and deletion are refused', async () => {
    const c = new GroupConsumer(b.bootstrap, {
      groupId: 'live',
      topics: ['orders'],
      clientId: 'live-client',
      heartbeatIntervalMs: 100,
      autoOffsetReset: 'earliest',
      autoCommit: false,
    });
    try {
      await c.subscribe();
      const d = await raftka('consumer-groups', '--bootstrap-server', bs, '--describe', '--group', 'live');
      assert.equal(d.code, 0, d.stderr);
      const lines = d.stdout.trim().split('\n');
      assert.match(
        lines[0]!,
        /^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$/,
      );
      assert.match(lines[1]!, new RegExp(`^live +orders +0 +- +3 +- +${c.memberId} +/127\\.0\\.0\\.1 +live-client$`));
      const m = await raftka(
        'consumer-groups',
        '--bootstrap-server',
        bs,
        '--describe',
        '--group',
        'live',
        '--members',
        '--verbose',
      );
      assert.match(m.stdout, new RegExp(`live +${c.memberId} +/127\\.0\\.0\\.1 +live-client +2 +orders\\(0,1\\)`));
      const s = await raftka('consumer-groups', '--bootstrap-server', bs, '--describe', '--group', 'live', '--state');
      assert.match(s.stdout, new RegExp(`live +127\\.0\\.0\\.1:${b.port} \\(1\\) +range +Stable +1`));
      const reset = await raftka(
        'consumer-groups',
        '--bootstrap-server',
        bs,
        '--reset-offsets',
        '--group',
        'live',
        '--all-topics',
        '--to-earliest',
        '--execute',
      );
      assert.notEqual(reset.code, 0);
      assert.match(
        reset.stderr,
        /Assignments can only be reset if the group 'live' is inactive, but the current state is Stable\./,
      );
      const del = await raftka('consumer-groups', '--bootstrap-server', bs, '--delete', '--group', 'live');
      assert.notEqual(del.code, 0);
      assert.match(del.stderr, /\* Group 'live' could not be deleted due to: NON_EMPTY_GROUP/);
    } finally {
      await c.close();
    }
  });

  await t.test('--reset-offsets: dry run by default (with a note), --execute commits, --shift-by clamps', async () => {
    const before = b.committed('cli', 'orders', 0);
    const dry = await raftka(
      'consumer-groups',
      '--bootstrap-server',
      bs,
      '--reset-offsets',
      '--group',
      'cli',
      '--topic',
      'orders',
      '--to-latest',
    );
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /No action will be performed as the --execute option is missing/);
    assert.match(dry.stdout, /GROUP +TOPIC +PARTITION +NEW-OFFSET\ncli +orders +0 +3\ncli +orders +1 +1/);
    assert.equal(b.committed('cli', 'orders', 0), before, 'a dry run commits nothing');
    const exec = await raftka(
      'consumer-groups',
      '--bootstrap-server',
      bs,
      '--reset-offsets',
      '--group',
      'cli',
      '--topic',
      'orders:0',
      '--to-offset',
      '1',
      '--execute',
      '--json',
    );
    assert.equal(exec.code, 0, exec.stderr);
    assert.deepEqual(JSON.parse(exec.stdout), [{ group: 'cli', topic: 'orders', partition: 0, newOffset: 1 }]);
    assert.equal(b.committed('cli', 'orders', 0), 1);
    const shift = await raftka(
      'consumer-groups',
      '--bootstrap-server',
      bs,
      '--reset-offsets',
      '--group',
      'cli',
      '--topic',
      'orders:0',
      '--shift-by',
      '-5',
      '--execute',
    );
    assert.equal(shift.code, 0, shift.stderr);
    assert.match(
      shift.stderr,
      /New offset \(-4\) is lower than earliest offset for topic partition orders-0\. Value will be set to 0/,
    );
    assert.equal(b.committed('cli', 'orders', 0), 0);
    const bad = await raftka(
      'consumer-groups',
      '--bootstrap-server',
      bs,
      '--reset-offsets',
      '--group',
      'cli',
      '--topic',
      'orders',
      '--to-earliest',
      '--to-latest',
    );
    assert.notEqual(bad.code, 0);
  });

  await t.test('--delete-offsets, then --delete', async () => {
    const d = await raftka(
      'consumer-groups',
      '--bootstrap-server',
      bs,
      '--delete-offsets',
      '--group',
      'cli',
      '--topic',
      'orders:1',
      '--topic',
      'missing',
    );
    assert.notEqual(d.code, 0, 'an unknown topic is a partition-level error');
    assert.match(d.stderr, /Encounter some partition level error/);
    assert.match(d.stdout, /^missing +Not Provided +Error: UNKNOWN_TOPIC_OR_PARTITION/m);
    assert.match(d.stdout, /^orders +1 +Successful$/m);
    assert.equal(b.committed('cli', 'orders', 1), undefined);
    const ok = await raftka(
      'consumer-groups',
      '--bootstrap-server',
      bs,
      '--delete-offsets',
      '--group',
      'cli',
      '--topic',
      'orders:0',
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /^Request succeed for deleting offsets with topic orders group cli\n\nTOPIC +PARTITION +STATUS\norders +0 +Successful\n$/,
    );
    const r = await raftka('consumer-groups', '--bootstrap-server', bs, '--delete', '--group', 'cli');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Deletion of requested consumer groups ('cli') was successful.\n");
    const gone = await raftka('consumer-groups', '--bootstrap-server', bs, '--describe', '--group', 'cli');
    assert.match(gone.stderr, /Error: Consumer group 'cli' does not exist\./);
  });
});
