// A full disk under a partition leader and its metadata log (issue 19 item 3): one combined node
// whose log dir (partition logs and the metadata log) is a 2 MiB tmpfs. A filler file leaves
// room for a few hundred KiB; acks=all produces fill it until the broker answers
// KAFKA_STORAGE_ERROR; every acknowledged record is then readable and nothing else is served
// (offsets dense, the high watermark = the count acknowledged); /metrics and /status say the log
// dir is full, the node log says it once; deleting the filler lets produce and consume work again
// without a restart. Then the disk is filled to the last byte and topics are created until the
// metadata log cannot take a record: the node stops (Kafka halts on a failed metadata log dir)
// without acknowledging that create, says why, and once space returns it restarts with every
// acknowledged topic and record. Needs root for the tmpfs (CI runs as root); skips without.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../src/common/errors.js';
import { KafkaClient, KafkaRequestError } from '../../src/client/kafka-client.js';
import { buildRecordBatch, readBatchHeaders, readRecords } from '../../src/protocol/record-batch.js';
import { ClusterFixture, isAlive, waitFor } from '../../src/testing/cluster-fixture.js';
import { mountTmpfs } from '../../src/testing/tmpfs.js';

const topic = 'full';
const tmpfsBytes = 2 * 1024 * 1024;
/** Room the filler leaves for produce. */
const roomBytes = 384 * 1024;
const recordsPerBatch = 4;
const valueBytes = 2000;
/** Bound on produce attempts: the room holds a few dozen of these batches. */
const producesMax = 500;
/** Bound on topic creations while the disk is full (each adds ~1 KiB of metadata records). */
const createsMax = 100;

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

/** Write zeros to `path` until the filesystem is full. */
function fillUp(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

/** The node log lines (pino JSON) whose message matches `re`. */
const nodeLogLines = (f: ClusterFixture, re: RegExp): Record<string, unknown>[] =>
  readFileSync(`${f.dataDir}/node-0.log`, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => re.test(String(l['msg'])));

const batchOf = (i: number): { buf: Buffer; values: string[] } => {
  const values = Array.from({ length: recordsPerBatch }, (_, k) => `${i}.${k}:${'v'.repeat(valueBytes)}`);
  return {
    buf: buildRecordBatch(values.map((v) => ({ key: null, value: Buffer.from(v), timestamp: Date.now() }))),
    values,
  };
};

test('a full disk: produce refused with KAFKA_STORAGE_ERROR, nothing unacknowledged served, writes resume when space returns; a full metadata log stops the node, which restarts intact', {
  timeout: 90_000,
}, async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('mounting a tmpfs needs root (CI runs the tests as root)');
    return;
  }
  const f = await ClusterFixture.combined({ nodes: 1, extra: { 'log.segment.bytes': String(128 * 1024) } });
  const logDir = join(f.dataDir, 'node-0', 'logs');
  const mount = mountTmpfs(logDir, tmpfsBytes);
  t.after(async () => {
    if (mount.ok) mount.unmount(); // lazy: the node may still hold the files open
    await f.destroy({ graceful: false });
  });
  if (!mount.ok) {
    t.skip(mount.reason);
    return;
  }
  await f.up();
  await f.raftka('topics', '--bootstrap-server', f.bootstrapServers, '--create', '--topic', topic, '--partitions', '1');
  let client = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[0]! }], { requestTimeoutMs: 10_000 });
  t.after(() => client.close());
  const free = statfsSync(logDir);
  const filler = join(logDir, 'filler');
  writeFileSync(filler, Buffer.alloc(Math.max(0, free.bavail * free.bsize - roomBytes), 1));

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

  // The node says so: the gauges, /status, and one log line (not one per refused write).
  const metrics = await f.metrics(0);
  assert.equal(dirGauge(metrics, 'raftka_log_dir_full', logDir), 1);
  assert.equal(dirGauge(metrics, 'raftka_log_dir_failing', logDir), 1);
  const status = (await f.nodeStatus(0)) as { broker: { logDirs: { dir: string; full: boolean; error: string }[] } };
  assert.deepEqual(
    status.broker.logDirs.map((d) => [d.dir, d.full, d.error]),
    [[logDir, true, 'ENOSPC']],
  );
  assert.equal(nodeLogLines(f, /^log dir is full/).length, 1);

  // Space returns: produce and consume work again, without a restart.
  rmSync(filler);
  const after = batchOf(producesMax + 100);
  const r = await client.produce(topic, 0, after.buf, -1);
  assert.equal(r.baseOffset, acked.length);
  acked.push(...after.values);
  assert.deepEqual((await consumeAll(client)).values, acked);
  assert.equal(dirGauge(await f.metrics(0), 'raftka_log_dir_full', logDir), 0);
  const statusAfter = (await f.nodeStatus(0)) as { broker: { logDirs: { full: boolean }[] } };
  assert.equal(statusAfter.broker.logDirs[0]!.full, false);
  assert.equal(nodeLogLines(f, /^log dir is writable again/).length, 1);

  // The metadata log on a disk full to the last byte: topics are created until one cannot be
  // stored. That one is never acknowledged; the node stops and says why.
  fillUp(filler);
  const pid = await f.pidOf(1);
  const created: string[] = [];
  let createError: unknown = null;
  for (let i = 0; i < createsMax && createError === null; i++) {
    try {
      await client.createTopic(`meta-${i}`, 8, 1);
      created.push(`meta-${i}`);
    } catch (err) {
      createError = err;
    }
  }
  assert.ok(createError !== null, `${createsMax} topics created on a full disk`);
  assert.ok(
    !(createError instanceof KafkaRequestError),
    `not an answer but a closed connection: ${String(createError)}`,
  );
  await waitFor('the node to stop', async () => (isAlive(pid) ? undefined : true), 20_000);
  const fatal = nodeLogLines(f, /^metadata log dir write failed/);
  assert.equal(fatal.length, 1);
  assert.equal(fatal[0]!['code'], 'ENOSPC');

  // Space returns; the node restarts with every acknowledged topic and record.
  rmSync(filler);
  client.close();
  await f.up();
  client = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[0]! }], { requestTimeoutMs: 10_000 });
  const listed = (await f.raftka('topics', '--bootstrap-server', f.bootstrapServers, '--list')).split('\n');
  for (const name of created) assert.ok(listed.includes(name), `acknowledged topic ${name} after the restart`);
  assert.deepEqual((await consumeAll(client)).values, acked);
  const last = batchOf(producesMax + 200);
  assert.equal((await client.produce(topic, 0, last.buf, -1)).baseOffset, acked.length);
});
