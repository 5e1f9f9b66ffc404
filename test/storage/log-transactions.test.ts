import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ErrorCode } from '../../src/common/errors.js';
import { buildRecordBatch, readBatchHeaders, readRecords } from '../../src/protocol/record-batch.js';
import { Log, type AppendInfo, type AppendRefused } from '../../src/storage/log.js';
import { LogCleaner } from '../../src/storage/log-cleaner.js';
import { defaultLogConfig, type LogConfig } from '../../src/storage/log-config.js';
import { segmentFileName } from '../../src/storage/log-segment.js';
import { ControlRecordType } from '../../src/protocol/txn-types.js';

const logger = pino({ level: 'silent' });
const tmp = (): string => mkdtempSync(join(tmpdir(), 'raftka-txn-'));
const open = (dir: string, config: LogConfig = defaultLogConfig, recoveryPoint = 0): Log =>
  Log.open(dir, config, { recoveryPoint, logStartOffset: 0, nowMs: 1_000, logger });

function batch(
  pid: number,
  epoch: number,
  seq: number,
  keys: readonly string[],
  transactional = false,
  timestamp = 1_000,
): Buffer {
  return buildRecordBatch(
    keys.map((k) => ({ key: Buffer.from(k), value: Buffer.from(`v-${k}`), timestamp })),
    { producerId: pid, producerEpoch: epoch, baseSequence: seq, transactional },
  );
}

function ok(r: AppendInfo | AppendRefused): AppendInfo {
  if ('errorCode' in r) throw new Error(`append refused: ${r.errorCode} ${r.message}`);
  return r;
}

/** Every key in the log (a marker shows as `<producerId>`), reading segment after segment. */
function keysIn(log: Log): string[] {
  const out: string[] = [];
  let at = log.logStartOffset;
  while (at < log.logEndOffset) {
    const r = log.read(at, 10_000_000, log.logEndOffset, true);
    assert.ok(r.ok);
    const headers = readBatchHeaders(r.records);
    if (headers.length === 0) break;
    for (const h of headers)
      out.push(
        ...(h.isControl ? [`<${h.producerId}>`] : readRecords(r.records, h).map((x) => x.key?.toString() ?? '')),
      );
    const last = headers.at(-1)!;
    at = last.baseOffset + last.lastOffsetDelta + 1;
  }
  return out;
}

test('leader append: duplicates answer the original offsets and write nothing; errors refuse the whole append', () => {
  const dir = tmp();
  const log = open(dir);
  ok(log.appendAsLeader(batch(-1, -1, -1, ['a']), 1, 1_000));
  const first = ok(log.appendAsLeader(batch(5, 0, 0, ['b', 'c']), 1, 1_000));
  assert.deepEqual([first.baseOffset, first.lastOffset, first.duplicate], [1, 2, false]);
  const retry = ok(log.appendAsLeader(batch(5, 0, 0, ['b', 'c']), 1, 1_000));
  assert.deepEqual([retry.baseOffset, retry.lastOffset, retry.duplicate], [1, 2, true]);
  assert.equal(log.logEndOffset, 3);
  const gap = log.appendAsLeader(batch(5, 0, 5, ['d']), 1, 1_000);
  assert.ok('errorCode' in gap && gap.errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  const unknown = log.appendAsLeader(batch(6, 0, 3, ['d']), 1, 1_000);
  assert.ok('errorCode' in unknown && unknown.errorCode === ErrorCode.UNKNOWN_PRODUCER_ID);
  // Two batches of one producer in one request follow each other.
  const two = Buffer.concat([batch(5, 0, 2, ['d']), batch(5, 0, 3, ['e'])]);
  assert.equal(ok(log.appendAsLeader(two, 1, 1_000)).lastOffset, 4);
  const bad = Buffer.concat([batch(-1, -1, -1, ['x']), batch(5, 0, 9, ['y'])]);
  assert.ok('errorCode' in log.appendAsLeader(bad, 1, 1_000));
  assert.equal(log.logEndOffset, 5, 'a refused append writes nothing');
  assert.deepEqual(log.producerStates(), [
    {
      producerId: 5,
      producerEpoch: 0,
      lastSequence: 3,
      lastTimestamp: 1_000,
      coordinatorEpoch: -1,
      currentTxnStartOffset: -1,
    },
  ]);
  log.close(1_000);
  rmSync(dir, { recursive: true });
});

/** Producer 1 aborts [0..2], producer 2 commits [1..4]; returns the log. */
function twoTransactions(dir: string, config: LogConfig = defaultLogConfig): Log {
  const log = open(dir, config);
  ok(log.appendAsLeader(batch(1, 0, 0, ['a1', 'a2'], true), 3, 1_000)); // 0-1
  ok(log.appendAsLeader(batch(2, 0, 0, ['b1'], true), 3, 1_000)); // 2
  assert.equal(log.firstUnstableOffset, 0);
  assert.equal(log.lastStableOffset(3), 0);
  ok(log.appendControlMarker(1, 0, ControlRecordType.ABORT, 7, 3, 1_000)); // 3
  ok(log.appendAsLeader(batch(2, 0, 1, ['b2'], true), 3, 1_000)); // 4
  ok(log.appendControlMarker(2, 0, ControlRecordType.COMMIT, 7, 3, 1_000)); // 5
  return log;
}

test('markers close transactions, the LSO follows, and the aborted index answers read-committed fetches', () => {
  const dir = tmp();
  const log = twoTransactions(dir);
  // Both markers above the high watermark: the LSO waits for them.
  assert.equal(log.lastStableOffset(3), 0);
  assert.equal(log.lastStableOffset(4), 2);
  assert.equal(log.lastStableOffset(6), 6);
  assert.deepEqual(log.abortedTransactions(0, 6), [{ producerId: 1, firstOffset: 0 }]);
  assert.deepEqual(log.abortedTransactions(4, 6), []);
  assert.deepEqual(log.abortedTransactions(3, 6), [{ producerId: 1, firstOffset: 0 }]);
  assert.ok(existsSync(join(dir, segmentFileName(0, '.txnindex'))));
  // A marker from an older producer epoch is fenced; a new epoch's marker is fine.
  ok(log.appendAsLeader(batch(1, 1, 0, ['c1'], true), 3, 1_000));
  const fenced = log.appendControlMarker(1, 0, ControlRecordType.COMMIT, 7, 3, 1_000);
  assert.ok('errorCode' in fenced && fenced.errorCode === ErrorCode.PRODUCER_FENCED);
  assert.equal(log.producerStates().find((p) => p.producerId === 1)?.currentTxnStartOffset, 6);
  log.close(1_000);
  rmSync(dir, { recursive: true });
});

test('an abort marker in a later segment than its records still answers a read of the earlier segment', () => {
  // The transaction's records sit in the first segment, other writes roll the log, the ABORT
  // marker lands two segments on. A read_committed fetch of the first segment alone (upper bound
  // inside it) must learn of the abort from the later segment's txn index (Kafka's
  // collectAbortedTransactions reads on until an entry's LSO passes the bound), or the consumer
  // returns aborted records.
  const dir = tmp();
  const log = open(dir, { ...defaultLogConfig, segmentBytes: 150 });
  ok(log.appendAsLeader(batch(1, 0, 0, ['aborted-1'], true), 3, 1_000)); // 0
  for (let i = 0; i < 6; i++) ok(log.appendAsLeader(batch(-1, -1, -1, [`plain-${i}`]), 3, 1_000)); // 1-6
  assert.ok(log.segmentCount >= 3, `${log.segmentCount} segments`);
  ok(log.appendControlMarker(1, 0, ControlRecordType.ABORT, 7, 3, 1_000)); // 7
  assert.deepEqual(log.abortedTransactions(0, 1), [{ producerId: 1, firstOffset: 0 }]);
  const first = log.read(0, 10_000_000, log.logEndOffset, true);
  assert.ok(first.ok);
  const headers = readBatchHeaders(first.records);
  const last = headers.at(-1)!;
  assert.ok(last.baseOffset + last.lastOffsetDelta + 1 < 7, 'the read stops before the marker');
  assert.deepEqual(log.abortedTransactions(0, last.baseOffset + last.lastOffsetDelta + 1), [
    { producerId: 1, firstOffset: 0 },
  ]);
  log.close(1_000);
  rmSync(dir, { recursive: true });
});

test('recovery after a crash (torn tail, replayed from the start) rebuilds the same producer state and txn index', () => {
  const dir = tmp();
  const config = { ...defaultLogConfig, segmentBytes: 150 };
  const log = twoTransactions(dir, config);
  ok(log.appendAsLeader(batch(3, 0, 0, ['t1'], true), 3, 1_000)); // 6, left open
  const states = log.producerStates();
  const aborted = log.abortedTransactions(0, 100);
  assert.ok(log.segmentCount > 2, `${log.segmentCount} segments`);
  const snapshotsBefore = readdirSync(dir).filter((n) => n.endsWith('.snapshot'));
  assert.ok(snapshotsBefore.length > 0, 'a snapshot is written at each roll');
  // Simulated kill -9: no close; the last batch half written; txn indexes of scanned segments lost.
  ok(log.appendAsLeader(batch(3, 0, 1, ['torn'], true), 3, 1_000));
  const lastBase = Math.max(
    ...readdirSync(dir)
      .filter((n) => n.endsWith('.log'))
      .map((n) => Number(n.slice(0, 20))),
  );
  const tail = join(dir, segmentFileName(lastBase, '.log'));
  truncateSync(tail, statSync(tail).size - 5);
  for (const n of readdirSync(dir)) if (n.endsWith('.txnindex')) rmSync(join(dir, n));
  const reopened = open(dir, config, 0);
  assert.equal(reopened.logEndOffset, 7);
  assert.deepEqual(reopened.producerStates(), states);
  assert.deepEqual(reopened.abortedTransactions(0, 100), aborted);
  assert.equal(reopened.lastStableOffset(7), 6);
  // A retry of the lost batch is accepted and the retry of an older one is a duplicate.
  assert.equal(ok(reopened.appendAsLeader(batch(3, 0, 1, ['torn'], true), 3, 1_000)).baseOffset, 7);
  assert.ok(ok(reopened.appendAsLeader(batch(2, 0, 1, ['b2'], true), 3, 1_000)).duplicate);
  reopened.close(2_000);
  // A clean close leaves a snapshot at the log end; reopening gives the same state again.
  assert.ok(existsSync(join(dir, '00000000000000000008.snapshot')));
  const again = open(dir, config, 8);
  assert.deepEqual(again.producerStates(), reopened.producerStates());
  again.close(2_000);
  rmSync(dir, { recursive: true });
});

test('truncation rebuilds the producer state from a snapshot below the new end plus replay', () => {
  const dir = tmp();
  const config = { ...defaultLogConfig, segmentBytes: 200 };
  const log = open(dir, config);
  // Truncation reloads snapshots as of now (expired producers are skipped): use current times.
  const now = Date.now();
  for (let i = 0; i < 6; i++) ok(log.appendAsLeader(batch(4, 0, i, [`k${i}`], false, now), 1, now));
  ok(log.appendAsLeader(batch(8, 0, 0, ['t'], true), 1, 1_000)); // 6
  ok(log.appendControlMarker(8, 0, ControlRecordType.ABORT, 1, 1, 1_000)); // 7
  assert.deepEqual(log.abortedTransactions(0, 10), [{ producerId: 8, firstOffset: 6 }]);
  log.truncateTo(4);
  assert.equal(log.logEndOffset, 4);
  assert.deepEqual(log.abortedTransactions(0, 10), []);
  assert.deepEqual(
    log.producerStates().map((p) => [p.producerId, p.lastSequence]),
    [[4, 3]],
  );
  assert.ok(readdirSync(dir).every((n) => !n.endsWith('.snapshot') || Number(n.slice(0, 20)) <= 4));
  // The producer continues at sequence 4 (as it will when it retries).
  assert.equal(ok(log.appendAsLeader(batch(4, 0, 4, ['k4']), 2, 1_000)).baseOffset, 4);
  log.restartAt(100);
  assert.deepEqual(log.producerStates(), []);
  log.close(1_000);
  rmSync(dir, { recursive: true });
});

test('retention deletes segments with their txn index and older snapshots', () => {
  const dir = tmp();
  const config = { ...defaultLogConfig, segmentBytes: 200, retentionMs: 1_000 };
  const log = open(dir, config);
  for (let i = 0; i < 4; i++) {
    ok(log.appendAsLeader(batch(1, 0, i, [`t${i}`], true), 1, 1_000));
    ok(log.appendControlMarker(1, 0, ControlRecordType.ABORT, 1, 1, 1_000));
  }
  const before = readdirSync(dir);
  assert.ok(before.filter((n) => n.endsWith('.txnindex')).length >= 2, before.join(' '));
  const deleted = log.enforceRetention(10_000);
  assert.ok(deleted > 0);
  const after = readdirSync(dir);
  const firstBase = Math.min(...after.filter((n) => n.endsWith('.log')).map((n) => Number(n.slice(0, 20))));
  for (const n of after) {
    if (n.endsWith('.txnindex') || n.endsWith('.snapshot'))
      assert.ok(Number(n.slice(0, 20)) >= firstBase, `${n} is below the oldest segment ${firstBase}`);
  }
  log.close(10_000);
  rmSync(dir, { recursive: true });
});

test('the cleaner drops aborted data, keeps markers and committed records, and stops at the first unstable offset', () => {
  const dir = tmp();
  const config = { ...defaultLogConfig, segmentBytes: 250, compact: true, delete: false };
  const log = open(dir, config);
  ok(log.appendAsLeader(batch(1, 0, 0, ['x', 'y'], true), 1, 1_000)); // 0-1 aborted
  ok(log.appendAsLeader(batch(2, 0, 0, ['x'], true), 1, 1_000)); // 2 committed
  ok(log.appendControlMarker(1, 0, ControlRecordType.ABORT, 1, 1, 1_000)); // 3
  ok(log.appendControlMarker(2, 0, ControlRecordType.COMMIT, 1, 1, 1_000)); // 4
  ok(log.appendAsLeader(batch(-1, -1, -1, ['z']), 1, 1_000)); // 5
  ok(log.appendAsLeader(batch(3, 0, 0, ['z'], true), 1, 1_000)); // 6, open
  ok(log.appendAsLeader(batch(-1, -1, -1, ['w']), 1, 1_000));
  ok(log.appendAsLeader(batch(-1, -1, -1, ['w']), 1, 1_000));
  ok(log.appendAsLeader(batch(-1, -1, -1, ['w']), 1, 1_000));
  assert.ok(log.segmentCount >= 3, `${log.segmentCount} segments`);
  const result = new LogCleaner(logger).clean(log, 2_000);
  assert.ok(result.recordsRemoved >= 2);
  const keys = keysIn(log);
  assert.ok(!keys.includes('y'), `aborted data removed: ${keys.join(',')}`);
  assert.equal(keys.filter((k) => k === 'x').length, 1, 'the committed x is the newest x');
  assert.ok(keys.includes('<1>') && keys.includes('<2>'), `both markers kept: ${keys.join(',')}`);
  // Batches at and past the open transaction are untouched: 'z' twice (plain, then in the open txn).
  assert.equal(keys.filter((k) => k === 'z').length, 2);
  log.close(2_000);
  rmSync(dir, { recursive: true });
});
