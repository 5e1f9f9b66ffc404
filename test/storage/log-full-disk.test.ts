// A partition log on a full disk: an append that cannot be stored is refused with
// KAFKA_STORAGE_ERROR and leaves nothing behind (log end, segment bytes on disk, indexes, epochs),
// the log dir's state changes once (one log line per change, not per write) and clears at the
// next append that succeeds; with a real small tmpfs (root only), appends of every size across
// segment rolls, index, snapshot and epoch-checkpoint writes fill the disk, every acknowledged
// batch reads back (also after a reopen, which recovers from the files), and appends continue
// once the filesystem grows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ErrorCode } from '../../src/common/errors.js';
import { buildRecordBatch, readBatchHeaders, readRecords } from '../../src/protocol/record-batch.js';
import { Log, type AppendInfo, type AppendRefused } from '../../src/storage/log.js';
import { defaultLogConfig, type LogConfig } from '../../src/storage/log-config.js';
import { LogDirHealth } from '../../src/storage/log-dir-health.js';
import { segmentFileName, segmentIo } from '../../src/storage/log-segment.js';
import { mountTmpfs } from '../../src/testing/tmpfs.js';
import { SeededRandom } from '../../src/testing/seeded-random.js';

const silent = pino({ level: 'silent' });

/** A logger whose lines are kept (parsed) for the test to read. */
function capturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

const enospc = (): NodeJS.ErrnoException =>
  Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });

function valueBatch(values: readonly string[], ts = 1_000): Buffer {
  return buildRecordBatch(values.map((v, i) => ({ key: null, value: Buffer.from(v), timestamp: ts + i })));
}

/** Every record value in the log from offset 0, in offset order (a read stops at a segment's end: loop). */
function readAll(log: Log): string[] {
  const out: string[] = [];
  let offset = 0;
  while (offset < log.logEndOffset) {
    const r = log.read(offset, 1 << 30, log.logEndOffset, true);
    assert.ok(r.ok && r.records.length > 0, `a batch at offset ${offset}`);
    for (const h of readBatchHeaders(r.records)) {
      out.push(...readRecords(r.records, h).map((x) => x.value!.toString()));
      offset = h.baseOffset + h.lastOffsetDelta + 1;
    }
  }
  return out;
}

/** Equal lists, reported by their first difference (the values are long). */
function sameValues(actual: readonly string[], expected: readonly string[], what: string): void {
  const at = actual.findIndex((v, i) => v !== expected[i]);
  assert.ok(
    at < 0 && actual.length === expected.length,
    `${what}: ${actual.length} values read, ${expected.length} expected, first difference at ${at}`,
  );
}

/** The partition log `t-0` in `dir`, recovered from its files, reporting to `health`. */
const openLog = (dir: string, cfg: LogConfig, health: LogDirHealth): Log =>
  Log.open(join(dir, 't-0'), cfg, {
    recoveryPoint: 0,
    logStartOffset: 0,
    nowMs: 0,
    logger: silent,
    writeState: health.of(dir),
  });

const isRefused = (r: AppendInfo | AppendRefused | null): r is AppendRefused => r !== null && 'errorCode' in r;

test('an append that fails half-written (injected ENOSPC) is refused, leaves nothing, and the dir state changes once each way', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-full-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { logger, lines } = capturingLogger();
  const health = new LogDirHealth([dir], logger);
  const cfg: LogConfig = { ...defaultLogConfig, indexIntervalBytes: 1 };
  const open = (): Log => openLog(dir, cfg, health);
  const log = open();
  for (const v of ['a', 'b', 'c']) assert.ok(!isRefused(log.appendAsLeader(valueBatch([v]), 1, 1_000)));
  const segmentPath = join(dir, 't-0', segmentFileName(0, '.log'));
  const bytesBefore = statSync(segmentPath).size;

  // The disk fills in the middle of the next write: half the bytes go down, then ENOSPC.
  const realWrite = segmentIo.write;
  t.after(() => {
    segmentIo.write = realWrite;
  });
  segmentIo.write = ((fd: number, buf: Buffer, offset: number, length: number, position: number) => {
    if (length > 1) return realWrite(fd, buf, offset, Math.floor(length / 2), position);
    throw enospc();
  }) as typeof segmentIo.write;
  for (let i = 0; i < 3; i++) {
    const r = log.appendAsLeader(valueBatch(['lost-1', 'lost-2']), 2, 2_000);
    assert.ok(isRefused(r), 'a write that was not stored is refused');
    assert.equal(r.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
    assert.equal(log.logEndOffset, 3, 'the log end did not move');
    assert.equal(statSync(segmentPath).size, bytesBefore, 'the torn bytes were cut off the segment file');
    assert.deepEqual(readAll(log), ['a', 'b', 'c'], 'nothing of the failed append is served');
    assert.equal(log.epochs.latestEpoch(), 1, 'the new epoch was not recorded for data that is not there');
  }
  // As a follower, too: the fetched batches are not stored and the log end (the next fetch offset) stays.
  const fetched = valueBatch(['f']);
  fetched.writeBigInt64BE(3n, 0);
  assert.ok(isRefused(log.appendAsFollower(fetched, 2_000)));
  assert.equal(log.logEndOffset, 3);
  let status = health.status()[0]!;
  assert.deepEqual([status.full, status.failing, status.error, status.refusedWrites], [true, true, 'ENOSPC', 4]);
  const failing = lines.filter((l) => l['logDir'] === dir);
  assert.equal(failing.length, 1, 'one log line for the change of state, not one per refused write');
  assert.match(String(failing[0]!['msg']), /log dir is full/);

  // Space returns: the next append succeeds at the offset the refused ones never took.
  segmentIo.write = realWrite;
  const ok = log.appendAsLeader(valueBatch(['d']), 2, 3_000);
  assert.ok(!isRefused(ok));
  assert.equal(ok.baseOffset, 3);
  status = health.status()[0]!;
  assert.deepEqual([status.full, status.failing, status.refusedWrites], [false, false, 0]);
  assert.equal(lines.filter((l) => l['logDir'] === dir).length, 2);
  assert.match(String(lines.at(-1)!['msg']), /writable again/);
  assert.deepEqual(readAll(log), ['a', 'b', 'c', 'd']);
  assert.deepEqual(log.epochs.all(), [
    { epoch: 1, startOffset: 0 },
    { epoch: 2, startOffset: 3 },
  ]);
  log.close(4_000);
  const reopened = open();
  assert.deepEqual(readAll(reopened), ['a', 'b', 'c', 'd'], 'the files hold exactly what was acknowledged');
  reopened.close(5_000);
});

test('a log on a small real tmpfs: fills up, keeps every acknowledged batch, refuses the rest, resumes when it grows', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-tmpfs-'));
  const mount = mountTmpfs(dir, 192 * 1024);
  if (!mount.ok) {
    rmSync(dir, { recursive: true, force: true });
    t.skip(mount.reason);
    return;
  }
  t.after(() => {
    mount.unmount();
    rmSync(dir, { recursive: true, force: true });
  });
  const health = new LogDirHealth([dir], silent);
  // Small segments and a dense index: rolls (with producer snapshots), index entries and the
  // leader-epoch checkpoint all write while the disk fills, so each can be the write that fails.
  const cfg: LogConfig = { ...defaultLogConfig, segmentBytes: 12 * 1024, indexIntervalBytes: 256 };
  const open = (): Log => openLog(dir, cfg, health);
  const log = open();
  const random = new SeededRandom(19);
  const acked: string[] = [];
  let refusedInARow = 0;
  let refused = 0;
  for (let i = 0; refusedInARow < 20; i++) {
    const count = 1 + random.nextInt(4);
    const values = Array.from({ length: count }, (_, k) => `${i}.${k}:${'x'.repeat(random.nextInt(3000))}`);
    const epoch = 1 + Math.floor(i / 10);
    const r = log.appendAsLeader(valueBatch(values, 1_000 + i), epoch, 1_000 + i);
    if (isRefused(r)) {
      assert.equal(r.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
      refused++;
      refusedInARow++;
    } else {
      assert.equal(r.baseOffset, acked.length, 'offsets stay dense: a refused append took none');
      acked.push(...values);
      refusedInARow = 0;
    }
    assert.equal(log.logEndOffset, acked.length);
  }
  assert.ok(acked.length > 50 && refused >= 20, `${acked.length} records acknowledged, ${refused} appends refused`);
  assert.equal(health.status()[0]!.full, true);
  sameValues(readAll(log), acked, 'every acknowledged record reads back, nothing else');

  // A reopen recovers from the files alone (the state a kill -9 would leave; the first instance
  // is dropped unclosed).
  const reopened = open();
  sameValues(readAll(reopened), acked, 'after a reopen');
  assert.ok(reopened.epochs.endOffsetFor(Number.MAX_SAFE_INTEGER, reopened.logEndOffset).endOffset <= acked.length);

  // The filesystem grows (tmpfs remounted larger): appends succeed again without a restart.
  mount.resize(1024 * 1024);
  const after = reopened.appendAsLeader(valueBatch(['after']), 99, 9_000);
  assert.ok(!isRefused(after));
  assert.equal(after.baseOffset, acked.length);
  assert.equal(health.status()[0]!.full, false);
  sameValues(readAll(reopened), [...acked, 'after'], 'after the filesystem grew');
  reopened.close(10_000);
});
