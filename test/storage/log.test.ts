import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeSync,
  closeSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildRecordBatch, readBatchHeaders, readRecords } from '../../src/protocol/record-batch.js';
import { Log, type AppendInfo, type AppendRefused } from '../../src/storage/log.js';
import { defaultLogConfig, resolveLogConfig, type LogConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { segmentFileName } from '../../src/storage/log-segment.js';

const logger = pino({ level: 'silent' });
const tmp = (): string => mkdtempSync(join(tmpdir(), 'raftka-log-'));

function batch(first: number, count: number, ts = 1_000, valueBytes = 10): Buffer {
  return buildRecordBatch(
    Array.from({ length: count }, (_, i) => ({
      key: Buffer.from(`k${String(first + i).padStart(5, '0')}`),
      value: Buffer.alloc(valueBytes, 97 + ((first + i) % 26)),
      timestamp: ts + i,
    })),
  );
}

function values(buf: Buffer): number[] {
  return readBatchHeaders(buf).flatMap((h) => readRecords(buf, h).map((r) => r.offset));
}

function appended(r: AppendInfo | AppendRefused): AppendInfo {
  if ('errorCode' in r) throw new Error(`append refused: ${r.errorCode} ${r.message}`);
  return r;
}

const open = (dir: string, config: LogConfig = defaultLogConfig, recoveryPoint = 0): Log =>
  Log.open(dir, config, { recoveryPoint, logStartOffset: 0, nowMs: 0, logger });

test('appends assign consecutive offsets; reads return whole batches from any offset, across rolled segments', () => {
  const dir = tmp();
  const log = open(dir, { ...defaultLogConfig, segmentBytes: 2048, indexIntervalBytes: 256 });
  let expected = 0;
  for (let i = 0; i < 60; i++) {
    const info = appended(log.appendAsLeader(batch(expected, 3), 7, 0));
    assert.deepEqual([info.baseOffset, info.lastOffset], [expected, expected + 2]);
    expected += 3;
  }
  assert.equal(log.logEndOffset, 180);
  assert.ok(log.segmentCount > 3, `rolled into ${log.segmentCount} segments`);
  for (const from of [0, 1, 2, 3, 77, 178, 179]) {
    const r = log.read(from, 10_000, log.logEndOffset, true);
    assert.ok(r.ok);
    const offsets = values(r.records);
    assert.ok(offsets[0]! <= from && offsets.includes(from), `read from ${from} starts at its batch`);
    assert.deepEqual(
      offsets,
      Array.from({ length: offsets.length }, (_, i) => offsets[0]! + i),
      'contiguous',
    );
  }
  const limited = log.read(0, 10, 180, true);
  assert.ok(
    limited.ok && readBatchHeaders(limited.records).length === 1,
    'at least one whole batch even above maxBytes',
  );
  const none = log.read(0, 10, 180, false);
  assert.ok(none.ok && none.records.length === 0);
  const hw = log.read(0, 1 << 20, 6, true);
  assert.ok(hw.ok && values(hw.records).at(-1) === 5, 'nothing at or past the high watermark');
  assert.deepEqual(log.read(181, 100, 181, true), { ok: false, reason: 'offset-out-of-range' });
  assert.equal(
    readBatchHeaders((log.read(30, 100, 180, true) as { records: Buffer }).records)[0]!.partitionLeaderEpoch,
    7,
    'leader epoch stamped',
  );
  log.close(0);
  const again = open(dir, { ...defaultLogConfig, segmentBytes: 2048, indexIntervalBytes: 256 }, 180);
  assert.equal(again.logEndOffset, 180, 'a clean reopen keeps everything');
  assert.deepEqual(again.epochs.all(), [{ epoch: 7, startOffset: 0 }]);
  again.close(0);
  rmSync(dir, { recursive: true });
});

test('recovery cuts a torn tail and a corrupt batch, never serving them, and appends continue after', () => {
  const dir = tmp();
  const log = open(dir);
  for (let i = 0; i < 10; i++) log.appendAsLeader(batch(i * 2, 2), 1, 0);
  log.close(0);
  const file = join(dir, segmentFileName(0, '.log'));
  const size = statSync(file).size;
  truncateSync(file, size - 7); // torn tail: the last batch is cut short
  let r = open(dir);
  assert.equal(r.logEndOffset, 18);
  r.close(0);
  // Flip a byte inside batch 5's records: its CRC fails, it and everything after go.
  const perBatch = size / 10;
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.from([0xff]), 0, 1, perBatch * 5 + 70);
  closeSync(fd);
  r = open(dir);
  assert.equal(r.logEndOffset, 10);
  assert.equal(statSync(file).size, perBatch * 5);
  const info = appended(r.appendAsLeader(batch(0, 2), 2, 0));
  assert.equal(info.baseOffset, 10);
  r.close(0);
  // Below the recovery point a segment is trusted; at or above it, it is checked.
  rmSync(dir, { recursive: true });
});

test('timestamps: the batch holding the first record at or after a time; retention by time and bytes; log start', () => {
  const dir = tmp();
  const config = { ...defaultLogConfig, segmentBytes: 600, retentionMs: 10_000, retentionBytes: -1 };
  const log = open(dir, config);
  for (let i = 0; i < 20; i++) log.appendAsLeader(batch(i * 2, 2, 1_000 + i * 100), 0, 0);
  const b = log.batchAtTimestamp(1_550);
  assert.ok(b);
  assert.equal(readRecords(b, readBatchHeaders(b)[0]!).find((r) => r.timestamp >= 1_550)!.offset, 12);
  assert.equal(log.batchAtTimestamp(99_999), null);
  assert.equal(log.maxTimestamp(), 1_000 + 19 * 100 + 1);
  const segments = log.segmentCount;
  assert.equal(log.enforceRetention(5_000), 0, 'nothing older than retention.ms yet');
  assert.ok(log.enforceRetention(1_000 + 1_000 + 10_000) > 0, 'old segments expire');
  assert.ok(log.segmentCount < segments);
  assert.ok(log.logStartOffset > 0);
  const r = log.read(0, 100, 40, true);
  assert.deepEqual(r, { ok: false, reason: 'offset-out-of-range' });
  log.advanceLogStart(37);
  assert.equal(log.logStartOffset, 37);
  assert.deepEqual(log.read(36, 100, 40, true), { ok: false, reason: 'offset-out-of-range' });
  log.updateConfig({ ...config, retentionMs: -1, retentionBytes: 1 });
  log.enforceRetention(0);
  assert.equal(log.segmentCount, 1, 'retention.bytes leaves only the active segment');
  log.close(0);
  rmSync(dir, { recursive: true });
});

test('truncation removes the tail and the epochs that started in it; a follower keeps the leader offsets', () => {
  const dir = tmp();
  const log = open(dir, { ...defaultLogConfig, segmentBytes: 500 });
  for (let i = 0; i < 10; i++) log.appendAsLeader(batch(i * 2, 2), i < 5 ? 3 : 4, 0);
  assert.deepEqual(log.epochs.endOffsetFor(3, log.logEndOffset), { epoch: 3, endOffset: 10 });
  assert.deepEqual(log.epochs.endOffsetFor(9, log.logEndOffset), { epoch: 4, endOffset: 20 });
  log.truncateTo(8);
  assert.equal(log.logEndOffset, 8);
  assert.deepEqual(log.epochs.all(), [{ epoch: 3, startOffset: 0 }]);
  const leaderBatch = buildRecordBatch([{ value: Buffer.from('x'), timestamp: 5 }], {
    baseOffset: 8,
    partitionLeaderEpoch: 5,
  });
  log.appendAsFollower(leaderBatch, 0);
  assert.equal(log.logEndOffset, 9);
  assert.equal(log.epochs.latestEpoch(), 5);
  log.close(0);
  rmSync(dir, { recursive: true });
});

test('topic configs override broker defaults', () => {
  const c = resolveLogConfig(
    defaultLogConfig,
    new Map([
      ['cleanup.policy', 'compact'],
      ['segment.bytes', '1024'],
      ['message.timestamp.type', 'LogAppendTime'],
    ]),
  );
  assert.deepEqual([c.compact, c.delete, c.segmentBytes, c.logAppendTime], [true, false, 1024, true]);
});

test('LogAppendTime topics stamp the broker time and keep a valid CRC', () => {
  const dir = tmp();
  const log = open(dir, { ...defaultLogConfig, logAppendTime: true });
  log.appendAsLeader(batch(0, 3, 5), 0, 424242);
  const r = log.read(0, 1 << 20, 3, true);
  assert.ok(r.ok);
  const h = readBatchHeaders(r.records)[0]!;
  assert.equal(h.maxTimestamp, 424242);
  assert.deepEqual(
    readRecords(r.records, h).map((x) => x.timestamp),
    [424242, 424242, 424242],
  );
  log.close(0);
  rmSync(dir, { recursive: true });
});

test('the log manager reopens partitions from checkpoints and removes deleted ones', () => {
  const dir = tmp();
  const m = new LogManager({
    logDirs: [dir],
    logger,
    retentionCheckIntervalMs: 1000,
    flushCheckIntervalMs: 1000,
    checkpointIntervalMs: 1000,
    cleanerIntervalMs: null,
  });
  const log = m.getOrCreate('orders-v2', 3, defaultLogConfig);
  log.appendAsLeader(batch(0, 5), 0, 0);
  m.getOrCreate('other', 0, defaultLogConfig);
  m.close();
  assert.ok(readdirSync(dir).includes('recovery-point-offset-checkpoint'));
  const m2 = new LogManager({
    logDirs: [dir],
    logger,
    retentionCheckIntervalMs: 1000,
    flushCheckIntervalMs: 1000,
    checkpointIntervalMs: 1000,
    cleanerIntervalMs: null,
  });
  assert.deepEqual(
    m2
      .knownPartitions()
      .map((p) => `${p.topic}/${p.partition}`)
      .sort(),
    ['orders-v2/3', 'other/0'],
  );
  assert.equal(m2.getOrCreate('orders-v2', 3, defaultLogConfig).logEndOffset, 5);
  m2.delete('other', 0);
  assert.ok(!readdirSync(dir).includes('other-0'));
  m2.close();
  rmSync(dir, { recursive: true });
});

test('with several log.dirs, new partitions go to the dir hosting the fewest; checkpoints stay per dir', () => {
  const root = tmp();
  // "logs1" is a prefix of "logs10": a dir must never be taken for the other.
  const dirs = [join(root, 'logs1'), join(root, 'logs10'), join(root, 'logs2')];
  const open = () =>
    new LogManager({
      logDirs: dirs,
      logger,
      retentionCheckIntervalMs: 1000,
      flushCheckIntervalMs: 1000,
      checkpointIntervalMs: 1000,
      cleanerIntervalMs: null,
    });
  const m = open();
  for (let p = 0; p < 9; p++) m.getOrCreate('spread', p, defaultLogConfig).appendAsLeader(batch(0, p + 1), 0, 0);
  const perDir = (): number[] => dirs.map((d) => readdirSync(d).filter((n) => n.startsWith('spread-')).length);
  assert.deepEqual(perDir(), [3, 3, 3], 'round the dirs, fewest first');
  // Deleting two partitions of one dir makes it the emptiest: the next two land there.
  const inFirst = readdirSync(dirs[0]!)
    .filter((n) => n.startsWith('spread-'))
    .map((n) => Number(n.slice('spread-'.length)));
  m.delete('spread', inFirst[0]!);
  m.delete('spread', inFirst[1]!);
  m.getOrCreate('later', 0, defaultLogConfig);
  m.getOrCreate('later', 1, defaultLogConfig);
  assert.deepEqual(
    dirs.map((d) => readdirSync(d).filter((n) => n.startsWith('later-')).length),
    [2, 0, 0],
  );
  m.close();
  // Each dir's checkpoint names only its own partitions; reopened, every log has its records.
  for (const d of dirs) {
    const names = readFileSync(join(d, 'recovery-point-offset-checkpoint'), 'utf8')
      .trim()
      .split('\n')
      .slice(2)
      .map((l) => l.split(' ').slice(0, 2).join('-'));
    assert.deepEqual(
      names.sort(),
      readdirSync(d)
        .filter((n) => /-\d+$/.test(n))
        .sort(),
      d,
    );
  }
  const m2 = open();
  for (let p = 0; p < 9; p++) {
    if (inFirst.slice(0, 2).includes(p)) continue;
    assert.equal(m2.getOrCreate('spread', p, defaultLogConfig).logEndOffset, p + 1);
  }
  // Reopened partitions count for their own dir: with 3 / 3 / 3 hosted again, a new one goes to the first.
  m2.getOrCreate('later', 0, defaultLogConfig);
  m2.getOrCreate('later', 1, defaultLogConfig);
  m2.getOrCreate('newest', 0, defaultLogConfig);
  assert.ok(readdirSync(dirs[0]!).includes('newest-0'));
  m2.close();
  rmSync(root, { recursive: true });
});
