// Where the console's Kafka client connects (src/console/console-client.ts): unfenced brokers
// first, PLAINTEXT listeners, a named listener when asked, and never the gRPC replica endpoint
// that brokers register as PLAINTEXT beside their Kafka listeners (a secured cluster's console
// once sent Kafka requests there and read HTTP/2 frames as answers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapFromImage } from '../../src/console/console-client.js';
import { type BrokerRegistration, emptyImage, type MetadataImage } from '../../src/metadata/image.js';

function broker(id: number, fenced: boolean, endpoints: [string, string, number][]): BrokerRegistration {
  return {
    id,
    incarnationId: `i${id}`,
    epoch: 1,
    endpoints: endpoints.map(([name, securityProtocol, port]) => ({ name, securityProtocol, host: '127.0.0.1', port })),
    rack: null,
    fenced,
    inControlledShutdown: false,
  };
}

function imageWith(brokers: BrokerRegistration[]): MetadataImage {
  return { ...emptyImage, brokers: new Map(brokers.map((b) => [b.id, b])) };
}

test('a secured cluster: no PLAINTEXT bootstrap (the replica endpoint is not one); the named listener otherwise', () => {
  const image = imageWith([
    broker(1, false, [
      ['SASL_SSL', 'SASL_SSL', 9092],
      ['REPLICATION', 'PLAINTEXT', 9094],
    ]),
  ]);
  assert.deepEqual(bootstrapFromImage(image), []);
  assert.deepEqual(bootstrapFromImage(image, 'SASL_SSL'), [{ host: '127.0.0.1', port: 9092 }]);
  assert.deepEqual(bootstrapFromImage(image, 'REPLICATION'), []);
});

test('PLAINTEXT listeners of unfenced brokers come first', () => {
  const image = imageWith([
    broker(1, true, [
      ['REPLICATION', 'PLAINTEXT', 9194],
      ['PLAINTEXT', 'PLAINTEXT', 9192],
    ]),
    broker(2, false, [
      ['SSL', 'SSL', 9291],
      ['PLAINTEXT', 'PLAINTEXT', 9292],
    ]),
  ]);
  assert.deepEqual(
    bootstrapFromImage(image).map((e) => e.port),
    [9292, 9192],
  );
});
