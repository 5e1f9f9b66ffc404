// Golden bytes for DescribeLogDirs (key 35), derived by hand from the public field grammar:
// v0 (classic), v3 (flexible, top-level ErrorCode) and v4 (TotalBytes, UsableBytes per dir).
// Strings used: 74 "t", 64 "d".
import { test } from 'node:test';
import { describeLogDirsApi } from '../../src/protocol/messages/describe-log-dirs.js';
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
