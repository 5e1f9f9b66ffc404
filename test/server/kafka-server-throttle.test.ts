// Quota throttling on the Kafka listener (KIP-219): a throttled answer to a request version that
// has client-side throttling leaves at once and the connection reads nothing more until the
// throttle time has passed; an older version's answer is itself held back for the throttle time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { BrokerAuthorization } from '../../src/broker/authorization.js';
import { KafkaApiRegistry } from '../../src/broker/api-context.js';
import { ClientQuotaManager } from '../../src/broker/quota/client-quotas.js';
import { emptyImage, quotaEntityKey } from '../../src/metadata/image.js';
import { encodeRequestFrame } from '../../src/protocol/frame.js';
import { heartbeatApi } from '../../src/protocol/messages/heartbeat.js';
import { KafkaRequestMetrics } from '../../src/server/kafka-request-metrics.js';
import { KafkaServer } from '../../src/server/kafka-server.js';

/**
 * Each request records 10,300 bytes against a 1,000 B/s fetch quota under a client id of its own
 * (the default client-id quota measures each client id apart): a fresh key's 10 s window makes
 * that 1,030 B/s, a throttle of (1030 − 1000) / 1000 × 10 s = 300 ms.
 */
const throttleMs = 300;

function answers(socket: Socket): () => Promise<number> {
  let buffered = Buffer.alloc(0);
  const arrived: number[] = [];
  const waiting: ((t: number) => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      buffered = buffered.subarray(4 + buffered.readInt32BE(0));
      const w = waiting.shift();
      if (w) w(performance.now());
      else arrived.push(performance.now());
    }
  });
  return () => {
    const t = arrived.shift();
    return t !== undefined ? Promise.resolve(t) : new Promise((r) => waiting.push(r));
  };
}

test('a throttled connection is muted after the answer; an old version waits for its answer', async () => {
  const entity = [{ entityType: 'client-id', entityName: null }];
  const image = {
    ...emptyImage,
    quotas: new Map([[quotaEntityKey(entity), { entity, values: new Map([['consumer_byte_rate', 1000]]) }]]),
  };
  const quotas = new ClientQuotaManager({ window: { samples: 11, windowMs: 1000 }, image: () => image });
  const handlers = new KafkaApiRegistry(BrokerAuthorization.none, quotas);
  handlers.register(heartbeatApi, (_req, rc) => {
    rc.quota?.recordFetch(10_300);
    return { errorCode: 0 };
  });
  const server = new KafkaServer({
    listener: { name: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
    logger: pino({ level: 'silent' }),
    metrics: new KafkaRequestMetrics(new Registry(), handlers.apiNames()),
    requestBytesMax: 1 << 20,
    handlers,
  });
  const port = await server.start();
  const socket = connect(port, '127.0.0.1');
  try {
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const next = answers(socket);
    const frame = (version: number, correlationId: number): Buffer =>
      encodeRequestFrame(heartbeatApi, version, correlationId, `client-${correlationId}`, {
        groupId: 'g',
        generationId: 1,
        memberId: 'm',
      });
    // v2 (KIP-219): answered at once ...
    let sent = performance.now();
    socket.write(frame(2, 1));
    const first = await next();
    assert.ok(first - sent < throttleMs - 100, `answered after ${first - sent} ms`);
    // ... and the next request is not read before the throttle time has passed.
    socket.write(frame(2, 2));
    const second = await next();
    assert.ok(second - first >= throttleMs - 50, `second answer ${second - first} ms after the first`);
    // v1 (before KIP-219): the answer itself waits out the throttle.
    await new Promise((r) => setTimeout(r, throttleMs + 50));
    sent = performance.now();
    socket.write(frame(1, 3));
    const third = await next();
    assert.ok(third - sent >= throttleMs - 50, `v1 answered after ${third - sent} ms`);
  } finally {
    socket.destroy();
    await server.close();
  }
});
