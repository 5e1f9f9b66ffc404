// ReplicatedOffsetsLog over a real ReplicaManager and log: a transactional offset commit is one
// transactional batch with the producer's id and epoch and no sequence; loading reads back each
// record with its batch's offset and producer, and the COMMIT/ABORT markers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ReplicatedOffsetsLog, type OffsetsLogEntry } from '../../src/broker/group/offsets-log.js';
import { offsetKey, offsetsTopicName, offsetValue } from '../../src/broker/group/offsets-records.js';
import { ReplicaManager } from '../../src/broker/replica-manager.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import { readBatchHeaders } from '../../src/protocol/record-batch.js';
import { defaultLogConfig } from '../../src/storage/log-config.js';
import { quietLogManager } from './quiet-log-manager.js';
import { waitFor } from '../../src/testing/cluster-fixture.js';

test('transactional offset batches and markers round-trip through the replicated offsets log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-offsets-log-'));
  const logger = pino({ level: 'silent' });
  const logs = quietLogManager(dir, logger);
  const rm = new ReplicaManager(1, logs, defaultLogConfig, logger, 10_000);
  try {
    const topicId = Buffer.alloc(16, 7).toString('base64url');
    const loader = new MetadataLoader();
    loader.replayAll([
      { type: 'topic', name: offsetsTopicName, topicId },
      {
        type: 'partition',
        topicId,
        partitionId: 0,
        replicas: [1],
        isr: [1],
        removingReplicas: [],
        addingReplicas: [],
        leader: 1,
        leaderEpoch: 0,
        partitionEpoch: 0,
      },
    ]);
    rm.applyImage(loader.image);
    rm.startHosting();
    await waitFor(
      'the offsets partition hosted',
      async () => (rm.get(offsetsTopicName, 0) ? true : undefined),
      10_000,
      5,
    );
    const log = new ReplicatedOffsetsLog(rm, 5_000, 1 << 20);
    const rec = (partition: number, offset: number) => ({
      key: offsetKey('g', 't', partition),
      value: offsetValue({ offset, leaderEpoch: -1, metadata: '', commitTimestamp: 1 }),
    });

    assert.deepEqual(await log.append(0, [rec(0, 5)]), { errorCode: 0, baseOffset: 0 });
    assert.deepEqual(await log.append(0, [rec(0, 6), rec(1, 7)], { producerId: 42, producerEpoch: 3 }), {
      errorCode: 0,
      baseOffset: 1,
    });
    const r = rm.appendMarker(offsetsTopicName, 0, {
      producerId: 42,
      producerEpoch: 3,
      coordinatorEpoch: 0,
      committed: true,
    });
    assert.equal(r.errorCode, 0);

    const read = rm.get(offsetsTopicName, 0)!.log.read(0, 1 << 20, 100, true);
    assert.ok(read.ok);
    const headers = readBatchHeaders(read.records);
    assert.equal(headers.length, 3);
    const txn = headers[1]!;
    assert.equal(txn.isTransactional, true);
    assert.equal(txn.isControl, false);
    assert.equal(txn.producerId, 42);
    assert.equal(txn.producerEpoch, 3);
    assert.equal(txn.baseSequence, -1, 'the coordinator writes no sequence (RecordBatch.NO_SEQUENCE)');
    assert.equal(headers[0]!.producerId, -1, 'a plain commit has no producer');

    const entries: OffsetsLogEntry[] = [];
    for await (const e of log.readAll(0)) entries.push(e);
    assert.deepEqual(
      entries.map((e) =>
        e.kind === 'marker' ? ['marker', e.producerId, e.commit] : ['record', e.batchOffset, e.txnProducerId],
      ),
      [
        ['record', 0, null],
        ['record', 1, 42],
        ['record', 1, 42],
        ['marker', 42, true],
      ],
    );
    assert.deepEqual(
      (await log.append(1, [rec(0, 1)])).errorCode,
      6,
      'a partition not led here: NOT_LEADER_OR_FOLLOWER',
    );
  } finally {
    rm.close();
    logs.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
