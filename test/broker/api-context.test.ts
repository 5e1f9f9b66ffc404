// The broker's typed handler registry (src/broker/api-context.ts): a registered API decodes its
// request, runs the handler and encodes the response frame; null means no response; a key is
// registered once; and the broker's ApiVersions advertises exactly the registered APIs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaApiRegistry, type BrokerApiContext, type RequestContext } from '../../src/broker/api-context.js';
import { brokerHandlers } from '../../src/broker/kafka-apis.js';
import { AssertionFailure } from '../../src/common/assert.js';
import { apis as protocolApis } from '../../src/protocol/apis.js';
import { decodeResponseHeader } from '../../src/protocol/header.js';
import { apiVersionsApi } from '../../src/protocol/messages/api-versions.js';
import { heartbeatApi } from '../../src/protocol/messages/heartbeat.js';
import { Reader } from '../../src/protocol/primitives/reader.js';

function requestContext(apiKey: number, apiVersion: number, correlationId: number): RequestContext {
  return {
    header: { apiKey, apiVersion, correlationId, clientId: 'test', bodyOffset: 0, headerVersion: 1 },
    listenerName: 'PLAINTEXT',
    clientHost: '127.0.0.1',
    connectionId: 1,
    principal: 'User:ANONYMOUS',
    signal: new AbortController().signal,
  };
}

function bodyOf(chunks: Buffer[], apiKey: number, apiVersion: number): Reader {
  const frame = Buffer.concat(chunks);
  assert.equal(frame.readInt32BE(0), frame.length - 4);
  const body = frame.subarray(4);
  const h = decodeResponseHeader(body, apiKey, apiVersion);
  assert.equal(h.correlationId, 7);
  return new Reader(body, h.bodyOffset);
}

test('a registered API decodes the request, runs its handler and encodes the response', async () => {
  const registry = new KafkaApiRegistry();
  const seen: string[] = [];
  registry.register(heartbeatApi, (req) => {
    seen.push(`${req.groupId}/${req.memberId}/${req.generationId}`);
    return { throttleTimeMs: 0, errorCode: 27 };
  });
  assert.equal(registry.has(heartbeatApi.key), true);
  assert.equal(registry.has(apiVersionsApi.key), false);
  const served = registry.get(heartbeatApi.key)!;
  assert.equal(served.api.name, 'Heartbeat');
  const body = heartbeatApi.encodeRequest(1, { groupId: 'g', generationId: 3, memberId: 'm' });
  const { chunks, throttle } = await served.decode(1, new Reader(body))(requestContext(heartbeatApi.key, 1, 7));
  assert.ok(chunks);
  assert.equal(throttle, null);
  assert.deepEqual(heartbeatApi.decodeResponse(1, bodyOf(chunks, heartbeatApi.key, 1)), {
    throttleTimeMs: 0,
    errorCode: 27,
  });
  assert.deepEqual(seen, ['g/m/3']);
});

test('a handler answering null sends no response, and a key cannot be registered twice', async () => {
  const registry = new KafkaApiRegistry();
  registry.register(heartbeatApi, () => null);
  const body = heartbeatApi.encodeRequest(0, { groupId: 'g', generationId: 1, memberId: 'm' });
  assert.deepEqual(
    await registry.get(heartbeatApi.key)!.decode(0, new Reader(body))(requestContext(heartbeatApi.key, 0, 7)),
    { chunks: null, throttle: null },
  );
  assert.throws(() => registry.register(heartbeatApi, () => null), AssertionFailure);
});

test("the broker's ApiVersions advertises exactly the registered APIs", async () => {
  const ctx = { replicas: { currentImage: () => null } } as unknown as BrokerApiContext; // no handler runs but ApiVersions
  const registry = brokerHandlers(ctx);
  const body = apiVersionsApi.encodeRequest(3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  const { chunks } = await registry.get(apiVersionsApi.key)!.decode(3, new Reader(body))(
    requestContext(apiVersionsApi.key, 3, 7),
  );
  assert.ok(chunks);
  const answer = apiVersionsApi.decodeResponse(3, bodyOf(chunks, apiVersionsApi.key, 3));
  const advertised = answer.apiKeys.map((k) => k.apiKey);
  const registered = [...protocolApis.keys()].filter((k) => registry.has(k)).sort((a, b) => a - b);
  assert.deepEqual(advertised, registered);
  // Without a group coordinator the group APIs are neither served nor advertised.
  assert.equal(registry.has(heartbeatApi.key), false);
  assert.ok(advertised.includes(0) && advertised.includes(18) && !advertised.includes(heartbeatApi.key));
});
