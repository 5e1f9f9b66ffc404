// `raftka console-consumer --consumer-property k=v`: Kafka's consumer property names mapped onto
// GroupConsumer options; unknown names are reported (and ignored), bad values refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consumerPropertyOptions } from '../../src/cli/console-consumer-command.js';

test('consumer properties map onto GroupConsumer options', () => {
  const { options, unknown } = consumerPropertyOptions(
    new Map([
      ['group.instance.id', 'host-1'],
      ['session.timeout.ms', '45000'],
      ['heartbeat.interval.ms', '3000'],
      ['max.poll.interval.ms', '300000'],
      ['auto.offset.reset', 'earliest'],
      ['enable.auto.commit', 'false'],
      ['auto.commit.interval.ms', '1000'],
      ['partition.assignment.strategy', 'org.apache.kafka.clients.consumer.RoundRobinAssignor,range'],
      ['fetch.min.bytes', '1'],
    ]),
  );
  assert.deepEqual(options, {
    groupInstanceId: 'host-1',
    sessionTimeoutMs: 45000,
    heartbeatIntervalMs: 3000,
    rebalanceTimeoutMs: 300000,
    autoOffsetReset: 'earliest',
    autoCommit: false,
    autoCommitIntervalMs: 1000,
    assignors: ['roundrobin', 'range'],
  });
  assert.deepEqual(unknown, ['fetch.min.bytes']);
});

test('partition.assignment.strategy accepts cooperative-sticky by protocol name and by Kafka class name', () => {
  for (const value of ['cooperative-sticky', 'org.apache.kafka.clients.consumer.CooperativeStickyAssignor']) {
    assert.deepEqual(consumerPropertyOptions(new Map([['partition.assignment.strategy', value]])).options, {
      assignors: ['cooperative-sticky'],
    });
  }
  assert.deepEqual(
    consumerPropertyOptions(new Map([['partition.assignment.strategy', 'cooperative-sticky, range']])).options,
    { assignors: ['cooperative-sticky', 'range'] },
  );
});

test('bad consumer property values are refused with the property named', () => {
  assert.throws(
    () => consumerPropertyOptions(new Map([['session.timeout.ms', 'soon']])),
    /session\.timeout\.ms must be a positive integer/,
  );
  assert.throws(() => consumerPropertyOptions(new Map([['auto.offset.reset', 'none']])), /earliest or latest/);
  assert.throws(() => consumerPropertyOptions(new Map([['enable.auto.commit', 'yes']])), /true or false/);
  assert.throws(
    () => consumerPropertyOptions(new Map([['partition.assignment.strategy', 'sticky']])),
    /unknown assignor "sticky"/,
  );
});
