// `__transaction_state` key and value codecs against golden bytes in Kafka's layouts
// (TransactionLogKey v0, TransactionLogValue v0 written, v0 and v1 read), tombstone-free round
// trips, and the partition of a transactional id (Java's String.hashCode, as Kafka).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeTxnKey,
  decodeTxnValue,
  partitionForTransactionalId,
  txnKey,
  txnStateFromId,
  txnStateId,
  txnValue,
} from '../../../src/broker/txn/txn-records.js';
import { ProtocolDecodeError } from '../../../src/protocol/errors.js';

test('key v0: int16 version 0 then the transactional id', () => {
  const k = txnKey('txn-1');
  assert.equal(k.toString('hex'), `00000005${Buffer.from('txn-1').toString('hex')}`); // version 0, length 5
  assert.equal(decodeTxnKey(k), 'txn-1');
  assert.throws(() => decodeTxnKey(Buffer.from('00010000', 'hex')), ProtocolDecodeError);
});

test('value v0 golden bytes: an Ongoing transaction with partitions grouped by topic', () => {
  const entry = {
    producerId: 1000,
    lastProducerId: -1,
    producerEpoch: 3,
    timeoutMs: 60_000,
    state: 'Ongoing' as const,
    partitions: [
      { topic: 't', partition: 0 },
      { topic: 't', partition: 2 },
    ],
    lastUpdateTimestamp: 1_700_000_000_123,
    startTimestamp: 1_700_000_000_000,
  };
  const bytes = txnValue(entry);
  assert.equal(
    bytes.toString('hex'),
    '0000' + // version 0
      '00000000000003e8' + // producer id 1000
      '0003' + // epoch
      '0000ea60' + // timeout 60000
      '01' + // Ongoing
      '00000001' + // one topic
      '000174' + // "t"
      '00000002' +
      '00000000' +
      '00000002' + // partitions 0, 2
      '0000018bcfe5687b' + // last update
      '0000018bcfe56800', // start
  );
  assert.deepEqual(decodeTxnValue(bytes), entry);
});

test('value v0: Empty is written with null partitions', () => {
  const bytes = txnValue({
    producerId: 7,
    lastProducerId: -1,
    producerEpoch: 0,
    timeoutMs: 60_000,
    state: 'Empty',
    partitions: [],
    lastUpdateTimestamp: 5,
    startTimestamp: -1,
  });
  assert.equal(bytes.toString('hex'), '0000000000000000000700000000ea6000ffffffff0000000000000005ffffffffffffffff');
  assert.equal(decodeTxnValue(bytes).state, 'Empty');
  assert.throws(() =>
    txnValue({
      producerId: 7,
      lastProducerId: -1,
      producerEpoch: 0,
      timeoutMs: 1,
      state: 'Empty',
      partitions: [{ topic: 't', partition: 0 }],
      lastUpdateTimestamp: 5,
      startTimestamp: -1,
    }),
  );
});

test('value v1 (flexible, tagged PreviousProducerId) is read', () => {
  const v1 = Buffer.from(
    '0001' + // version 1
      '00000000000007d0' + // producer id 2000
      '0004' + // epoch
      '00007530' + // timeout 30000
      '02' + // PrepareCommit
      '02' + // compact array: one topic
      '0274' + // compact string "t"
      '02' + // compact array: one partition
      '00000001' +
      '00' + // no tagged fields in the topic struct
      '000000000000000a' + // last update 10
      '0000000000000009' + // start 9
      '01' + // one tagged field
      '00' + // tag 0: PreviousProducerId
      '08' +
      '00000000000007cf', // 1999
    'hex',
  );
  assert.deepEqual(decodeTxnValue(v1), {
    producerId: 2000,
    lastProducerId: 1999,
    producerEpoch: 4,
    timeoutMs: 30_000,
    state: 'PrepareCommit',
    partitions: [{ topic: 't', partition: 1 }],
    lastUpdateTimestamp: 10,
    startTimestamp: 9,
  });
  assert.throws(() => decodeTxnValue(Buffer.from('0002', 'hex')), ProtocolDecodeError);
});

test('state ids are Kafka TransactionState ids', () => {
  assert.equal(txnStateId('Empty'), 0);
  assert.equal(txnStateId('CompleteAbort'), 5);
  assert.equal(txnStateId('PrepareEpochFence'), 7);
  assert.equal(txnStateFromId(3), 'PrepareAbort');
  assert.throws(() => txnStateFromId(8), ProtocolDecodeError);
});

test('partition of a transactional id is abs(hashCode) % count as in Kafka', () => {
  // "txn".hashCode() = 115306 in Java; 115306 % 50 = 6
  assert.equal(partitionForTransactionalId('txn', 50), 6);
  for (const id of ['a', 'producer-1', 'ζ']) {
    const p = partitionForTransactionalId(id, 7);
    assert.ok(p >= 0 && p < 7);
  }
});
