// Adopting a log dir a ZooKeeper-mode Kafka broker left (written by test/fixtures/kafka-zk-log-dir.ts
// from Kafka's documented formats, not by raftka's writer): the partition opens at Kafka's offsets
// (log start, log end, high watermark, leader epochs) and serves the same records; the checkpoint
// files raftka writes back are read by the next start; a partition directory of another topic
// incarnation is set aside as stray; meta.properties version 0 is adopted by storage format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Partition } from '../../src/broker/partition.js';
import { parseNodeConfig } from '../../src/common/config.js';
import { randomUuid } from '../../src/common/uuid.js';
import { readBatchHeaders, readRecords } from '../../src/protocol/record-batch.js';
import { defaultLogConfig } from '../../src/storage/log-config.js';
import { LogManager, readPartitionMetadata } from '../../src/storage/log-manager.js';
import {
  adoptZkModeDirectories,
  FormatError,
  formatStorage,
  readMetaProperties,
  zkModeBackupFile,
} from '../../src/server/storage-format.js';
import { writeZkModeLogDir } from '../fixtures/kafka-zk-log-dir.js';

const logger = pino({ level: 'silent' });

function manager(dir: string): LogManager {
  return new LogManager({
    logDirs: [dir],
    logger,
    retentionCheckIntervalMs: 1000,
    flushCheckIntervalMs: 1000,
    checkpointIntervalMs: 1000,
    cleanerIntervalMs: null,
  });
}

function zkDir(): { dir: string; clusterId: string; topicId: string; layout: ReturnType<typeof writeZkModeLogDir> } {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-zkdir-'));
  const clusterId = randomUuid();
  const topicId = randomUuid();
  const layout = writeZkModeLogDir(dir, { brokerId: 1, clusterId, topic: 'orders', topicId });
  return { dir, clusterId, topicId, layout };
}

test("a ZooKeeper-mode broker's partition opens at Kafka's offsets and serves its records", () => {
  const { dir, topicId, layout } = zkDir();
  const m = manager(dir);
  assert.deepEqual(m.knownPartitions(), [{ topic: 'orders', partition: 0 }]);
  const log = m.getOrCreate('orders', 0, defaultLogConfig, topicId);
  assert.equal(log.logEndOffset, layout.values.length);
  assert.equal(log.logStartOffset, layout.logStartOffset);
  assert.equal(log.highWatermark, layout.highWatermark);
  assert.deepEqual(
    log.epochs.all().map((e) => [e.epoch, e.startOffset]),
    layout.epochs,
  );
  // A follower or leader of it starts from the checkpointed high watermark.
  assert.equal(new Partition('orders', topicId, 0, 1, log).highWatermark, layout.highWatermark);
  // Reads return one segment's batches at a time: read on from the next offset to the end.
  const served: (readonly [number, string | undefined])[] = [];
  for (let next = layout.logStartOffset; next < log.logEndOffset; ) {
    const r = log.read(next, 1 << 20, log.logEndOffset, true);
    assert.ok(r.ok && r.records.length > 0);
    for (const h of readBatchHeaders(r.records))
      for (const x of readRecords(r.records, h)) if (x.offset >= next) served.push([x.offset, x.value?.toString()]);
    next = served.at(-1)![0] + 1;
  }
  assert.deepEqual(
    served,
    layout.values.slice(layout.logStartOffset).map((v, i) => [i + layout.logStartOffset, v] as const),
  );
  m.close();
});

test('checkpoint files written back are Kafka-formatted and read again at the next start', () => {
  const { dir, topicId, layout } = zkDir();
  const m = manager(dir);
  const log = m.getOrCreate('orders', 0, { ...defaultLogConfig, compact: true }, topicId);
  log.highWatermarkMoved(layout.values.length);
  log.firstDirtyOffset = 5;
  m.close();
  assert.equal(readFileSync(join(dir, 'replication-offset-checkpoint'), 'utf8'), '0\n1\norders 0 10\n');
  assert.equal(readFileSync(join(dir, 'cleaner-offset-checkpoint'), 'utf8'), '0\n1\norders 0 5\n');
  assert.equal(readFileSync(join(dir, 'log-start-offset-checkpoint'), 'utf8'), '0\n1\norders 0 3\n');
  assert.equal(readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8'), '0\n1\norders 0 10\n');
  const again = manager(dir).getOrCreate('orders', 0, { ...defaultLogConfig, compact: true }, topicId);
  assert.equal(again.highWatermark, 10);
  assert.equal(again.firstDirtyOffset, 5);
  assert.equal(again.logStartOffset, 3);
});

test('a partition directory of another topic id is set aside as stray and the partition starts empty', () => {
  const { dir, topicId } = zkDir();
  const newId = randomUuid();
  const log = manager(dir).getOrCreate('orders', 0, defaultLogConfig, newId);
  assert.equal(log.logEndOffset, 0);
  assert.equal(log.highWatermark, 0);
  assert.equal(readPartitionMetadata(join(dir, 'orders-0')), newId);
  assert.ok(existsSync(join(dir, `orders-0.${topicId}-stray`, '00000000000000000005.log')));
  // The stray directory is not taken for a partition at the next start.
  assert.deepEqual(manager(dir).knownPartitions(), [{ topic: 'orders', partition: 0 }]);
});

test('meta.properties version 0 is adopted as version 1 by storage format and at start; a wrong id is refused', () => {
  const { dir, clusterId } = zkDir();
  const config = (nodeId: number) =>
    parseNodeConfig(
      new Map([
        ['node.id', String(nodeId)],
        ['process.roles', 'broker'],
        ['controller.quorum.voters', '9@127.0.0.1:9093'],
        ['listeners', 'PLAINTEXT://127.0.0.1:9092'],
        ['controller.listener.names', 'CONTROLLER'],
        ['log.dirs', dir],
      ]),
      'test.properties',
    );
  const v0 = readMetaProperties(dir)!;
  assert.deepEqual([v0.version, v0.nodeId, v0.clusterId], [0, 1, clusterId]);
  assert.throws(() => adoptZkModeDirectories(config(2)), FormatError);
  assert.throws(() => formatStorage(config(1), randomUuid(), { ignoreFormatted: false }), /ZooKeeper-mode cluster/);
  const result = formatStorage(config(1), clusterId, { ignoreFormatted: false });
  assert.deepEqual(result.adopted, [dir]);
  const v1 = readMetaProperties(dir)!;
  assert.deepEqual([v1.version, v1.nodeId, v1.clusterId], [1, 1, clusterId]);
  assert.ok(v1.directoryId);
  assert.match(readFileSync(join(dir, zkModeBackupFile), 'utf8'), /broker\.id=1\nversion=0/);
  assert.deepEqual(adoptZkModeDirectories(config(1)), []);
  assert.ok(readdirSync(join(dir, 'orders-0')).includes('00000000000000000000.log'));
});
