// `raftka consumer-groups` without a cluster: the rows and tables of --list/--describe, the
// messages of --delete/--delete-offsets, and --reset-offsets planning and flag parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import { assignedPartitions } from '../../src/client/group-lag.js';
import {
  buildMemberRows,
  buildOffsetRows,
  buildStateRow,
  formatAssignment,
  formatDeleteGroupsResult,
  formatDeleteOffsetsResult,
  formatGroupList,
  formatMemberRows,
  formatOffsetRows,
  formatStateRows,
  stateNotice,
  type MemberView,
} from '../../src/cli/consumer-groups-format.js';
import {
  parseResetDateTime,
  parseTopicSpec,
  planReset,
  type PartitionOffsets,
} from '../../src/cli/reset-offsets-plan.js';
import { encodeAssignment } from '../../src/protocol/consumer-protocol.js';
import { partitionKey } from '../../src/protocol/topic-partition.js';

const members: MemberView[] = [
  {
    memberId: 'c1-aaa',
    groupInstanceId: null,
    clientId: 'c1',
    clientHost: '/127.0.0.1',
    assignment: [{ topic: 'orders', partition: 2 }],
  },
  {
    memberId: 'c2-bbb',
    groupInstanceId: null,
    clientId: 'c2',
    clientHost: '/127.0.0.1',
    assignment: [
      { topic: 'orders', partition: 1 },
      { topic: 'orders', partition: 0 },
    ],
  },
  { memberId: 'c3-idle', groupInstanceId: null, clientId: 'c3', clientHost: '/10.0.0.9', assignment: [] },
];

test('describe: owners with more partitions first, then committed partitions nobody owns; members with nothing are not rows', () => {
  const rows = buildOffsetRows({
    group: 'g',
    members,
    committed: [
      { topic: 'orders', partition: 0, offset: 10 },
      { topic: 'orders', partition: 2, offset: 7 },
      { topic: 'audit', partition: 0, offset: 3 },
      { topic: 'orders', partition: 5, offset: -1 },
    ],
    logEndOffsets: new Map([
      [partitionKey('orders', 0), 12],
      [partitionKey('orders', 1), 4],
      [partitionKey('orders', 2), 7],
      [partitionKey('audit', 0), 9],
    ]),
  });
  assert.deepEqual(
    rows.map((r) => [r.topic, r.partition, r.currentOffset, r.logEndOffset, r.lag, r.consumerId]),
    [
      ['orders', 0, 10, 12, 2, 'c2-bbb'],
      ['orders', 1, null, 4, null, 'c2-bbb'],
      ['orders', 2, 7, 7, 0, 'c1-aaa'],
      ['audit', 0, 3, 9, 6, null],
    ],
  );
  assert.equal(
    formatOffsetRows(rows),
    [
      'GROUP  TOPIC   PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  CONSUMER-ID  HOST        CLIENT-ID',
      'g      orders  0          10              12              2    c2-bbb       /127.0.0.1  c2',
      'g      orders  1          -               4               -    c2-bbb       /127.0.0.1  c2',
      'g      orders  2          7               7               0    c1-aaa       /127.0.0.1  c1',
      'g      audit   0          3               9               6    -            -           -',
    ].join('\n'),
  );
});

test('describe --json rows carry the fields scripts read', () => {
  const [row] = buildOffsetRows({
    group: 'g',
    members: [],
    committed: [{ topic: 't', partition: 0, offset: 5 }],
    logEndOffsets: new Map(),
  });
  assert.deepEqual(row, {
    group: 'g',
    topic: 't',
    partition: 0,
    currentOffset: 5,
    logEndOffset: null,
    lag: null,
    consumerId: null,
    host: null,
    clientId: null,
  });
});

test('describe --members, plain and --verbose; GROUP-INSTANCE-ID appears when a member is static', () => {
  const rows = buildMemberRows('g', members);
  assert.equal(
    formatMemberRows(rows, false),
    [
      'GROUP  CONSUMER-ID  HOST        CLIENT-ID  #PARTITIONS',
      'g      c1-aaa       /127.0.0.1  c1         1',
      'g      c2-bbb       /127.0.0.1  c2         2',
      'g      c3-idle      /10.0.0.9   c3         0',
    ].join('\n'),
  );
  const withStatic = buildMemberRows('g', [{ ...members[1]!, groupInstanceId: 'i-1' }, members[2]!]);
  assert.equal(
    formatMemberRows(withStatic, true),
    [
      'GROUP  CONSUMER-ID  GROUP-INSTANCE-ID  HOST        CLIENT-ID  #PARTITIONS  ASSIGNMENT',
      'g      c2-bbb       i-1                /127.0.0.1  c2         2            orders(0,1)',
      'g      c3-idle      -                  /10.0.0.9   c3         0            -',
    ].join('\n'),
  );
  assert.equal(
    formatAssignment([
      { topic: 'b', partition: 3 },
      { topic: 'a', partition: 2 },
      { topic: 'b', partition: 1 },
    ]),
    'a(2),b(1,3)',
  );
});

test('describe --state shows the coordinator as host:port (id)', () => {
  const row = buildStateRow({
    groupId: 'g',
    protocol: 'range',
    state: 'Stable',
    memberCount: 3,
    coordinator: { nodeId: 2, host: 'localhost', port: 9192 },
  });
  assert.equal(
    formatStateRows([row]),
    [
      'GROUP  COORDINATOR (ID)    ASSIGNMENT-STRATEGY  STATE   #MEMBERS',
      'g      localhost:9192 (2)  range                Stable  3',
    ].join('\n'),
  );
});

test('list, with and without the STATE column; state notices', () => {
  const groups = [
    { groupId: 'a', state: 'Stable' },
    { groupId: 'bb', state: null },
  ];
  assert.equal(formatGroupList(groups, false), 'a\nbb');
  assert.equal(formatGroupList(groups, true), ['GROUP  STATE', 'a      Stable', 'bb     Unknown'].join('\n'));
  assert.equal(stateNotice('g', 'Empty'), "Consumer group 'g' has no active members.");
  assert.equal(stateNotice('g', 'Dead'), "Error: Consumer group 'g' does not exist.");
  assert.equal(stateNotice('g', 'PreparingRebalance'), "Warning: Consumer group 'g' is rebalancing.");
  assert.equal(stateNotice('g', 'Stable'), null);
});

test('member assignments decode for consumer groups only, and never throw', () => {
  const bytes = encodeAssignment([{ topic: 't', partitions: [1, 0] }]);
  assert.deepEqual(assignedPartitions('consumer', bytes), [
    { topic: 't', partition: 1 },
    { topic: 't', partition: 0 },
  ]);
  assert.deepEqual(assignedPartitions('connect', bytes), []);
  assert.deepEqual(assignedPartitions('consumer', Buffer.from([1])), []);
  assert.deepEqual(assignedPartitions('consumer', Buffer.alloc(0)), []);
});

test("delete: Kafka's success line, or the failures and the groups that did go", () => {
  assert.deepEqual(formatDeleteGroupsResult([{ groupId: 'g', errorCode: 0 }]), {
    stdout: "Deletion of requested consumer groups ('g') was successful.",
    stderr: '',
    ok: true,
  });
  const mixed = formatDeleteGroupsResult([
    { groupId: 'a', errorCode: 0 },
    { groupId: 'b', errorCode: ErrorCode.NON_EMPTY_GROUP },
  ]);
  assert.equal(mixed.ok, false);
  assert.equal(
    mixed.stderr,
    "Error: Deletion of some consumer groups failed:\n* Group 'b' could not be deleted due to: NON_EMPTY_GROUP: The group is not empty.",
  );
  assert.equal(mixed.stdout, "These consumer groups were deleted successfully: 'a'");
});

test('delete-offsets: verdict line and a TOPIC PARTITION STATUS table', () => {
  const ok = formatDeleteOffsetsResult('g', ['t'], ErrorCode.NONE, [
    { topic: 't', partition: 1, errorCode: 0 },
    { topic: 't', partition: 0, errorCode: 0 },
  ]);
  assert.equal(
    ok.stdout,
    [
      'Request succeed for deleting offsets with topic t group g',
      '',
      'TOPIC  PARTITION  STATUS',
      't      0          Successful',
      't      1          Successful',
    ].join('\n'),
  );
  const partial = formatDeleteOffsetsResult('g', ['t', 'nope'], ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, [
    { topic: 't', partition: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC },
    { topic: 'nope', partition: null, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
  ]);
  assert.equal(partial.ok, false);
  assert.equal(partial.stderr, 'Error: Encounter some partition level error, see the follow-up details:');
  assert.match(partial.stdout, /^nope +Not Provided +Error: UNKNOWN_TOPIC_OR_PARTITION/m);
  assert.match(partial.stdout, /^t +0 +Error: GROUP_SUBSCRIBED_TO_TOPIC/m);
  assert.equal(
    formatDeleteOffsetsResult('g', ['t'], ErrorCode.NON_EMPTY_GROUP, []).stderr,
    "Error: Deleting offsets of a consumer group 'g' is forbidden if the group is not empty.",
  );
  assert.equal(
    formatDeleteOffsetsResult('g', ['t'], ErrorCode.GROUP_ID_NOT_FOUND, []).stderr,
    "Error: 'g' does not exist.",
  );
});

// ---- --reset-offsets ----------------------------------------------------------------------------------

const parts: PartitionOffsets[] = [
  { topic: 't', partition: 1, current: 50, logStart: 10, logEnd: 100 },
  { topic: 't', partition: 0, current: null, logStart: 0, logEnd: 20 },
];

test('reset: earliest and latest are the log start and end; rows sorted by topic and partition', () => {
  const e = planReset('g', parts, { kind: 'earliest' });
  assert.ok(e.ok);
  assert.deepEqual(e.rows, [
    { group: 'g', topic: 't', partition: 0, newOffset: 0 },
    { group: 'g', topic: 't', partition: 1, newOffset: 10 },
  ]);
  const l = planReset('g', parts, { kind: 'latest' });
  assert.ok(l.ok);
  assert.deepEqual(
    l.rows.map((r) => r.newOffset),
    [20, 100],
  );
});

test('reset: --to-offset and --shift-by clamp to [log start, log end] and say so', () => {
  const to = planReset('g', parts, { kind: 'offset', offset: 30 });
  assert.ok(to.ok);
  assert.deepEqual(
    to.rows.map((r) => r.newOffset),
    [20, 30],
  );
  assert.deepEqual(to.notes, [
    'New offset (30) is higher than latest offset for topic partition t-0. Value will be set to 20',
  ]);
  const back = planReset('g', [parts[0]!], { kind: 'shift', by: -45 });
  assert.ok(back.ok);
  assert.deepEqual(
    back.rows.map((r) => r.newOffset),
    [10],
  );
  assert.deepEqual(back.notes, [
    'New offset (5) is lower than earliest offset for topic partition t-1. Value will be set to 10',
  ]);
  const fwd = planReset('g', [parts[0]!], { kind: 'shift', by: 5 });
  assert.ok(fwd.ok);
  assert.deepEqual([fwd.rows[0]!.newOffset, fwd.notes.length], [55, 0]);
});

test('reset: --shift-by needs a committed offset', () => {
  assert.deepEqual(planReset('g', parts, { kind: 'shift', by: 1 }), {
    ok: false,
    error: 'Cannot shift offset for partition t-0 since there is no current committed offset',
  });
});

test("reset: --to-datetime takes ListOffsets' answer, or the log end where no record is that recent", () => {
  const p = planReset(
    'g',
    [
      { ...parts[0]!, offsetForTimestamp: 42 },
      { ...parts[1]!, offsetForTimestamp: -1 },
    ],
    { kind: 'datetime', timestampMs: 0 },
  );
  assert.ok(p.ok);
  assert.deepEqual(
    p.rows.map((r) => r.newOffset),
    [20, 42],
  );
  assert.deepEqual(p.notes, ['Partition 0 from topic t is empty. Falling back to latest known offset.']);
});

test('--topic T and T:p1,p2', () => {
  assert.deepEqual(parseTopicSpec('orders'), { topic: 'orders', partitions: null });
  assert.deepEqual(parseTopicSpec('orders:2,0,2'), { topic: 'orders', partitions: [0, 2] });
  assert.throws(() => parseTopicSpec('orders:x'), /partition numbers/);
  assert.throws(() => parseTopicSpec(':1'), /TOPIC/);
});

test('--to-datetime: with Z, with an offset, in the local zone without one; bad dates refused', () => {
  assert.equal(parseResetDateTime('2024-03-01T12:00:00.000Z'), Date.UTC(2024, 2, 1, 12));
  assert.equal(parseResetDateTime('2024-03-01T12:00:00.5Z'), Date.UTC(2024, 2, 1, 12, 0, 0, 500));
  assert.equal(parseResetDateTime('2024-03-01T14:30:00.000+02:30'), Date.UTC(2024, 2, 1, 12));
  assert.equal(parseResetDateTime('2024-03-01T10:00:00-0200'), Date.UTC(2024, 2, 1, 12));
  assert.equal(parseResetDateTime('2024-03-01T12:00:00.123'), new Date(2024, 2, 1, 12, 0, 0, 123).getTime());
  assert.throws(() => parseResetDateTime('2024-02-30T00:00:00.000Z'), /not a valid date/);
  assert.throws(() => parseResetDateTime('2024-03-01 12:00:00'), /YYYY-MM-DDTHH:mm:SS/);
  assert.throws(() => parseResetDateTime('2024-13-01T00:00:00'), /not a valid/);
});
