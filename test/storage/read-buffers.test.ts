// The pooled read buffers of client fetches (src/storage/read-buffers.ts) and the slice assembly of
// Log.read into them (LogSegment.readBatches / wholeBatchesIn): whole batches only, max bytes and the
// first-batch rule, the high watermark cut, nextOffset, buffers reused only after release.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildRecordBatch, readBatchHeaders } from '../../src/protocol/record-batch.js';
import { Log } from '../../src/storage/log.js';
import { defaultLogConfig } from '../../src/storage/log-config.js';
import { wholeBatchesIn } from '../../src/storage/log-segment.js';
import { ReadBufferPool, pooledBytesMax, pooledBytesMin, pooledSizeFor } from '../../src/storage/read-buffers.js';

const logger = pino({ level: 'silent' });

function batch(count: number, valueBytes: number): Buffer {
  return buildRecordBatch(
    Array.from({ length: count }, (_, i) => ({
      key: null,
      value: Buffer.alloc(valueBytes, 97 + (i % 26)),
      timestamp: i,
    })),
  );
}

test('the pool hands out power-of-two buffers, reuses them only once given back, and bounds what it keeps', () => {
  assert.equal(pooledSizeFor(pooledBytesMin - 1), null);
  assert.equal(pooledSizeFor(pooledBytesMin), pooledBytesMin);
  assert.equal(pooledSizeFor(pooledBytesMin + 1), 2 * pooledBytesMin);
  assert.equal(pooledSizeFor(pooledBytesMax + 1), null);
  const pool = new ReadBufferPool(3 * 1024 * 1024);
  const small = pool.take(100);
  assert.equal(small.length, 100); // not pooled: exactly what was asked
  const a = pool.take(1_000_000);
  assert.equal(a.length, 1024 * 1024);
  const b = pool.take(1_000_000);
  assert.notEqual(a, b, 'a buffer out on lease is never handed out twice');
  pool.give(a);
  assert.equal(pool.take(700_000), a, 'a given-back buffer of the size is reused');
  assert.throws(() => pool.give(Buffer.allocUnsafeSlow(1024 * 1024)), /given back once/);
  pool.give(a);
  assert.throws(() => pool.give(a), /given back once/, 'giving a buffer back twice is a bug');
  pool.give(b);
  assert.deepEqual(pool.stats(), { freeBytes: 2 * 1024 * 1024, out: 0 });
  const big = [pool.take(2_000_000), pool.take(2_000_000)];
  for (const x of big) pool.give(x);
  assert.ok(pool.stats().freeBytes <= 3 * 1024 * 1024, 'free bytes stay within the bound');
});

test('a lease gives back every pooled buffer it took, at once', () => {
  const pool = new ReadBufferPool();
  const lease = pool.lease();
  const x = lease.take(200_000);
  lease.take(10);
  lease.take(300_000);
  assert.equal(pool.stats().out, 2);
  lease.release();
  assert.equal(pool.stats().out, 0);
  lease.release(); // nothing left: no double give
  assert.equal(pool.lease().take(150_000), x);
});

test('wholeBatchesIn cuts at the last whole batch and before the high watermark, allocating nothing', () => {
  const a = batch(3, 10);
  const b = batch(2, 10);
  b.writeInt32BE(0, 0);
  b.writeInt32BE(3, 4); // base offset 3
  const buf = Buffer.concat([a, b]);
  assert.deepEqual(wholeBatchesIn(buf, buf.length, 100), { bytes: buf.length, nextOffset: 5 });
  assert.deepEqual(wholeBatchesIn(buf, buf.length - 1, 100), { bytes: a.length, nextOffset: 3 });
  assert.deepEqual(wholeBatchesIn(buf, buf.length, 3), { bytes: a.length, nextOffset: 3 });
  assert.deepEqual(
    wholeBatchesIn(buf, buf.length, 4),
    { bytes: buf.length, nextOffset: 5 },
    'a batch straddling the cut',
  );
  assert.equal(wholeBatchesIn(buf, 60, 100).bytes, 0);
  const corrupt = Buffer.from(buf);
  corrupt[a.length + 16] = 1; // magic 1 in the second batch
  assert.equal(wholeBatchesIn(corrupt, corrupt.length, 100).bytes, a.length);
});

test('Log.read into pooled buffers answers exactly the batches of a header walk, for every limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-readbuf-'));
  try {
    const log = Log.open(
      dir,
      { ...defaultLogConfig, segmentBytes: 256 * 1024, indexIntervalBytes: 4096 },
      { recoveryPoint: 0, logStartOffset: 0, nowMs: 0, logger },
    );
    // Batches of 1 to 40 records of 1 KiB: from about 1 KiB to 40 KiB, over several segments.
    for (let i = 0; i < 80; i++) {
      const r = log.appendAsLeader(batch(1 + ((i * 7) % 40), 1024), 1, 0);
      assert.ok(!('errorCode' in r));
    }
    const end = log.logEndOffset;
    const whole = (from: number): { base: number; next: number; size: number }[] => {
      const r = log.read(from, Number.MAX_SAFE_INTEGER, end, true);
      assert.ok(r.ok);
      return readBatchHeaders(r.records).map((h) => ({
        base: h.baseOffset,
        next: h.baseOffset + h.lastOffsetDelta + 1,
        size: h.sizeInBytes,
      }));
    };
    const pool = new ReadBufferPool();
    for (const from of [0, 1, 57, 400, end - 1]) {
      const batches = whole(from);
      for (const maxBytes of [0, 100, 64 * 1024, 300_000, 10_000_000])
        for (const hw of [from + 1, from + 500, end])
          for (const minOne of [true, false]) {
            const lease = pool.lease();
            const r = log.read(from, maxBytes, hw, minOne, lease.take);
            assert.ok(r.ok);
            // Expected: whole batches from the segment holding `from`, within maxBytes (the first
            // always when minOne), none starting at or past hw, stopping at the segment's end.
            const seg = log.read(from, Number.MAX_SAFE_INTEGER, end, true);
            assert.ok(seg.ok);
            let bytes = 0;
            let next = from;
            for (const b of batches) {
              if (bytes >= seg.records.length || b.base >= hw) break;
              if (bytes + b.size > maxBytes && !(bytes === 0 && minOne)) break;
              bytes += b.size;
              next = b.next;
            }
            const label = `from ${from} maxBytes ${maxBytes} hw ${hw} minOne ${minOne}`;
            assert.equal(r.records.length, bytes, label);
            assert.equal(r.nextOffset, next, label);
            if (bytes > 0) assert.deepEqual(r.records, seg.records.subarray(0, bytes), label);
            lease.release();
          }
    }
    assert.equal(pool.stats().out, 0);
    assert.ok(pool.stats().freeBytes > 0, 'reads of 64 KiB and more came from the pool');
    log.close(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
