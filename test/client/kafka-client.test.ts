// KafkaClient's connection cache against the in-process fake broker: concurrent first uses of a
// broker share one connection (one ApiVersions handshake), and a connection whose open finishes
// after close() is closed rather than left keeping the process alive.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { FakeBroker } from './fake-broker.js';

test('concurrent first uses of a broker open one connection', async () => {
  const b = await FakeBroker.start({ orders: 1 });
  const client = new KafkaClient(b.bootstrap, { requestTimeoutMs: 5_000 });
  try {
    const conns = await Promise.all(Array.from({ length: 5 }, () => client.anyConnection()));
    assert.equal(new Set(conns).size, 1);
    assert.equal(b.count('ApiVersions'), 1);
    const dedicated = await Promise.all([
      client.dedicatedConnection(b.bootstrap[0]!, 'group'),
      client.dedicatedConnection(b.bootstrap[0]!, 'group'),
    ]);
    assert.equal(dedicated[0], dedicated[1]);
    assert.notEqual(dedicated[0], conns[0]);
    assert.equal(b.count('ApiVersions'), 2);
  } finally {
    client.close();
    await b.close();
  }
});

test('a connection opened after close() is closed at once', async () => {
  const b = await FakeBroker.start({ orders: 1 });
  const client = new KafkaClient(b.bootstrap, { requestTimeoutMs: 5_000 });
  try {
    const opening = client.anyConnection();
    client.close();
    await assert.rejects(opening, /client closed/);
    // The client stays usable after close(), as before: a later use opens a fresh connection.
    const again = await client.anyConnection();
    assert.equal(again.isClosed, false);
  } finally {
    client.close();
    await b.close();
  }
});
