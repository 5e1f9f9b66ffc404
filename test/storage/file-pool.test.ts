// The pool of log-file descriptors: bounded, least recently used closed first, reopened on use;
// logs behave the same when the pool is far smaller than the files they hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildRecordBatch, readBatchHeaders, readRecords } from '../../src/protocol/record-batch.js';
import { FilePool, logFiles, logFilesOpenMaxDefault } from '../../src/storage/file-pool.js';
import { Log } from '../../src/storage/log.js';
import { defaultLogConfig } from '../../src/storage/log-config.js';

const openFds = (): number => readdirSync('/proc/self/fd').length;

test('FilePool keeps at most maxOpen descriptors, closes the least recently used, reopens on use', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-pool-'));
  try {
    const paths = ['a', 'b', 'c', 'd'].map((n) => join(dir, n));
    for (const p of paths) writeFileSync(p, '');
    const pool = new FilePool(2);
    const before = openFds();
    writeSync(pool.fd(paths[0]!), 'A');
    writeSync(pool.fd(paths[1]!), 'B');
    pool.fd(paths[0]!); // a is now the most recently used
    writeSync(pool.fd(paths[2]!), 'C'); // closes b
    assert.equal(pool.openCount, 2);
    assert.equal(openFds(), before + 2, 'the evicted descriptor is really closed');
    writeSync(pool.fd(paths[1]!), 'b', 1); // reopened (closes a), written at position 1
    writeSync(pool.fd(paths[3]!), 'D');
    assert.deepEqual(
      paths.map((p) => readFileSync(p, 'utf8')),
      ['A', 'Bb', 'C', 'D'],
    );
    pool.close(paths[3]!);
    pool.close(paths[3]!); // closing twice is harmless
    assert.equal(pool.openCount, 1);
    pool.setMaxOpen(1);
    pool.close(paths[1]!);
    assert.equal(openFds(), before);
    assert.throws(() => new FilePool(0), RangeError);
    pool.fd(join(dir, 'new'));
    assert.equal(readFileSync(join(dir, 'new'), 'utf8'), '', 'a missing file is created empty');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('40 partition logs of several segments each work through a pool of 3 descriptors: append, read, truncate, reopen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-pool-logs-'));
  logFiles.setMaxOpen(3);
  try {
    const config = { ...defaultLogConfig, segmentBytes: 1024, indexIntervalBytes: 128 };
    const logger = pino({ level: 'silent' });
    const open = (k: number, recoveryPoint: number): Log =>
      Log.open(join(dir, `t-${k}`), config, { recoveryPoint, logStartOffset: 0, nowMs: 0, logger });
    const logs = Array.from({ length: 40 }, (_, k) => open(k, 0));
    const value = (k: number, i: number): string => `p${k}-v${i}`;
    for (let i = 0; i < 30; i++) {
      for (const [k, log] of logs.entries())
        log.appendAsLeader(
          buildRecordBatch([{ key: null, value: Buffer.from(value(k, i)), timestamp: 1_000 + i }]),
          1,
          0,
        );
    }
    assert.ok(
      logs.every((l) => l.segmentCount > 2),
      'each log rolled into several segments',
    );
    assert.ok(logFiles.openCount <= 3);
    const readAll = (log: Log): string[] => {
      const r = log.read(0, 1 << 20, log.logEndOffset, true);
      assert.ok(r.ok);
      const out: string[] = [];
      for (const h of readBatchHeaders(r.records))
        for (const rec of readRecords(r.records, h)) out.push(rec.value!.toString());
      return out;
    };
    // Reads of every log from the start cross every segment (and may only return the first segment's batches).
    for (const [k, log] of logs.entries()) {
      let from = 0;
      const seen: string[] = [];
      while (from < log.logEndOffset) {
        const r = log.read(from, 1 << 20, log.logEndOffset, true);
        assert.ok(r.ok);
        for (const h of readBatchHeaders(r.records))
          for (const rec of readRecords(r.records, h)) seen.push(rec.value!.toString());
        from = Number(readBatchHeaders(r.records).at(-1)!.baseOffset) + 1;
      }
      assert.deepEqual(
        seen,
        Array.from({ length: 30 }, (_, i) => value(k, i)),
      );
    }
    for (const log of logs) log.truncateTo(20);
    for (const log of logs) log.flush(0);
    for (const log of logs) log.close(0);
    assert.equal(logFiles.openCount, 0, 'closing the logs closes their descriptors');
    // Reopened with recovery from offset 0: every segment is scanned and indexes are checked.
    const again = Array.from({ length: 40 }, (_, k) => open(k, 0));
    for (const [k, log] of again.entries()) {
      assert.equal(log.logEndOffset, 20);
      assert.equal(readAll(log)[0], value(k, 0));
      const at = log.batchAtTimestamp(1_019);
      assert.ok(at);
      assert.equal(readBatchHeaders(at)[0]!.baseOffset, 19, 'the time index finds the batch');
    }
    assert.ok(logFiles.openCount <= 3);
    for (const log of again) log.close(0);
  } finally {
    logFiles.setMaxOpen(logFilesOpenMaxDefault);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a new, idle partition log holds no descriptor and no index files; the first append creates them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-pool-idle-'));
  try {
    const log = Log.open(join(dir, 't-0'), defaultLogConfig, {
      recoveryPoint: 0,
      logStartOffset: 0,
      nowMs: 0,
      logger: pino({ level: 'silent' }),
    });
    const files = (): string[] =>
      readdirSync(join(dir, 't-0'))
        .filter((n) => /^\d{20}\./.test(n))
        .sort();
    assert.deepEqual(files(), ['00000000000000000000.log']);
    log.flush(0);
    assert.deepEqual(files(), ['00000000000000000000.log'], 'flushing an empty segment creates nothing');
    log.appendAsLeader(buildRecordBatch([{ key: null, value: Buffer.from('x'), timestamp: 5 }]), 0, 0);
    assert.deepEqual(files(), [
      '00000000000000000000.index',
      '00000000000000000000.log',
      '00000000000000000000.timeindex',
    ]);
    log.close(0);
    const again = Log.open(join(dir, 't-0'), defaultLogConfig, {
      recoveryPoint: 1,
      logStartOffset: 0,
      nowMs: 0,
      logger: pino({ level: 'silent' }),
    });
    assert.equal(again.logEndOffset, 1);
    again.close(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
