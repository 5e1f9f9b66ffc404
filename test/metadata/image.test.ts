// MetadataImage / MetadataDelta / MetadataLoader, checked over random valid record sequences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MetadataLoader } from '../../src/metadata/loader.js';
import { imageDigest, imageRecords } from '../../src/metadata/image-records.js';
import { decodeRecord, encodeRecord, type MetadataRecord } from '../../src/metadata/records.js';
import { emptyImage, type MetadataImage } from '../../src/metadata/image.js';
import { generateRecords, type Op } from '../../src/testing/random-records.js';

const opArb = fc.tuple(fc.nat(15), fc.nat(1000), fc.nat(1000)) as fc.Arbitrary<Op>;
const opsArb = fc.array(opArb, { maxLength: 150 });

function replayInBatches(records: readonly MetadataRecord[], cuts: readonly number[]): MetadataImage {
  const loader = new MetadataLoader();
  let start = 0;
  for (const cut of [...cuts].map((c) => c % (records.length + 1)).sort((a, b) => a - b)) {
    loader.replayAll(records.slice(start, Math.max(start, cut)));
    start = Math.max(start, cut);
  }
  return loader.replayAll(records.slice(start));
}

test('a snapshot (the image as records, encoded and decoded) loads into an equal image', () => {
  fc.assert(
    fc.property(opsArb, fc.array(fc.nat(), { maxLength: 5 }), (ops, cuts) => {
      const image = replayInBatches(generateRecords(ops), cuts);
      const snapshot = [...imageRecords(image)].map((r) => decodeRecord(encodeRecord(r)));
      const loaded = new MetadataLoader().replayAll(snapshot);
      assert.deepStrictEqual(loaded, image);
      assert.equal(imageDigest(loaded), imageDigest(image));
    }),
    { numRuns: 200 },
  );
});

test('how records are split into batches never changes the image', () => {
  fc.assert(
    fc.property(opsArb, fc.array(fc.nat(), { maxLength: 8 }), (ops, cuts) => {
      const records = generateRecords(ops);
      assert.deepStrictEqual(replayInBatches(records, cuts), replayInBatches(records, []));
    }),
    { numRuns: 200 },
  );
});

test('records of an open transaction are invisible; aborted ones never appear', () => {
  fc.assert(
    fc.property(opsArb, (ops) => {
      const records = generateRecords(ops);
      const loader = new MetadataLoader();
      let visibleUpTo = 0; // records before an open transaction's Begin
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        if (r.type === 'beginTransaction') visibleUpTo = i;
        loader.replayAll([r]);
        if (!loader.inTransaction) visibleUpTo = i + 1;
        // Everything visible equals replaying the prefix without the open transaction.
        const expected = new MetadataLoader().replayAll(records.slice(0, visibleUpTo));
        assert.deepStrictEqual(loader.image, expected);
      }
    }),
    { numRuns: 60 },
  );
});

test('partition changes bump the partition epoch, and the leader epoch when the leader moves', () => {
  const topicId = 'AAECAwQFBgcICQoLDA0ODw';
  const loader = new MetadataLoader();
  loader.replayAll([
    { type: 'topic', name: 'orders', topicId },
    {
      type: 'partition',
      topicId,
      partitionId: 0,
      replicas: [1, 2, 3],
      isr: [1, 2, 3],
      removingReplicas: [],
      addingReplicas: [],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
    },
  ]);
  const change = (leader: number | null, isr: number[] | null): void => {
    loader.replayAll([
      {
        type: 'partitionChange',
        topicId,
        partitionId: 0,
        isr,
        leader,
        replicas: null,
        removingReplicas: null,
        addingReplicas: null,
      },
    ]);
  };
  change(null, [1, 2]);
  let p = loader.image.topicsByName.get('orders')!.partitions.get(0)!;
  assert.deepEqual([p.leader, p.leaderEpoch, p.partitionEpoch, p.isr], [1, 0, 1, [1, 2]]);
  change(2, [2]);
  p = loader.image.topicsByName.get('orders')!.partitions.get(0)!;
  assert.deepEqual([p.leader, p.leaderEpoch, p.partitionEpoch, p.isr], [2, 1, 2, [2]]);
  // Removing the topic removes its configs too, and frees its name.
  loader.replayAll([
    { type: 'config', resourceType: 2, resourceName: 'orders', name: 'retention.ms', value: '5' },
    { type: 'removeTopic', topicId },
    { type: 'topic', name: 'orders', topicId: 'ZmZmZmZmZmZmZmZmZmZmZg' },
  ]);
  assert.equal(loader.image.configs.size, 0);
  assert.equal(loader.image.topicsByName.get('orders')?.id, 'ZmZmZmZmZmZmZmZmZmZmZg');
  assert.equal(loader.image.topicsById.size, 1);
});

test('an image shares every section the records did not touch', () => {
  const loader = new MetadataLoader();
  const before = loader.replayAll([{ type: 'featureLevel', name: 'metadata.version', featureLevel: 21 }]);
  const after = loader.replayAll([{ type: 'zkMigrationState', zkMigrationState: 0 }]);
  assert.notEqual(after, before);
  assert.equal(after.features, before.features);
  assert.equal(after.brokers, emptyImage.brokers);
  assert.throws(() => loader.replayAll([{ type: 'fenceBroker', brokerId: 9, brokerEpoch: 1 }]), /not registered/);
});
