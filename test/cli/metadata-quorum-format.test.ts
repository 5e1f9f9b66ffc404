import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReplication, formatStatus } from '../../src/cli/metadata-quorum-command.js';
import type { QuorumDescription } from '../../src/client/quorum-client.js';

const d: QuorumDescription = {
  clusterId: 'Wd5KtWmXRzmd8zDT3aX3bQ',
  leaderId: 2,
  leaderEpoch: 7,
  highWatermark: 123,
  maxFollowerLag: 3,
  maxFollowerLagTimeMs: 40,
  currentVoters: [1, 2, 3],
  currentObservers: [100],
  replicas: [
    {
      nodeId: 2,
      logEndOffset: 124,
      lag: 0,
      lastFetchTimestamp: 1700000000000,
      lastCaughtUpTimestamp: 1700000000000,
      status: 'Leader',
    },
    {
      nodeId: 1,
      logEndOffset: 121,
      lag: 3,
      lastFetchTimestamp: 1699999999990,
      lastCaughtUpTimestamp: 1699999999960,
      status: 'Follower',
    },
    {
      nodeId: 100,
      logEndOffset: -1,
      lag: 124,
      lastFetchTimestamp: null,
      lastCaughtUpTimestamp: null,
      status: 'Observer',
    },
  ],
};

test('describe --status prints the fields kafka-metadata-quorum.sh prints', () => {
  assert.equal(
    formatStatus(d),
    [
      'ClusterId:              Wd5KtWmXRzmd8zDT3aX3bQ',
      'LeaderId:               2',
      'LeaderEpoch:            7',
      'HighWatermark:          123',
      'MaxFollowerLag:         3',
      'MaxFollowerLagTimeMs:   40',
      'CurrentVoters:          [1,2,3]',
      'CurrentObservers:       [100]',
    ].join('\n'),
  );
});

test("describe --replication prints one row per replica with Kafka's columns", () => {
  assert.equal(
    formatReplication(d),
    [
      'NodeId  LogEndOffset  Lag  LastFetchTimestamp  LastCaughtUpTimestamp  Status',
      '2       124           0    1700000000000       1700000000000          Leader',
      '1       121           3    1699999999990       1699999999960          Follower',
      '100     -1            124  -1                  -1                     Observer',
    ].join('\n'),
  );
});
