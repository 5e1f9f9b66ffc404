// The exactly-once vocabulary against Kafka's numbers and names (TransactionState ids as stored in
// __transaction_state, the names Describe/ListTransactions carry, control record types, isolation
// levels, coordinator key types, and the transaction error codes of Errors.java).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ControlRecordType,
  CoordinatorKeyType,
  IsolationLevel,
  TransactionState,
  isTransactionStateId,
  transactionStateFromName,
  transactionStateName,
} from '../../src/protocol/txn-types.js';
import { ErrorCode, errorName } from '../../src/common/errors.js';

test('transaction state ids and names are Kafka’s, and name ↔ id round-trips', () => {
  const kafka: [name: string, id: number][] = [
    ['Empty', 0],
    ['Ongoing', 1],
    ['PrepareCommit', 2],
    ['PrepareAbort', 3],
    ['CompleteCommit', 4],
    ['CompleteAbort', 5],
    ['Dead', 6],
    ['PrepareEpochFence', 7],
  ];
  assert.deepStrictEqual(
    Object.values(TransactionState).map((id) => [transactionStateName(id), id]),
    kafka,
  );
  for (const [name, id] of kafka) assert.equal(transactionStateFromName(name), id);
  assert.equal(transactionStateFromName('ongoing'), undefined, 'names are case-sensitive, as in Kafka');
  assert.equal(transactionStateFromName('Bad'), undefined);
  assert.ok(isTransactionStateId(7));
  assert.ok(!isTransactionStateId(8) && !isTransactionStateId(-1) && !isTransactionStateId(1.5));
});

test('control record types, isolation levels and coordinator key types', () => {
  assert.deepStrictEqual(ControlRecordType, { ABORT: 0, COMMIT: 1 });
  assert.deepStrictEqual(IsolationLevel, { READ_UNCOMMITTED: 0, READ_COMMITTED: 1 });
  assert.deepStrictEqual(CoordinatorKeyType, { GROUP: 0, TRANSACTION: 1 });
});

test('the error codes the transaction APIs return have Kafka’s numbers and names', () => {
  const kafka: [name: string, code: number][] = [
    ['OUT_OF_ORDER_SEQUENCE_NUMBER', 45],
    ['DUPLICATE_SEQUENCE_NUMBER', 46],
    ['INVALID_PRODUCER_EPOCH', 47],
    ['INVALID_TXN_STATE', 48],
    ['INVALID_PRODUCER_ID_MAPPING', 49],
    ['INVALID_TRANSACTION_TIMEOUT', 50],
    ['CONCURRENT_TRANSACTIONS', 51],
    ['TRANSACTION_COORDINATOR_FENCED', 52],
    ['TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 53],
    ['UNKNOWN_PRODUCER_ID', 59],
    ['PRODUCER_FENCED', 90],
    ['TRANSACTIONAL_ID_NOT_FOUND', 105],
    ['TRANSACTION_ABORTABLE', 120],
    ['INVALID_REGULAR_EXPRESSION', 128],
  ];
  for (const [name, code] of kafka) {
    assert.equal((ErrorCode as Record<string, number>)[name], code, name);
    assert.equal(errorName(code), name);
  }
});
