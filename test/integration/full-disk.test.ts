// A full disk under a partition leader (issue 19 item 3): one combined node whose partition
// directory is a 1 MiB tmpfs, partly taken by a filler file. acks=all produces fill it until the
// broker answers KAFKA_STORAGE_ERROR; every acknowledged record is then readable and nothing else
// is served (offsets stay dense, the high watermark is the count acknowledged); /metrics and
// /status say the log dir is full; deleting the filler lets produce and consume work again
// without a restart. Needs root for the tmpfs (CI runs as root); skips, saying why, without.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../src/common/errors.js';
import { KafkaClient, KafkaRequestError } from '../../src/client/kafka-client.js';
import { buildRecordBatch, readBatchHeaders, readRecords } from '../../src/protocol/record-batch.js';
import { ClusterFixture } from '../../src/testing/cluster-fixture.js';
import { mountTmpfs } from '../../src/testing/tmpfs.js';

const topic = 'full';
const tmpfsBytes = 1024 * 1024;
const fillerBytes = 512 * 1024;
const recordsPerBatch = 4;
const valueBytes = 2000;
/** Bound on produce attempts: 1 MiB holds a few hundred of these batches at most. */
const producesMax = 2_000;

/** The sample of `name` for log dir `dir`, or undefined when not exported. */
function dirGauge(text: string, name: string, dir: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`dir="${dir}"`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Every record value of the partition from offset 0 up to the high watermark. */
async function consumeAll(client: KafkaClient): Promise<{ values: string[]; highWatermark: number }> {
  const values: string[] = [];
  let offset = 0;
  for (;;) {
    const r = await client.fetch(topic, 0, offset, { maxWaitMs: 0 });
    if (r.records.length === 0) {
      if (offset >= r.highWatermark) return { values, highWatermark: r.highWatermark };
      throw new Error(`no records at ${offset} below the high watermark ${r.highWatermark}`);
    }
    for (const h of readBatchHeaders(r.records)) {
      for (const rec of readRecords(r.records, h)) {
        assert.equal(rec.offset, values.length, 'offsets are dense from 0');
        values.push(rec.value!.toString());
      }
      offset = h.baseOffset + h.lastOffsetDelta + 1;
    }
  }
}

const batchOf = (i: number): { buf: Buffer; values: string[] } => {
  const values = Array.from({ length: recordsPerBatch }, (_, k) => `${i}.${k}:${'v'.repeat(valueBytes)}`);
  return {
    buf: buildRecordBatch(values.map((v) => ({ key: null, value: Buffer.from(v), timestamp: Date.now() }))),
    values,
  };
};

test('a full disk under the leader: refused with KAFKA_STORAGE_ERROR, nothing unacknowledged served, writes resume when space returns', {
  timeout: 90_000,
}, async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('mounting a tmpfs needs root (CI runs the tests as root)');
    return;
  }
  const f = await ClusterFixture.combined({ nodes: 1, extra: { 'log.segment.bytes': String(128 * 1024) } });
  let unmount = (): void => {};
  t.after(async () => {
    unmount(); // lazy: the node may still hold the files open
    await f.destroy({ graceful: false });
  });
  await f.up();
  // The partition's directory, made before the topic so its log is created on the small disk.
  const logDir = join(f.dataDir, 'node-0', 'logs');
  const partitionDir = join(logDir, `${topic}-0`);
  mkdirSync(partitionDir, { recursive: true });
  const mount = mountTmpfs(partitionDir, tmpfsBytes);
  if (!mount.ok) {
    t.skip(mount.reason);
    return;
  }
  unmount = () => mount.unmount();
  const filler = join(partitionDir, 'filler');
  writeFileSync(filler, Buffer.alloc(fillerBytes, 1));
  await f.raftka('topics', '--bootstrap-server', f.bootstrapServers, '--create', '--topic', topic, '--partitions', '1');
  const client = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[0]! }], { requestTimeoutMs: 10_000 });
  t.after(() => client.close());

  // Fill the disk with acks=all produces until the broker refuses one.
  const acked: string[] = [];
  let refusal: KafkaRequestError | null = null;
  for (let i = 0; i < producesMax && refusal === null; i++) {
    const b = batchOf(i);
    try {
      const r = await client.produce(topic, 0, b.buf, -1);
      assert.equal(r.baseOffset, acked.length, 'a refused produce took no offsets');
      acked.push(...b.values);
    } catch (err) {
      if (!(err instanceof KafkaRequestError)) throw err;
      refusal = err;
    }
  }
  assert.ok(refusal, `the disk never filled after ${acked.length} records`);
  assert.equal(refusal.errorCode, ErrorCode.KAFKA_STORAGE_ERROR, refusal.message);
  assert.match(refusal.message, /ENOSPC/);
  assert.ok(acked.length >= 40, `${acked.length} records acknowledged before the disk filled`);
  // More produces while full: all refused, none acknowledged.
  for (let i = 0; i < 5; i++)
    await assert.rejects(client.produce(topic, 0, batchOf(producesMax + i).buf, -1), (err: unknown) => {
      return err instanceof KafkaRequestError && err.errorCode === ErrorCode.KAFKA_STORAGE_ERROR;
    });

  // Every acknowledged record is readable, in order, and nothing else is served.
  const whileFull = await consumeAll(client);
  assert.equal(whileFull.highWatermark, acked.length);
  assert.deepEqual(whileFull.values, acked);

  // The node says so: the gauge and /status.
  const metrics = await f.metrics(0);
  assert.equal(dirGauge(metrics, 'raftka_log_dir_full', logDir), 1);
  assert.equal(dirGauge(metrics, 'raftka_log_dir_failing', logDir), 1);
  const status = (await f.nodeStatus(0)) as { broker: { logDirs: { dir: string; full: boolean; error: string }[] } };
  assert.deepEqual(
    status.broker.logDirs.map((d) => [d.dir, d.full, d.error]),
    [[logDir, true, 'ENOSPC']],
  );

  // Space returns: produce and consume work again, without a restart.
  rmSync(filler);
  const after = batchOf(producesMax + 100);
  const r = await client.produce(topic, 0, after.buf, -1);
  assert.equal(r.baseOffset, acked.length);
  const resumed = await consumeAll(client);
  assert.deepEqual(resumed.values, [...acked, ...after.values]);
  const metricsAfter = await f.metrics(0);
  assert.equal(dirGauge(metricsAfter, 'raftka_log_dir_full', logDir), 0);
  const statusAfter = (await f.nodeStatus(0)) as { broker: { logDirs: { full: boolean }[] } };
  assert.equal(statusAfter.broker.logDirs[0]!.full, false);
});
