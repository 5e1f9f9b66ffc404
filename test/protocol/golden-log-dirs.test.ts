// Golden bytes for DescribeLogDirs (key 35) and AlterReplicaLogDirs (key 34), derived by hand from
// the public field grammar: DescribeLogDirs v0 (classic), v3 (flexible, top-level ErrorCode) and v4
// (TotalBytes, UsableBytes per dir); AlterReplicaLogDirs v0 and v2 (flexible).
// Strings used: 74 "t", 64 "d".
import { test } from 'node:test';
import { describeLogDirsApi } from '../../src/protocol/messages/describe-log-dirs.js';
import { alterReplicaLogDirsApi } from '../../src/protocol/messages/alter-replica-log-dirs.js';
import { golden } from './golden.js';

const partition = { partitionIndex: 0, partitionSize: 1024, offsetLag: 0, isFutureKey: false };

test('DescribeLogDirs requests: v0 and v4, all topics (null) and one partition', () => {
  golden(describeLogDirsApi, 'request', 0, { topics: null }, ['ffffffff']);
  golden(describeLogDirsApi, 'request', 0, { topics: [{ topic: 't', partitions: [0] }] }, [
    '00000001 0001 74',
    '00000001 00000000',
  ]);
  golden(describeLogDirsApi, 'request', 4, { topics: null }, ['00', '00']);
  golden(describeLogDirsApi, 'request', 4, { topics: [{ topic: 't', partitions: [0] }] }, [
    '02 02 74',
    '02 00000000 00',
    '00',
  ]);
});

test('DescribeLogDirs responses: v0, v3 (ErrorCode) and v4 (volume bytes)', () => {
  const topics = [{ name: 't', partitions: [partition] }];
  golden(describeLogDirsApi, 'response', 0, { throttleTimeMs: 0, results: [{ errorCode: 0, logDir: 'd', topics }] }, [
    '00000000',
    '00000001 0000 0001 64',
    '00000001 0001 74',
    '00000001 00000000 0000000000000400 0000000000000000 00',
  ]);
  golden(
    describeLogDirsApi,
    'response',
    3,
    { throttleTimeMs: 0, errorCode: 0, results: [{ errorCode: 0, logDir: 'd', topics }] },
    [
      '00000000 0000',
      '02 0000 02 64',
      '02 02 74',
      '02 00000000 0000000000000400 0000000000000000 00 00',
      '00',
      '00',
      '00',
    ],
  );
  golden(
    describeLogDirsApi,
    'response',
    4,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      results: [{ errorCode: 0, logDir: 'd', topics, totalBytes: 1048576, usableBytes: 524288 }],
    },
    [
      '00000000 0000',
      '02 0000 02 64',
      '02 02 74',
      '02 00000000 0000000000000400 0000000000000000 00 00',
      '00',
      '0000000000100000 0000000000080000 00',
      '00',
    ],
  );
});

test('AlterReplicaLogDirs v0 and v2 (flexible): request and response', () => {
  const dirs = [{ path: 'd', topics: [{ name: 't', partitions: [0, 1] }] }];
  golden(alterReplicaLogDirsApi, 'request', 0, { dirs }, [
    '00000001 0001 64', // Dirs: 1, Path "d"
    '00000001 0001 74', // Topics: 1, Name "t"
    '00000002 00000000 00000001', // Partitions [0, 1]
  ]);
  golden(alterReplicaLogDirsApi, 'request', 2, { dirs }, [
    '02 02 64',
    '02 02 74',
    '03 00000000 00000001 00',
    '00',
    '00',
  ]);
  const results = [{ topicName: 't', partitions: [{ partitionIndex: 0, errorCode: 57 }] }];
  golden(alterReplicaLogDirsApi, 'response', 0, { throttleTimeMs: 0, results }, [
    '00000000', // ThrottleTimeMs
    '00000001 0001 74', // Results: 1, TopicName "t"
    '00000001 00000000 0039', // Partitions: [0, LOG_DIR_NOT_FOUND]
  ]);
  golden(alterReplicaLogDirsApi, 'response', 2, { throttleTimeMs: 0, results }, [
    '00000000',
    '02 02 74',
    '02 00000000 0039 00',
    '00',
    '00',
  ]);
});
