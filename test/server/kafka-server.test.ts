// The Kafka listener's log lines name the request: a request answered is logged at debug with its
// API, client id, correlation id and time (Kafka's request log); a handler that throws is logged
// as an error with the same fields, and the connection is closed. A handler's afterSend hooks (how
// Fetch gives its pooled read buffers back) run once the answer was written, or failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { KafkaApiRegistry } from '../../src/broker/api-context.js';
import { apiVersionsApi } from '../../src/protocol/messages/api-versions.js';
import { encodeRequestFrame } from '../../src/protocol/frame.js';
import { KafkaRequestMetrics } from '../../src/server/kafka-request-metrics.js';
import { KafkaServer } from '../../src/server/kafka-server.js';
import { waitFor } from '../../src/testing/cluster-fixture.js';

/** A PLAINTEXT listener on an ephemeral 127.0.0.1 port serving `handlers`. */
function plainServer(handlers: KafkaApiRegistry, logger: Logger): KafkaServer {
  return new KafkaServer({
    listener: { name: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
    logger,
    metrics: new KafkaRequestMetrics(new Registry(), handlers.apiNames()),
    requestBytesMax: 1 << 20,
    handlers,
  });
}

const apiVersionsFrame = (correlationId: number, clientId: string): Buffer =>
  encodeRequestFrame(apiVersionsApi, 3, correlationId, clientId, {
    clientSoftwareName: 'test',
    clientSoftwareVersion: '1',
  });

test('requests are logged with API, client id and correlation id; a failing handler closes the connection', async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const handlers = new KafkaApiRegistry();
  let calls = 0;
  handlers.register(apiVersionsApi, async () => {
    if (++calls === 2) throw new Error('broken on purpose');
    return { errorCode: 0, apiKeys: [], throttleTimeMs: 0 };
  });
  const server = plainServer(handlers, pino({ level: 'debug' }, sink));
  const port = await server.start();
  try {
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('data', () => undefined);
    const frame = (correlationId: number): Buffer => apiVersionsFrame(correlationId, 'log-tester');
    socket.write(frame(41));
    await waitFor(
      'the first answer logged',
      async () => (lines.some((l) => l.msg === 'request answered') ? true : undefined),
      5_000,
      10,
    );
    socket.write(frame(42));
    await closed;
    const answered = lines.find((l) => l.msg === 'request answered')!;
    assert.equal(answered.api, 'ApiVersions');
    assert.equal(answered.clientId, 'log-tester');
    assert.equal(answered.correlationId, 41);
    assert.equal(typeof answered.totalMs, 'number');
    const failed = lines.find((l) => l.msg === 'request failed');
    assert.ok(failed, JSON.stringify(lines));
    assert.equal(failed.level, 50);
    assert.equal(failed.clientId, 'log-tester');
    assert.equal(failed.correlationId, 42);
    assert.equal(failed.api, 'ApiVersions');
    const closing = lines.find((l) => l.msg === 'closing Kafka connection');
    assert.equal(closing?.reason, 'handler-error');
    assert.equal(closing?.correlationId, 42);
  } finally {
    await server.close();
  }
});

test('afterSend hooks run once each, only after the answer was written, and also when the handler fails', async () => {
  const handlers = new KafkaApiRegistry();
  let calls = 0;
  let hooks = 0;
  let open: () => void = () => undefined;
  const gate = new Promise<void>((r) => (open = r));
  handlers.register(apiVersionsApi, async (_req, rc) => {
    rc.afterSend?.(() => hooks++);
    if (++calls === 1) await gate;
    else throw new Error('broken on purpose');
    return { errorCode: 0, apiKeys: [], throttleTimeMs: 0 };
  });
  const server = plainServer(handlers, pino({ level: 'silent' }));
  const port = await server.start();
  try {
    const socket = connect(port, '127.0.0.1');
    let received = 0;
    socket.on('data', (b: Buffer) => (received += b.length));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    const frame = (correlationId: number): Buffer => apiVersionsFrame(correlationId, 'hooks');
    socket.write(frame(1));
    await waitFor('the handler called', async () => (calls === 1 ? true : undefined), 5_000, 5);
    assert.equal(hooks, 0, 'no hook before the answer exists');
    open();
    await waitFor('the answer received', async () => (received > 0 ? true : undefined), 5_000, 5);
    await waitFor('the hook run', async () => (hooks === 1 ? true : undefined), 5_000, 5);
    socket.write(frame(2));
    await closed;
    await waitFor('the failed request’s hook run', async () => (hooks === 2 ? true : undefined), 5_000, 5);
    assert.equal(hooks, 2);
  } finally {
    await server.close();
  }
});
