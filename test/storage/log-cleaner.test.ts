import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { CompressionCodec } from '../../src/protocol/compression.js';
import { buildRecordBatch, readBatchHeaders, readRecords, validateBatches } from '../../src/protocol/record-batch.js';
import { Log } from '../../src/storage/log.js';
import { LogCleaner } from '../../src/storage/log-cleaner.js';
import { defaultLogConfig } from '../../src/storage/log-config.js';

const logger = pino({ level: 'silent' });

function all(log: Log): { offset: number; key: string; value: string | null }[] {
  const r = log.read(log.logStartOffset, 1 << 30, log.logEndOffset, true);
  assert.ok(r.ok);
  assert.ok(validateBatches(r.records, { allowOffsetGaps: true, decompress: true }).ok, 'cleaned batches are valid');
  return readBatchHeaders(r.records).flatMap((h) =>
    readRecords(r.records, h).map((x) => ({
      offset: x.offset,
      key: x.key!.toString(),
      value: x.value?.toString() ?? null,
    })),
  );
}

test('compaction keeps the newest value per key with its offset, drops old tombstones, never touches the active segment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-clean-'));
  const config = {
    ...defaultLogConfig,
    compact: true,
    delete: false,
    segmentBytes: 400,
    deleteRetentionMs: 1000,
    minCleanableDirtyRatio: 0,
  };
  const log = Log.open(dir, config, { recoveryPoint: 0, logStartOffset: 0, nowMs: 0, logger });
  const put = (key: string, value: string | null, ts: number, codec: number = CompressionCodec.none): void => {
    log.appendAsLeader(
      buildRecordBatch([{ key: Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp: ts }], {
        compression: codec,
      }),
      0,
      0,
    );
  };
  // 3 keys written round-robin 30 times; key c deleted (tombstone) half way; one gzip batch.
  for (let i = 0; i < 30; i++) {
    for (const k of ['a', 'b', 'c']) {
      if (k === 'c' && i >= 15) continue;
      put(k, `${k}${i}`, 100, i === 7 ? CompressionCodec.gzip : CompressionCodec.none);
    }
    if (i === 15) put('c', null, 100);
  }
  put('z', 'last', 100); // keeps something in the active segment
  const before = all(log);
  const end = log.logEndOffset;
  const cleaner = new LogCleaner(logger);
  const result = cleaner.clean(log, 500);
  assert.ok(result.recordsRemoved > 50, `removed ${result.recordsRemoved}`);
  const after = all(log);
  assert.equal(log.logEndOffset, end, 'the log end does not move');
  const latest = new Map<string, { offset: number; value: string | null }>();
  for (const r of before) latest.set(r.key, { offset: r.offset, value: r.value });
  // Every surviving record is the latest for its key (in the closed part) or lives in the active segment.
  for (const r of after) {
    const newest = latest.get(r.key)!;
    const inActive = r.offset >= before.at(-1)!.offset - 3;
    assert.ok(newest.offset === r.offset || inActive, `record ${r.key}@${r.offset} is stale`);
  }
  assert.deepEqual(
    after.map((r) => r.offset),
    [...after.map((r) => r.offset)].sort((x, y) => x - y),
    'offsets stay in order',
  );
  assert.ok(
    after.some((r) => r.key === 'c' && r.value === null),
    'a young tombstone stays',
  );
  // Much later, the tombstone itself goes.
  cleaner.clean(log, 100_000);
  assert.ok(!all(log).some((r) => r.key === 'c'), 'an old tombstone is dropped');
  log.close(0);
  assert.ok(!readdirSync(dir).some((n) => n.endsWith('.cleaned')));
  const reopened = Log.open(dir, config, { recoveryPoint: 0, logStartOffset: 0, nowMs: 0, logger });
  assert.deepEqual(all(reopened), all(reopened));
  assert.equal(reopened.logEndOffset, end);
  reopened.close(0);
  rmSync(dir, { recursive: true });
});
