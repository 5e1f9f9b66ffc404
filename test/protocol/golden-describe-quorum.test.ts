// Golden bytes for DescribeQuorum (key 55, KIP-595/836/853), derived by hand from the public field
// grammar at every version Kafka 3.9 and 4.x define (0-2, flexible from 0): v1 adds the replicas'
// LastFetchTimestamp and LastCaughtUpTimestamp, v2 the error messages, ReplicaDirectoryId and the
// voters' Nodes with their listeners (Port is a uint16). Strings: 74 "t", 78 "x".
import { test } from 'node:test';
import { describeQuorumApi } from '../../src/protocol/messages/describe-quorum.js';
import { uuidFromBytes } from '../../src/protocol/primitives/uuid.js';
import { golden } from './golden.js';

const dirHex = '000102030405060708090a0b0c0d0e0f';
const dir = uuidFromBytes(Buffer.from(dirHex, 'hex'));

test('DescribeQuorum request v0-2: one topic, one partition', () => {
  for (const v of [0, 1, 2])
    golden(describeQuorumApi, 'request', v, { topics: [{ topicName: 't', partitions: [{ partitionIndex: 0 }] }] }, [
      '02 02 74 02 00000000 00 00',
      '00',
    ]);
});

const partition = (replica: object) => ({
  partitionIndex: 0,
  errorCode: 0,
  leaderId: 1,
  leaderEpoch: 2,
  highWatermark: 3,
  currentVoters: [replica],
  observers: [],
});

test('DescribeQuorum response v0 and v1: a voter, v1 with its timestamps', () => {
  golden(
    describeQuorumApi,
    'response',
    0,
    { errorCode: 0, topics: [{ topicName: 't', partitions: [partition({ replicaId: 1, logEndOffset: 3 })] }] },
    [
      '0000',
      '02 02 74 02 00000000 0000 00000001 00000002 0000000000000003',
      '02 00000001 0000000000000003 00',
      '01 00 00',
      '00',
    ],
  );
  golden(
    describeQuorumApi,
    'response',
    1,
    {
      errorCode: 0,
      topics: [
        {
          topicName: 't',
          partitions: [partition({ replicaId: 1, logEndOffset: 3, lastFetchTimestamp: 4, lastCaughtUpTimestamp: -1 })],
        },
      ],
    },
    [
      '0000',
      '02 02 74 02 00000000 0000 00000001 00000002 0000000000000003',
      '02 00000001 0000000000000003 0000000000000004 ffffffffffffffff 00',
      '01 00 00',
      '00',
    ],
  );
});

test('DescribeQuorum response v2: error messages, the directory id and the nodes with their listeners', () => {
  golden(
    describeQuorumApi,
    'response',
    2,
    {
      errorCode: 0,
      errorMessage: null,
      topics: [
        {
          topicName: 't',
          partitions: [
            {
              ...partition({
                replicaId: 1,
                replicaDirectoryId: dir,
                logEndOffset: 3,
                lastFetchTimestamp: 4,
                lastCaughtUpTimestamp: 5,
              }),
              errorMessage: null,
            },
          ],
        },
      ],
      nodes: [{ nodeId: 1, listeners: [{ name: 'x', host: 't', port: 9093 }] }],
    },
    [
      '0000 00',
      '02 02 74 02 00000000 0000 00 00000001 00000002 0000000000000003',
      `02 00000001 ${dirHex} 0000000000000003 0000000000000004 0000000000000005 00`,
      '01 00 00',
      '02 00000001 02 02 78 02 74 2385 00 00',
      '00',
    ],
  );
});
