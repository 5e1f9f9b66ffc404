// The quota hooks of the broker's request path: the registry (src/broker/api-context.ts) puts the
// larger throttle into an answer's throttle_time_ms and hands it to the TCP server with whether
// the client throttles itself (KIP-219); DescribeClientQuotas / AlterClientQuotas
// (src/broker/quota/quota-apis.ts) are authorized on the cluster, checked for Kafka's match-string
// rules and forwarded to the controller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Registry } from 'prom-client';
import { KafkaApiRegistry, type BrokerApiContext, type RequestContext } from '../../../src/broker/api-context.js';
import { BrokerAuthorization } from '../../../src/broker/authorization.js';
import { brokerHandlers } from '../../../src/broker/kafka-apis.js';
import { ClientQuotaManager } from '../../../src/broker/quota/client-quotas.js';
import { ErrorCode } from '../../../src/common/errors.js';
import { emptyImage, quotaEntityKey, type AclEntry } from '../../../src/metadata/image.js';
import { AclOperation, AclPatternType, AclPermission, AclResourceType } from '../../../src/protocol/acl-types.js';
import { decodeResponseHeader } from '../../../src/protocol/header.js';
import { alterClientQuotasApi, describeClientQuotasApi } from '../../../src/protocol/messages/client-quotas.js';
import { heartbeatApi } from '../../../src/protocol/messages/heartbeat.js';
import type { AnyApi } from '../../../src/protocol/apis.js';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import { AclAuthorizer } from '../../../src/security/authorizer.js';

function requestContext(apiKey: number, apiVersion: number): RequestContext {
  return {
    header: { apiKey, apiVersion, correlationId: 7, clientId: 'app', bodyOffset: 0, headerVersion: 1 },
    listenerName: 'PLAINTEXT',
    clientHost: '127.0.0.1',
    connectionId: 1,
    principal: 'User:alice',
    signal: new AbortController().signal,
  };
}

function responseOf<T>(
  api: { decodeResponse(v: number, r: Reader): T },
  key: number,
  version: number,
  chunks: Buffer[] | null,
): T {
  assert.ok(chunks);
  const body = Buffer.concat(chunks).subarray(4);
  const h = decodeResponseHeader(body, key, version);
  return api.decodeResponse(version, new Reader(body, h.bodyOffset));
}

test('a throttled request: throttle_time_ms in the answer, and the throttle for the server', async () => {
  const entity = [{ entityType: 'client-id', entityName: 'app' }];
  const image = {
    ...emptyImage,
    quotas: new Map([[quotaEntityKey(entity), { entity, values: new Map([['producer_byte_rate', 1]]) }]]),
  };
  const quotas = new ClientQuotaManager({ window: { samples: 11, windowMs: 1000 }, image: () => image });
  const registry = new KafkaApiRegistry(BrokerAuthorization.none, quotas);
  // A handler recording its request's bytes as Produce does.
  registry.register(heartbeatApi, (_req, rc) => {
    rc.quota?.recordProduce();
    return { errorCode: 0 };
  });
  for (const [version, clientThrottles] of [
    [1, false], // Heartbeat v1 predates KIP-219: the server holds the answer back
    [2, true],
  ] as const) {
    const body = heartbeatApi.encodeRequest(version, { groupId: 'g'.repeat(100), generationId: 1, memberId: 'm' });
    const answer = await registry.get(heartbeatApi.key)!.decode(version, new Reader(body))(
      requestContext(heartbeatApi.key, version),
    );
    assert.ok(answer.throttle && answer.throttle.throttleMs > 0);
    assert.equal(answer.throttle.clientThrottles, clientThrottles);
    const res = responseOf(heartbeatApi, heartbeatApi.key, version, answer.chunks);
    assert.equal(res.throttleTimeMs, answer.throttle.throttleMs);
  }
});

function quotaBroker(acls: AclEntry[]) {
  const calls: string[] = [];
  const controller = {
    call: async (method: string, request: unknown) => {
      calls.push(method);
      if (method === 'DescribeClientQuotas')
        return {
          errorCode: 0,
          errorMessage: '',
          entries: [{ entity: [{ entityType: 'user' }], values: [{ key: 'producer_byte_rate', value: 5 }] }],
        };
      const r = request as { entries: { entity: unknown }[] };
      return { errorCode: 0, entries: r.entries.map(() => ({ errorCode: 0, errorMessage: '' })) };
    },
  };
  const map = new Map(acls.map((a) => [a.id, a]));
  const authorizer = new AclAuthorizer({ superUsers: new Set(), allowEveryoneIfNoAclFound: false }, () => map);
  const authorization = new BrokerAuthorization(authorizer, {
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
  });
  const ctx = { replicas: { currentImage: () => null }, controller, authorization } as unknown as BrokerApiContext;
  const apis = brokerHandlers(ctx);
  const send = async <T>(
    api: AnyApi & { decodeResponse(v: number, r: Reader): T },
    version: number,
    request: object,
  ) => {
    const answer = await apis.get(api.key)!.decode(version, new Reader(api.encodeRequest(version, request as never)))(
      requestContext(api.key, version),
    );
    return responseOf(api, api.key, version, answer.chunks);
  };
  return { send, calls };
}

const clusterAcl = (operation: number): AclEntry => ({
  id: String(operation),
  resourceType: AclResourceType.CLUSTER,
  resourceName: 'kafka-cluster',
  patternType: AclPatternType.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation,
  permissionType: AclPermission.ALLOW,
});

test('DescribeClientQuotas needs DESCRIBE_CONFIGS on the cluster; the filter rules are checked before forwarding', async () => {
  const b = quotaBroker([clusterAcl(AclOperation.DESCRIBE_CONFIGS)]);
  const ok = await b.send(describeClientQuotasApi, 1, {
    components: [{ entityType: 'user', matchType: 1, match: null }],
    strict: true,
  });
  assert.equal(ok.errorCode, 0);
  assert.deepEqual(ok.entries, [
    { entity: [{ entityType: 'user', entityName: null }], values: [{ key: 'producer_byte_rate', value: 5 }] },
  ]);
  const bad = await b.send(describeClientQuotasApi, 0, {
    components: [{ entityType: 'user', matchType: 2, match: 'x' }],
    strict: false,
  });
  assert.equal(bad.errorCode, ErrorCode.INVALID_REQUEST);
  assert.deepEqual(b.calls, ['DescribeClientQuotas']);
  // AlterClientQuotas needs ALTER_CONFIGS, which alice lacks: refused per entity, nothing forwarded.
  const refused = await b.send(alterClientQuotasApi, 1, {
    entries: [
      {
        entity: [{ entityType: 'user', entityName: 'bob' }],
        ops: [{ key: 'producer_byte_rate', value: 1, remove: false }],
      },
    ],
    validateOnly: false,
  });
  assert.deepEqual(
    refused.entries.map((e) => [e.errorCode, e.entity]),
    [[ErrorCode.CLUSTER_AUTHORIZATION_FAILED, [{ entityType: 'user', entityName: 'bob' }]]],
  );
  assert.deepEqual(b.calls, ['DescribeClientQuotas']);
  const denied = await quotaBroker([]).send(describeClientQuotasApi, 1, { components: [], strict: false });
  assert.equal(denied.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
});

test('AlterClientQuotas with ALTER_CONFIGS is forwarded and answered per entity', async () => {
  const b = quotaBroker([clusterAcl(AclOperation.ALTER_CONFIGS)]);
  const res = await b.send(alterClientQuotasApi, 0, {
    entries: [
      {
        entity: [{ entityType: 'client-id', entityName: null }],
        ops: [{ key: 'consumer_byte_rate', value: 10, remove: false }],
      },
    ],
    validateOnly: true,
  });
  assert.deepEqual(res.entries, [
    { errorCode: 0, errorMessage: null, entity: [{ entityType: 'client-id', entityName: null }] },
  ]);
  assert.deepEqual(b.calls, ['AlterClientQuotas']);
});
