// A ReplicaManager follows dynamic broker configs in the image it applies: a cluster-default
// min.insync.replicas takes effect on the next image (acks=all refused), a per-broker value beats
// it and a topic config beats both; the leader's replication throttle holds back an out-of-sync
// throttled follower once over its rate, and never an in-sync one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ReplicaManager } from '../../src/broker/replica-manager.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import type { MetadataRecord } from '../../src/metadata/records.js';
import { buildRecordBatch } from '../../src/protocol/record-batch.js';
import { defaultLogConfig } from '../../src/storage/log-config.js';
import { quietLogManager } from './quiet-log-manager.js';
import { ErrorCode } from '../../src/common/errors.js';

const config = (resourceType: number, resourceName: string, name: string, value: string | null): MetadataRecord => ({
  type: 'config',
  resourceType,
  resourceName,
  name,
  value,
});

test('dynamic configs in the image: min.insync.replicas precedence and the leader throttle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-dyn-'));
  const logger = pino({ level: 'silent' });
  const logs = quietLogManager(dir, logger);
  const rm = new ReplicaManager(1, logs, defaultLogConfig, logger, 10_000);
  try {
    const topicId = Buffer.alloc(16, 7).toString('base64url');
    const loader = new MetadataLoader();
    const partition = (isr: number[]): MetadataRecord => ({
      type: 'partition',
      topicId,
      partitionId: 0,
      replicas: [1, 2],
      isr,
      removingReplicas: [],
      addingReplicas: [],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: isr.length,
    });
    const apply = (...records: MetadataRecord[]) => {
      loader.replayAll(records);
      rm.applyImage(loader.image);
    };
    rm.startHosting();
    apply({ type: 'topic', name: 't', topicId }, partition([1]));
    const value = (n: number) => buildRecordBatch([{ value: Buffer.alloc(n, 1), timestamp: Date.now() }]);
    const acksAll = () => rm.appendAsLeader('t', 0, value(10), -1).errorCode;
    assert.equal(acksAll(), ErrorCode.NONE);
    apply(config(4, '', 'min.insync.replicas', '2'));
    assert.equal(acksAll(), ErrorCode.NOT_ENOUGH_REPLICAS, 'the cluster default, on the next image');
    apply(config(4, '1', 'min.insync.replicas', '1'));
    assert.equal(acksAll(), ErrorCode.NONE, 'this broker’s own value beats the cluster default');
    apply(config(4, '2', 'min.insync.replicas', '1'), config(4, '1', 'min.insync.replicas', null));
    assert.equal(acksAll(), ErrorCode.NOT_ENOUGH_REPLICAS, 'another broker’s value does not apply here');
    apply(config(2, 't', 'min.insync.replicas', '1'));
    assert.equal(acksAll(), ErrorCode.NONE, 'the topic’s own value beats both');

    // Leader throttle: 1000 B/s allows about ten seconds' worth (10 kB) before holding back.
    apply(
      config(2, 't', 'leader.replication.throttled.replicas', '*'),
      config(4, '', 'leader.replication.throttled.rate', '1000'),
    );
    for (let i = 0; i < 3; i++) assert.equal(rm.appendAsLeader('t', 0, value(8000), 1).errorCode, ErrorCode.NONE);
    const fetch = (offset: number) =>
      rm.serveFollower(
        2,
        { topic: 't', partition: 0, fetchOffset: offset, lastFetchedEpoch: -1, currentLeaderEpoch: 0 },
        100_000,
        Date.now(),
      );
    const first = fetch(0);
    assert.ok((first.records?.length ?? 0) > 24_000, 'under the rate: all the data');
    assert.equal(fetch(0).records, null, 'over the rate, out of the ISR: held back');
    apply(partition([1, 2]));
    assert.ok((fetch(0).records?.length ?? 0) > 0, 'an in-sync follower is never held back');
    apply(partition([1]), config(4, '', 'leader.replication.throttled.rate', null));
    assert.ok((fetch(0).records?.length ?? 0) > 0, 'no rate, no throttle');
  } finally {
    rm.close();
    logs.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
