// The transactional producer's pure bookkeeping (src/client/txn-producer-state.ts): error
// classification per request kind, what giving up does to the producer, per-partition sequence
// numbers (start at 0, wrap at int32, reset per epoch) and the state machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import {
  classifyTxnError,
  failureEffect,
  PartitionSequences,
  tpKey,
  TxnProducerBook,
} from '../../src/client/txn-producer-state.js';

test('produce errors: moved leaders are resent, duplicates are done, sequence trouble aborts, fencing is fatal', () => {
  for (const code of [
    ErrorCode.NOT_LEADER_OR_FOLLOWER,
    ErrorCode.LEADER_NOT_AVAILABLE,
    ErrorCode.NOT_ENOUGH_REPLICAS,
    ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
    ErrorCode.REQUEST_TIMED_OUT,
    ErrorCode.NETWORK_EXCEPTION,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ])
    assert.equal(classifyTxnError('Produce', code), 'refresh-metadata', String(code));
  assert.equal(classifyTxnError('Produce', ErrorCode.NONE), 'ok');
  assert.equal(classifyTxnError('Produce', ErrorCode.DUPLICATE_SEQUENCE_NUMBER), 'ok');
  assert.equal(classifyTxnError('Produce', ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER), 'abortable-bump-epoch');
  assert.equal(classifyTxnError('Produce', ErrorCode.UNKNOWN_PRODUCER_ID), 'abortable-bump-epoch');
  assert.equal(classifyTxnError('Produce', ErrorCode.INVALID_TXN_STATE), 'abortable');
  assert.equal(classifyTxnError('Produce', ErrorCode.MESSAGE_TOO_LARGE), 'abortable');
  assert.equal(classifyTxnError('Produce', ErrorCode.INVALID_PRODUCER_EPOCH), 'fatal');
  assert.equal(classifyTxnError('Produce', ErrorCode.PRODUCER_FENCED), 'fatal');
  assert.equal(classifyTxnError('Produce', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED), 'fatal');
});

test('coordinator errors: moved coordinators are found again, busy ones retried, the rest per request', () => {
  for (const kind of [
    'InitProducerId',
    'AddPartitionsToTxn',
    'AddOffsetsToTxn',
    'TxnOffsetCommit',
    'EndTxn',
  ] as const) {
    assert.equal(classifyTxnError(kind, ErrorCode.NOT_COORDINATOR), 'find-coordinator', kind);
    assert.equal(classifyTxnError(kind, ErrorCode.COORDINATOR_NOT_AVAILABLE), 'find-coordinator', kind);
    assert.equal(classifyTxnError(kind, ErrorCode.NETWORK_EXCEPTION), 'find-coordinator', kind);
    assert.equal(classifyTxnError(kind, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS), 'retry', kind);
    assert.equal(classifyTxnError(kind, ErrorCode.CONCURRENT_TRANSACTIONS), 'retry', kind);
    assert.equal(classifyTxnError(kind, ErrorCode.PRODUCER_FENCED), 'fatal', kind);
    assert.equal(classifyTxnError(kind, ErrorCode.INVALID_PRODUCER_EPOCH), 'fatal', kind);
    assert.equal(classifyTxnError(kind, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED), 'fatal', kind);
  }
  assert.equal(classifyTxnError('InitProducerId', ErrorCode.INVALID_TRANSACTION_TIMEOUT), 'fatal');
  assert.equal(classifyTxnError('AddPartitionsToTxn', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), 'retry');
  assert.equal(classifyTxnError('AddPartitionsToTxn', ErrorCode.TOPIC_AUTHORIZATION_FAILED), 'abortable');
  assert.equal(classifyTxnError('AddPartitionsToTxn', ErrorCode.INVALID_TXN_STATE), 'fatal');
  assert.equal(classifyTxnError('AddPartitionsToTxn', ErrorCode.TRANSACTION_ABORTABLE), 'abortable');
  assert.equal(classifyTxnError('AddOffsetsToTxn', ErrorCode.GROUP_AUTHORIZATION_FAILED), 'abortable');
  assert.equal(classifyTxnError('TxnOffsetCommit', ErrorCode.REQUEST_TIMED_OUT), 'find-coordinator');
  assert.equal(classifyTxnError('TxnOffsetCommit', ErrorCode.ILLEGAL_GENERATION), 'abortable');
  assert.equal(classifyTxnError('TxnOffsetCommit', ErrorCode.UNKNOWN_MEMBER_ID), 'abortable');
  assert.equal(classifyTxnError('EndTxn', ErrorCode.INVALID_TXN_STATE), 'fatal');
  assert.equal(classifyTxnError('EndTxn', ErrorCode.INVALID_PRODUCER_ID_MAPPING), 'abortable-bump-epoch');
});

test('giving up: fatal ends the producer, failed batches need an epoch bump, timed-out EndTxn changes nothing', () => {
  assert.deepEqual(failureEffect('EndTxn', 'fatal'), { fatal: true, bumpEpoch: false });
  assert.deepEqual(failureEffect('TxnOffsetCommit', 'abortable'), { fatal: false, bumpEpoch: false });
  assert.deepEqual(failureEffect('Produce', 'abortable'), { fatal: false, bumpEpoch: true });
  assert.deepEqual(failureEffect('Produce', 'timeout'), { fatal: false, bumpEpoch: true });
  assert.deepEqual(failureEffect('AddPartitionsToTxn', 'timeout'), { fatal: false, bumpEpoch: false });
  assert.equal(failureEffect('EndTxn', 'timeout'), null);
  assert.equal(failureEffect('InitProducerId', 'timeout'), null);
});

test('sequences: per partition from 0, advanced by the batch size, wrapped at int32, reset per epoch', () => {
  const s = new PartitionSequences();
  const a = tpKey('t', 0);
  const b = tpKey('t', 1);
  assert.equal(s.reserve(a, 3), 0);
  assert.equal(s.reserve(a, 2), 3);
  assert.equal(s.reserve(b, 5), 0, 'each partition has its own');
  assert.equal(s.peek(a), 5);
  assert.notEqual(tpKey('t', 10), tpKey('t1', 0));
  const w = new PartitionSequences();
  w.reserve(a, 2_147_483_646);
  assert.equal(w.reserve(a, 1), 2_147_483_646);
  assert.equal(w.peek(a), 2_147_483_647);
  assert.equal(w.reserve(a, 2), 2_147_483_647);
  assert.equal(w.peek(a), 1, 'wrapped past int32 max to 0');
  assert.throws(() => s.reserve(a, 0), RangeError);
  s.reset();
  assert.equal(s.peek(a), 0);
});

test('state machine: init, transactions, abortable and fatal failures', () => {
  const book = new TxnProducerBook();
  assert.throws(() => book.require('send', 'in-transaction'), /not allowed in state uninitialized/);
  book.transitionTo('initializing');
  book.setProducer(7, 0);
  book.transitionTo('ready');
  book.sequences.reserve(tpKey('t', 0), 4);
  book.transitionTo('in-transaction');
  assert.throws(() => book.transitionTo('ready'), /cannot go from in-transaction to ready/);
  assert.equal(book.needsEndTxn, false, 'nothing added: no EndTxn');
  book.addSending();
  assert.equal(book.needsEndTxn, true);
  assert.equal(book.transactionConfirmed, false);
  book.addConfirmedFor([tpKey('t', 0)]);
  assert.ok(book.isAdded(tpKey('t', 0)));
  assert.equal(book.transactionConfirmed, true);

  const abortable = new Error('refused');
  book.fail(abortable, false, true);
  assert.equal(book.state, 'abortable-error');
  assert.equal(book.epochBumpRequired, true);
  assert.throws(() => book.require('send', 'in-transaction'), /refused/, 'later calls see the error');
  book.require('abortTransaction', 'in-transaction', 'abortable-error');
  book.transitionTo('aborting');
  book.fail(new Error('EndTxn timed out'), false);
  assert.equal(book.state, 'aborting', 'an abort that failed stays an abort to finish');
  book.clearTransaction();
  assert.equal(book.isAdded(tpKey('t', 0)), false);
  book.transitionTo('initializing');
  book.setProducer(7, 1);
  assert.equal(book.sequences.peek(tpKey('t', 0)), 0, 'a new epoch restarts sequences');
  assert.equal(book.epochBumpRequired, false);
  book.transitionTo('ready');
  assert.equal(book.lastError, null);

  const fenced = new Error('fenced');
  book.fail(fenced, true);
  assert.equal(book.state, 'fatal-error');
  assert.throws(() => book.require('abortTransaction', 'abortable-error'), /fenced/);
  book.fail(new Error('later'), false);
  assert.equal(book.lastError, fenced, 'the first fatal error stays');
});
