// Golden bytes for the exactly-once APIs (InitProducerId v3-5, AddPartitionsToTxn, AddOffsetsToTxn,
// EndTxn, WriteTxnMarkers, TxnOffsetCommit, DescribeProducers, DescribeTransactions,
// ListTransactions), derived by hand from the public field grammar (one commented hex line per
// field or small group of fields). Versions that share a grammar are checked against the same bytes,
// so every served version has a golden case. Strings used: 78 "x", 74 "t", 67 "g", 6d "m",
// 4f6e676f696e67 "Ongoing", 426164 "Bad", 782e2a "x.*".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initProducerIdApi } from '../../src/protocol/messages/init-producer-id.js';
import { addPartitionsToTxnApi } from '../../src/protocol/messages/add-partitions-to-txn.js';
import { addOffsetsToTxnApi } from '../../src/protocol/messages/add-offsets-to-txn.js';
import { endTxnApi } from '../../src/protocol/messages/end-txn.js';
import { writeTxnMarkersApi } from '../../src/protocol/messages/write-txn-markers.js';
import { txnOffsetCommitApi } from '../../src/protocol/messages/txn-offset-commit.js';
import { describeProducersApi } from '../../src/protocol/messages/describe-producers.js';
import { describeTransactionsApi } from '../../src/protocol/messages/describe-transactions.js';
import { listTransactionsApi } from '../../src/protocol/messages/list-transactions.js';
import { apiFor, supportedApiVersions } from '../../src/protocol/apis.js';
import { requestHeaderVersion, responseHeaderVersion } from '../../src/protocol/header.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { ProtocolDecodeError, ProtocolErrorCode } from '../../src/protocol/errors.js';
import { golden } from './golden.js';

const pid1000 = '00000000000003e8'; // producerId 1000
const ongoing = '4f6e676f696e67'; // "Ongoing"
const ts = '0000018bcfe56800'; // 1700000000000 ms

test('InitProducerId v3, v4 and v5 (same fields; v4/v5 only add error codes)', () => {
  for (const v of [3, 4, 5]) {
    golden(
      initProducerIdApi,
      'request',
      v,
      { transactionalId: 'x', transactionTimeoutMs: 60000, producerId: 5, producerEpoch: 2 },
      [
        '02 78', // transactionalId "x" (compact nullable)
        '0000ea60', // transactionTimeoutMs 60000
        '0000000000000005 0002', // producerId 5, producerEpoch 2 (v3+)
        '00', // tagged fields
      ],
    );
  }
  golden(initProducerIdApi, 'response', 4, { throttleTimeMs: 0, errorCode: 90, producerId: -1, producerEpoch: -1 }, [
    '00000000 005a', // throttleTimeMs, errorCode 90 PRODUCER_FENCED
    'ffffffffffffffff ffff 00', // producerId -1, producerEpoch -1, tagged fields
  ]);
  golden(initProducerIdApi, 'response', 5, { throttleTimeMs: 0, errorCode: 0, producerId: 1000, producerEpoch: 3 }, [
    '00000000 0000',
    `${pid1000} 0003 00`,
  ]);
});

test('AddPartitionsToTxn v0-2 (classic), v3 (flexible) and v4-5 (batched) requests', () => {
  const single = {
    v3AndBelowTransactionalId: 'x',
    v3AndBelowProducerId: 1000,
    v3AndBelowProducerEpoch: 1,
    v3AndBelowTopics: [{ name: 't', partitions: [0, 2] }],
  };
  for (const v of [0, 1, 2]) {
    golden(addPartitionsToTxnApi, 'request', v, single, [
      '0001 78', // transactionalId "x" (Transactions is v4+: absent)
      `${pid1000} 0001`, // producerId 1000, producerEpoch 1
      '00000001 0001 74', // topics: 1, name "t"
      '00000002 00000000 00000002', // partitions [0, 2]
    ]);
  }
  golden(addPartitionsToTxnApi, 'request', 3, single, [
    '02 78', // transactionalId "x"
    `${pid1000} 0001`,
    '02 02 74', // topics: compact 1, name "t"
    '03 00000000 00000002 00', // partitions [0, 2], topic tagged fields
    '00', // tagged fields
  ]);
  const batched = {
    transactions: [
      {
        transactionalId: 'x',
        producerId: 1000,
        producerEpoch: 1,
        verifyOnly: true,
        topics: [{ name: 't', partitions: [0] }],
      },
    ],
  };
  for (const v of [4, 5]) {
    golden(addPartitionsToTxnApi, 'request', v, batched, [
      '02', // transactions: compact 1
      '02 78', // transactionalId "x"
      `${pid1000} 0001`, // producerId, producerEpoch
      '01', // verifyOnly true
      '02 02 74 02 00000000 00', // topics: [{"t", partitions [0], tags}]
      '00', // transaction tagged fields
      '00', // tagged fields (the V3AndBelow fields are absent)
    ]);
  }
});

test('AddPartitionsToTxn v0-2, v3 and v4-5 responses', () => {
  const v3AndBelow = {
    throttleTimeMs: 0,
    resultsByTopicV3AndBelow: [
      {
        name: 't',
        resultsByPartition: [
          { partitionIndex: 0, partitionErrorCode: 0 },
          { partitionIndex: 2, partitionErrorCode: 51 },
        ],
      },
    ],
  };
  for (const v of [0, 1, 2]) {
    golden(addPartitionsToTxnApi, 'response', v, v3AndBelow, [
      '00000000', // throttleTimeMs (ErrorCode is v4+)
      '00000001 0001 74', // results: 1, name "t"
      '00000002', // resultsByPartition: 2
      '00000000 0000', // partition 0, NONE
      '00000002 0033', // partition 2, CONCURRENT_TRANSACTIONS
    ]);
  }
  golden(addPartitionsToTxnApi, 'response', 3, v3AndBelow, [
    '00000000',
    '02 02 74', // results: compact 1, name "t"
    '03', // resultsByPartition: compact 2
    '00000000 0000 00', // partition 0, NONE, tags
    '00000002 0033 00', // partition 2, CONCURRENT_TRANSACTIONS, tags
    '00 00', // topic tags, tags
  ]);
  const batched = {
    throttleTimeMs: 0,
    errorCode: 0,
    resultsByTransaction: [
      {
        transactionalId: 'x',
        topicResults: [{ name: 't', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: 48 }] }],
      },
    ],
  };
  for (const v of [4, 5]) {
    golden(addPartitionsToTxnApi, 'response', v, batched, [
      '00000000 0000', // throttleTimeMs, errorCode (v4+)
      '02 02 78', // resultsByTransaction: compact 1, transactionalId "x"
      '02 02 74', // topicResults: compact 1, name "t"
      '02 00000000 0030 00', // resultsByPartition: [{0, INVALID_TXN_STATE, tags}]
      '00 00 00', // topic tags, transaction tags, tags
    ]);
  }
});

test('AddOffsetsToTxn v0-2 (classic) and v3-4 (flexible)', () => {
  const req = { transactionalId: 'x', producerId: 1000, producerEpoch: 1, groupId: 'g' };
  for (const v of [0, 1, 2]) {
    golden(addOffsetsToTxnApi, 'request', v, req, ['0001 78', `${pid1000} 0001`, '0001 67']);
    golden(addOffsetsToTxnApi, 'response', v, { throttleTimeMs: 0, errorCode: 51 }, ['00000000 0033']);
  }
  for (const v of [3, 4]) {
    golden(addOffsetsToTxnApi, 'request', v, req, [
      '02 78', // transactionalId "x"
      `${pid1000} 0001`, // producerId, producerEpoch
      '02 67', // groupId "g"
      '00', // tagged fields
    ]);
    golden(addOffsetsToTxnApi, 'response', v, { throttleTimeMs: 0, errorCode: 0 }, ['00000000 0000 00']);
  }
});

test('EndTxn v0-2 (classic) and v3-4 (flexible); v5 (KIP-890 part 2) is not served', () => {
  const req = { transactionalId: 'x', producerId: 1000, producerEpoch: 1, committed: true };
  for (const v of [0, 1, 2]) {
    golden(endTxnApi, 'request', v, req, ['0001 78', `${pid1000} 0001`, '01']);
    golden(endTxnApi, 'response', v, { throttleTimeMs: 0, errorCode: 0 }, ['00000000 0000']);
  }
  for (const v of [3, 4]) {
    golden(endTxnApi, 'request', v, req, ['02 78', `${pid1000} 0001`, '01', '00']);
    golden(endTxnApi, 'response', v, { throttleTimeMs: 0, errorCode: 47 }, ['00000000 002f 00']); // INVALID_PRODUCER_EPOCH
  }
  // Below v5 the response carries no producer: decoding fills Kafka's -1 defaults.
  const decoded = endTxnApi.decodeResponse(4, new Reader(Buffer.from('00000000000000', 'hex')));
  assert.deepStrictEqual(decoded, { throttleTimeMs: 0, errorCode: 0, producerId: -1, producerEpoch: -1 });
  // v5 would need the coordinator to bump the epoch at every transaction end: refused, not half-served.
  assert.equal(endTxnApi.maxVersion, 4);
  assert.throws(
    () => endTxnApi.decodeRequest(5, new Reader(Buffer.from('027800000000000003e8000101 00'.replace(/ /g, ''), 'hex'))),
    (err: unknown) => err instanceof ProtocolDecodeError && err.errorCode === ProtocolErrorCode.UNSUPPORTED_VERSION,
  );
});

test('WriteTxnMarkers v0 (classic) and v1 (flexible)', () => {
  const req = {
    markers: [
      {
        producerId: 1000,
        producerEpoch: 1,
        transactionResult: false,
        topics: [{ name: 't', partitionIndexes: [0] }],
        coordinatorEpoch: 3,
      },
    ],
  };
  golden(writeTxnMarkersApi, 'request', 0, req, [
    '00000001', // markers: 1
    `${pid1000} 0001 00`, // producerId, producerEpoch, transactionResult false (abort)
    '00000001 0001 74 00000001 00000000', // topics: [{"t", partitionIndexes [0]}]
    '00000003', // coordinatorEpoch
  ]);
  golden(writeTxnMarkersApi, 'request', 1, req, [
    '02', // markers: compact 1
    `${pid1000} 0001 00`,
    '02 02 74 02 00000000 00', // topics: [{"t", [0], tags}]
    '00000003 00', // coordinatorEpoch, marker tags
    '00', // tagged fields
  ]);
  const res = {
    markers: [{ producerId: 1000, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] }],
  };
  golden(writeTxnMarkersApi, 'response', 0, res, [
    '00000001', // markers: 1
    pid1000, // producerId
    '00000001 0001 74', // topics: 1, name "t"
    '00000001 00000000 0000', // partitions: [{0, NONE}]
  ]);
  golden(writeTxnMarkersApi, 'response', 1, res, [
    '02',
    pid1000,
    '02 02 74',
    '02 00000000 0000 00', // partitions: [{0, NONE, tags}]
    '00 00 00', // topic tags, marker tags, tags
  ]);
});

test('TxnOffsetCommit v0-1, v2 (leader epoch) and v3-5 (member fields, flexible) requests', () => {
  const base = { transactionalId: 'x', groupId: 'g', producerId: 1000, producerEpoch: 1 };
  const offsets = (committedMetadata: string | null) => [
    { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 5, committedMetadata }] },
  ];
  for (const v of [0, 1]) {
    golden(txnOffsetCommitApi, 'request', v, { ...base, topics: offsets(null) }, [
      '0001 78 0001 67', // transactionalId "x", groupId "g"
      `${pid1000} 0001`, // producerId, producerEpoch
      '00000001 0001 74 00000001', // topics: [{"t", partitions: 1
      '00000000 000000000000002a ffff', // partition 0, offset 42, metadata null (leader epoch is v2+)
    ]);
  }
  golden(txnOffsetCommitApi, 'request', 2, { ...base, topics: offsets(null) }, [
    '0001 78 0001 67',
    `${pid1000} 0001`,
    '00000001 0001 74 00000001',
    '00000000 000000000000002a 00000005 ffff', // partition 0, offset 42, leader epoch 5, metadata null
  ]);
  for (const v of [3, 4, 5]) {
    golden(
      txnOffsetCommitApi,
      'request',
      v,
      { ...base, generationId: 7, memberId: 'm', groupInstanceId: null, topics: offsets('') },
      [
        '02 78 02 67', // transactionalId "x", groupId "g"
        `${pid1000} 0001`,
        '00000007 02 6d 00', // generationId 7, memberId "m", groupInstanceId null
        '02 02 74 02', // topics: [{"t", partitions: compact 1
        '00000000 000000000000002a 00000005 01 00', // 0, offset 42, epoch 5, metadata "", tags
        '00 00', // topic tags, tags
      ],
    );
  }
});

test('TxnOffsetCommit v0-2 and v3-5 responses', () => {
  const res = { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 22 }] }] };
  for (const v of [0, 1, 2]) {
    golden(txnOffsetCommitApi, 'response', v, res, [
      '00000000', // throttleTimeMs
      '00000001 0001 74', // topics: 1, name "t"
      '00000001 00000000 0016', // partitions: [{0, ILLEGAL_GENERATION}]
    ]);
  }
  for (const v of [3, 4, 5]) {
    golden(txnOffsetCommitApi, 'response', v, res, ['00000000', '02 02 74', '02 00000000 0016 00', '00 00']);
  }
});

test('DescribeProducers v0 (flexible)', () => {
  golden(describeProducersApi, 'request', 0, { topics: [{ name: 't', partitionIndexes: [0, 1] }] }, [
    '02 02 74', // topics: compact 1, name "t"
    '03 00000000 00000001 00', // partitionIndexes [0, 1], topic tags
    '00', // tagged fields
  ]);
  const producer = {
    producerId: 1000,
    producerEpoch: 1,
    lastSequence: 9,
    lastTimestamp: 1700000000000,
    coordinatorEpoch: 3,
    currentTxnStartOffset: -1,
  };
  golden(
    describeProducersApi,
    'response',
    0,
    {
      throttleTimeMs: 0,
      topics: [
        {
          name: 't',
          partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null, activeProducers: [producer] }],
        },
      ],
    },
    [
      '00000000', // throttleTimeMs
      '02 02 74 02', // topics: [{"t", partitions: compact 1
      '00000000 0000 00', // partitionIndex 0, errorCode, errorMessage null
      '02', // activeProducers: compact 1
      `${pid1000} 00000001 00000009`, // producerId, producerEpoch (int32 here), lastSequence
      `${ts} 00000003`, // lastTimestamp, coordinatorEpoch
      'ffffffffffffffff 00', // currentTxnStartOffset -1 (no open transaction), producer tags
      '00 00 00', // partition tags, topic tags, tags
    ],
  );
});

test('DescribeTransactions v0 (flexible)', () => {
  golden(describeTransactionsApi, 'request', 0, { transactionalIds: ['x'] }, ['02 02 78', '00']);
  golden(
    describeTransactionsApi,
    'response',
    0,
    {
      throttleTimeMs: 0,
      transactionStates: [
        {
          errorCode: 0,
          transactionalId: 'x',
          transactionState: 'Ongoing',
          transactionTimeoutMs: 60000,
          transactionStartTimeMs: 1700000000000,
          producerId: 1000,
          producerEpoch: 1,
          topics: [{ topic: 't', partitions: [0] }],
        },
      ],
    },
    [
      '00000000', // throttleTimeMs
      '02 0000 02 78', // transactionStates: compact 1, errorCode, transactionalId "x"
      `08 ${ongoing}`, // transactionState "Ongoing"
      `0000ea60 ${ts}`, // transactionTimeoutMs 60000, transactionStartTimeMs
      `${pid1000} 0001`, // producerId, producerEpoch
      '02 02 74 02 00000000 00', // topics: [{"t", [0], tags}]
      '00 00', // state tags, tags
    ],
  );
});

test('ListTransactions v0, v1 (DurationFilter) and v2 (TransactionalIdPattern)', () => {
  const filters = { stateFilters: ['Ongoing'], producerIdFilters: [1000] };
  golden(listTransactionsApi, 'request', 0, filters, [`02 08 ${ongoing}`, `02 ${pid1000}`, '00']);
  golden(listTransactionsApi, 'request', 1, { ...filters, durationFilter: 60000 }, [
    `02 08 ${ongoing}`, // stateFilters ["Ongoing"]
    `02 ${pid1000}`, // producerIdFilters [1000]
    '000000000000ea60', // durationFilter 60000 ms (v1+)
    '00',
  ]);
  golden(listTransactionsApi, 'request', 2, { ...filters, durationFilter: -1, transactionalIdPattern: 'x.*' }, [
    `02 08 ${ongoing}`,
    `02 ${pid1000}`,
    'ffffffffffffffff', // durationFilter -1 (all)
    '04 782e2a', // transactionalIdPattern "x.*" (v2+)
    '00',
  ]);
  golden(listTransactionsApi, 'request', 2, { stateFilters: [], producerIdFilters: [] }, [
    '01 01', // no state filters, no producer filters
    'ffffffffffffffff 00', // durationFilter default -1, transactionalIdPattern default null
    '00',
  ]);
  const res = {
    throttleTimeMs: 0,
    errorCode: 0,
    unknownStateFilters: ['Bad'],
    transactionStates: [{ transactionalId: 'x', producerId: 1000, transactionState: 'Ongoing' }],
  };
  for (const v of [0, 1, 2]) {
    golden(listTransactionsApi, 'response', v, res, [
      '00000000 0000', // throttleTimeMs, errorCode
      '02 04 426164', // unknownStateFilters ["Bad"]
      `02 02 78 ${pid1000} 08 ${ongoing} 00`, // transactionStates: [{"x", 1000, "Ongoing", tags}]
      '00', // tagged fields
    ]);
  }
});

test('the transaction APIs are in the registry with Kafka flexible versions, and advertised only when served', () => {
  const expected: [key: number, min: number, max: number, flexibleFrom: number][] = [
    [22, 0, 5, 2],
    [24, 0, 5, 3],
    [25, 0, 4, 3],
    [26, 0, 4, 3],
    [27, 0, 1, 1],
    [28, 0, 5, 3],
    [61, 0, 0, 0],
    [65, 0, 0, 0],
    [66, 0, 2, 0],
  ];
  for (const [key, min, max, flexibleFrom] of expected) {
    const api = apiFor(key);
    assert.ok(api, `key ${key} registered`);
    assert.deepStrictEqual([api.minVersion, api.maxVersion, api.flexibleFrom], [min, max, flexibleFrom], api.name);
    // Flexible versions use request header v2 / response header v1 (ApiVersions aside).
    for (let v = min; v <= max; v++) {
      const flexible = v >= flexibleFrom;
      assert.equal(requestHeaderVersion(key, v), flexible ? 2 : 1, `${api.name} v${v} request header`);
      assert.equal(responseHeaderVersion(key, v), flexible ? 1 : 0, `${api.name} v${v} response header`);
    }
  }
  const servedKeys = supportedApiVersions((k) => k !== 24 && k !== 66).map((a) => a.apiKey);
  assert.ok(servedKeys.includes(26) && !servedKeys.includes(24) && !servedKeys.includes(66));
});
