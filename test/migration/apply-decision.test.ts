// The controller's decision on a migration import (src/controller/migration-control.ts) and
// verify's comparison (migration/src/image-diff.ts), on the sample's records: pure, no cluster.
// Refusals: wrong cluster id, malformed shape, clashes with KRaft metadata (named); a rerun on
// the migrated image is "already migrated"; a different migrated state is refused; producer ids
// never go back. The diff is empty on the replayed plan and names each kind of difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import { decideMigrationImport } from '../../src/controller/migration-control.js';
import { emptyImage } from '../../src/metadata/image.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import { frameRecords, splitRecordFrames } from '../../src/metadata/record-frames.js';
import { decodeRecord, encodeRecord, type MetadataRecord } from '../../src/metadata/records.js';
import { diffMigratedImage } from '../../migration/src/image-diff.js';
import { rehearse } from '../../migration/src/rehearse.js';
import { syntheticDump } from '../../migration/src/synthetic.js';
import { parseJsonDump } from '../../migration/src/zk/json-dump-reader.js';
import { parseKafkaLayout } from '../../migration/src/kafka/parse-layout.js';
import { translateToRecords } from '../../migration/src/translate.js';
import { sampleTree } from './expected.js';

const plan = async () => (await rehearse({ zkDump: sampleTree })).plan;
const replay = (records: readonly MetadataRecord[], base = emptyImage) => new MetadataLoader(base).replayAll(records);

test('a wrong cluster id is INCONSISTENT_CLUSTER_ID', async () => {
  const p = await plan();
  const d = decideMigrationImport(emptyImage, 'AAAAAAAAAAAAAAAAAAAAAA', {
    zkClusterId: p.clusterId!,
    records: p.records,
  });
  assert.equal(d.kind, 'refuse');
  assert.equal(d.kind === 'refuse' && d.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID);
  assert.match(
    d.kind === 'refuse' ? d.errorMessage : '',
    /UvImZaYMEtKJGF2VDuiBNg is not this KRaft cluster's id AAAAAAAAAAAAAAAAAAAAAA/,
  );
});

test('a fresh cluster gets every body record; the replayed result is what verify expects', async () => {
  const p = await plan();
  const d = decideMigrationImport(emptyImage, p.clusterId!, { zkClusterId: p.clusterId!, records: p.records });
  assert.equal(d.kind, 'write');
  if (d.kind !== 'write') return;
  assert.deepEqual(
    d.keep,
    p.records.slice(1, -1).map((_, i) => i + 1),
  );
  const image = replay(p.records);
  assert.deepEqual(diffMigratedImage(image, image), { differences: [], changedSinceMigration: [] });
  // A rerun on the migrated image writes nothing.
  assert.deepEqual(decideMigrationImport(image, p.clusterId!, { zkClusterId: p.clusterId!, records: p.records }), {
    kind: 'already-migrated',
  });
});

test('clashes with KRaft metadata are refused and named', async () => {
  const p = await plan();
  const orders = p.records.find(
    (r): r is Extract<MetadataRecord, { type: 'topic' }> => r.type === 'topic' && r.name === 'orders',
  )!;
  const base = replay([
    { type: 'topic', name: 'orders', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
    { type: 'config', resourceType: 4, resourceName: '', name: 'min.insync.replicas', value: '1' },
  ]);
  const d = decideMigrationImport(base, p.clusterId!, { zkClusterId: p.clusterId!, records: p.records });
  assert.equal(d.kind, 'refuse');
  if (d.kind !== 'refuse') return;
  assert.equal(d.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
  assert.deepEqual(d.conflicts, [
    'topic orders already exists in KRaft (id AAAAAAAAAAAAAAAAAAAAAQ)',
    'broker config <default> min.insync.replicas is 1 in KRaft, 2 in ZooKeeper',
  ]);
  assert.ok(orders);
});

test('a cluster migrated from another state refuses; producer ids never go back; bad shapes are refused', async () => {
  const p = await plan();
  const other = translateToRecords(
    await parseKafkaLayout(
      parseJsonDump(
        syntheticDump({
          clusterId: p.clusterId!,
          brokers: [1, 2, 3],
          topics: 2,
          partitionsPerTopic: 2,
          replicationFactor: 3,
        }),
        'x.json',
      ).tree,
    ),
  );
  const migratedElsewhere = replay(other.records);
  const d = decideMigrationImport(migratedElsewhere, p.clusterId!, { zkClusterId: p.clusterId!, records: p.records });
  assert.equal(d.kind, 'refuse');
  assert.match(d.kind === 'refuse' ? d.errorMessage : '', /already migrated .* from a different ZooKeeper state/);

  const ahead = replay([{ type: 'producerIds', brokerId: 1, brokerEpoch: 1, nextProducerId: 10_000_000 }]);
  const w = decideMigrationImport(ahead, p.clusterId!, { zkClusterId: p.clusterId!, records: p.records });
  assert.equal(w.kind, 'write');
  assert.ok(w.kind === 'write' && w.keep.every((i) => p.records[i]!.type !== 'producerIds'));
  assert.match(w.kind === 'write' ? w.notes.join() : '', /kept KRaft's/);

  const body = p.records.slice(1, -1);
  const shapes: MetadataRecord[][] = [
    body as MetadataRecord[],
    [p.records[0]!, { type: 'fenceBroker', brokerId: 1, brokerEpoch: 1 }, ...body, p.records.at(-1)!],
    [p.records[0]!, ...body.filter((r) => r.type !== 'topic' || r.name !== 'orders'), p.records.at(-1)!],
  ];
  for (const records of shapes) {
    const r = decideMigrationImport(emptyImage, p.clusterId!, { zkClusterId: p.clusterId!, records });
    assert.equal(r.kind === 'refuse' && r.errorCode, ErrorCode.INVALID_REQUEST);
  }
});

test('verify names missing, extra, changed and moved-on entities', async () => {
  const p = await plan();
  const zk = replay(p.records);
  const t = [...zk.topicsByName.values()].find((x) => x.name === 'orders')!;
  const kraft = replay(
    [
      { type: 'topic', name: 'extra', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
      {
        type: 'partitionChange',
        topicId: t.id,
        partitionId: 0,
        isr: [1],
        leader: null,
        replicas: null,
        removingReplicas: null,
        addingReplicas: null,
      },
      {
        type: 'partitionChange',
        topicId: t.id,
        partitionId: 1,
        isr: null,
        leader: null,
        replicas: [9, 8, 7],
        removingReplicas: null,
        addingReplicas: null,
      },
      { type: 'config', resourceType: 2, resourceName: 'orders', name: 'retention.ms', value: '1' },
    ],
    zk,
  );
  const diff = diffMigratedImage(zk, kraft);
  assert.deepEqual(diff.differences, [
    '~ partition orders-1: replicas [2,3,1] in ZooKeeper, [9,8,7] in KRaft',
    '+ topic extra (id AAAAAAAAAAAAAAAAAAAAAQ): only in KRaft',
    '~ config topic orders retention.ms: 172800000 in ZooKeeper, 1 in KRaft',
  ]);
  assert.equal(diff.changedSinceMigration.length, 2);
  assert.match(diff.changedSinceMigration[0]!, /^partition orders-0: partition epoch \d+ → \d+/);
  assert.deepEqual(diffMigratedImage(zk, emptyImage).differences.slice(0, 2), [
    '~ ZkMigrationState: 3 expected, 0 in KRaft (never migrated)',
    `- topic __consumer_offsets (id ${zk.topicsByName.get('__consumer_offsets')!.id}): missing in KRaft`,
  ]);
});

test('record frames round-trip and reject bad framing', async () => {
  const p = await plan();
  const encoded = p.records.map(encodeRecord);
  const frames = frameRecords(encoded);
  assert.deepEqual(
    splitRecordFrames(frames, encoded.length).map(decodeRecord),
    p.records.map((r) => decodeRecord(encodeRecord(r))),
  );
  assert.throws(() => splitRecordFrames(frames.subarray(0, frames.length - 1), encoded.length), /runs past the end/);
  assert.throws(() => splitRecordFrames(frames, encoded.length + 1), /expected \d+ records/);
});
