// Request/response headers, the first frames real clients send (first-requests.md), and the
// ApiVersions answers built from the registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  writeRequestHeader,
  writeResponseHeader,
} from '../../src/protocol/header.js';
import {
  apiVersionsResponse,
  isVersionSupported,
  supportedApiVersions,
  unsupportedApiVersionsResponse,
} from '../../src/protocol/apis.js';
import {
  decodeApiVersionsRequest,
  decodeApiVersionsResponse,
  encodeApiVersionsResponse,
  apiVersionsApi,
} from '../../src/protocol/messages/api-versions.js';
import { metadataApi } from '../../src/protocol/messages/metadata.js';
import {
  encodeRawResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  FrameSplitter,
} from '../../src/protocol/frame.js';
import { ProtocolDecodeError } from '../../src/protocol/errors.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { Writer } from '../../src/protocol/primitives/writer.js';
import { hex } from './helpers.js';

/** Strips and checks the 4-byte size prefix of a captured frame. */
function frame(h: string): Buffer {
  const b = hex(h);
  assert.equal(b.readInt32BE(0), b.length - 4, 'size prefix');
  return b.subarray(4);
}

test('kcat / librdkafka 2.0.2: ApiVersions v3, header v2, software name and version', () => {
  const f = frame('000000240012000300000001000772646b61666b61000b6c696272646b61666b6106322e302e3200');
  const h = decodeRequestHeader(f);
  assert.deepEqual(h, {
    apiKey: 18,
    apiVersion: 3,
    correlationId: 1,
    clientId: 'rdkafka',
    bodyOffset: 18,
    headerVersion: 2,
  });
  const r = new Reader(f, h.bodyOffset);
  assert.deepEqual(decodeApiVersionsRequest(3, r), {
    clientSoftwareName: 'librdkafka',
    clientSoftwareVersion: '2.0.2',
  });
  assert.equal(r.pos, f.length);
});

test('kafkajs 2.2.4: ApiVersions v2, header v1, empty body', () => {
  const f = frame('000000110012000200000000000763617074757265');
  const h = decodeRequestHeader(f);
  assert.deepEqual(h, {
    apiKey: 18,
    apiVersion: 2,
    correlationId: 0,
    clientId: 'capture',
    bodyOffset: 17,
    headerVersion: 1,
  });
  assert.equal(h.bodyOffset, f.length);
  assert.deepEqual(decodeApiVersionsRequest(2, new Reader(f, h.bodyOffset)), {
    clientSoftwareName: '',
    clientSoftwareVersion: '',
  });
});

test('@platformatic/kafka 1.35.0: ApiVersions v3', () => {
  const f = frame('0000002d00120003000000010007636170747572650013706c6174666f726d617469632d6b61666b6107312e33352e3000');
  const h = decodeRequestHeader(f);
  assert.deepEqual(h, {
    apiKey: 18,
    apiVersion: 3,
    correlationId: 1,
    clientId: 'capture',
    bodyOffset: 18,
    headerVersion: 2,
  });
  const r = new Reader(f, h.bodyOffset);
  assert.deepEqual(decodeApiVersionsRequest(3, r), {
    clientSoftwareName: 'platformatic-kafka',
    clientSoftwareVersion: '1.35.0',
  });
  assert.equal(r.pos, f.length);
});

test('kafka-python 2.0.2: ApiVersions v0, header v1', () => {
  const f = frame('00000021001200000000000100176b61666b612d707974686f6e2d70726f64756365722d31');
  const h = decodeRequestHeader(f);
  assert.deepEqual(h, {
    apiKey: 18,
    apiVersion: 0,
    correlationId: 1,
    clientId: 'kafka-python-producer-1',
    bodyOffset: 33,
    headerVersion: 1,
  });
  assert.equal(h.bodyOffset, f.length);
});

test('header versions follow flexibleFrom; ApiVersions responses always use header v0', () => {
  assert.equal(requestHeaderVersion(3, 8), 1);
  assert.equal(requestHeaderVersion(3, 9), 2);
  assert.equal(requestHeaderVersion(18, 2), 1);
  assert.equal(requestHeaderVersion(18, 3), 2);
  assert.equal(requestHeaderVersion(18, 4), 2); // unsupported but flexible: still header v2
  assert.equal(responseHeaderVersion(3, 9), 1);
  assert.equal(responseHeaderVersion(3, 8), 0);
  assert.equal(responseHeaderVersion(18, 3), 0);
  assert.equal(responseHeaderVersion(60, 0), 1); // DescribeCluster is flexible from v0
});

test('an unknown api key still yields its header (v1 assumed)', () => {
  // apiKey 999, version 7, correlation 42, clientId "x", then garbage the server never parses
  const f = hex('03e7 0007 0000002a 0001 78 deadbeef');
  assert.deepEqual(decodeRequestHeader(f), {
    apiKey: 999,
    apiVersion: 7,
    correlationId: 42,
    clientId: 'x',
    bodyOffset: 11,
    headerVersion: 1,
  });
});

test('a null client id and header tagged fields are read; malformed headers throw ProtocolDecodeError', () => {
  // Metadata v9 (flexible): clientId null (ffff), header tagged fields: 1 field, tag 5, size 2, payload
  const f = hex('0003 0009 00000007 ffff 01 05 02 abcd');
  assert.deepEqual(decodeRequestHeader(f), {
    apiKey: 3,
    apiVersion: 9,
    correlationId: 7,
    clientId: null,
    bodyOffset: 15,
    headerVersion: 2,
  });
  for (const bad of [
    '',
    '0003',
    '00030009000000',
    '0003000900000007',
    '000300090000000700',
    '0003000900000007 0005 6162',
    '0003 0009 00000007 ffff',
    '0003 0009 00000007 fffe',
  ]) {
    assert.throws(() => decodeRequestHeader(hex(bad)), ProtocolDecodeError, bad);
  }
});

test('request and response headers round-trip through the writers', () => {
  for (const [apiKey, apiVersion] of [
    [3, 1],
    [3, 9],
    [18, 3],
    [0, 7],
  ] as const) {
    const w = new Writer();
    writeRequestHeader(w, { apiKey, apiVersion, correlationId: 99, clientId: 'c' });
    w.int8(0x55);
    const b = w.toBuffer();
    const h = decodeRequestHeader(b);
    assert.equal(b[h.bodyOffset], 0x55);
    const rw = new Writer();
    writeResponseHeader(rw, apiKey, apiVersion, 99);
    const rb = rw.toBuffer();
    assert.deepEqual(decodeResponseHeader(rb, apiKey, apiVersion), { correlationId: 99, bodyOffset: rb.length });
  }
});

test('ApiVersions response lists the registry and includes the librdkafka-required v0 minimums', () => {
  const ranges = supportedApiVersions();
  const by = new Map(ranges.map((r) => [r.apiKey, r]));
  assert.deepEqual(by.get(18), { apiKey: 18, minVersion: 0, maxVersion: 4 });
  assert.ok(isVersionSupported(0, 3) && isVersionSupported(0, 7), 'Produce must contain 3 and 7');
  assert.ok(isVersionSupported(1, 4) && isVersionSupported(1, 10), 'Fetch must contain 4 and 10');
  assert.ok(isVersionSupported(2, 1), 'ListOffsets must contain 1');
  const body = encodeApiVersionsResponse(3, apiVersionsResponse());
  const decoded = decodeApiVersionsResponse(3, new Reader(body));
  assert.deepEqual(decoded.apiKeys, ranges);
  assert.equal(decoded.errorCode, 0);
});

test('ApiVersions at an unsupported version: error 35 in a v0 body, header v0', () => {
  const body = unsupportedApiVersionsResponse();
  const ranges = supportedApiVersions();
  const n = ranges.length;
  // errorCode 35, apiKeys count n, then n × (key, min, max), nothing else (v0)
  assert.equal(body.length, 2 + 4 + 6 * n);
  assert.equal(body.readInt16BE(0), 35);
  assert.equal(body.readInt32BE(2), n);
  assert.deepEqual(decodeApiVersionsResponse(0, new Reader(body)), {
    errorCode: 35,
    apiKeys: ranges,
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1,
    finalizedFeatures: [],
    zkMigrationReady: false,
  });
  const full = encodeRawResponseFrame(18, 4, 5, body);
  assert.equal(full.readInt32BE(0), full.length - 4);
  assert.equal(full.readInt32BE(4), 5); // correlation id, then the body directly (header v0)
  assert.ok(full.subarray(8).equals(body));
});

test('frames: request/response encoders and the splitter agree', () => {
  const req = encodeRequestFrame(metadataApi, 9, 12, 'me', { topics: null, allowAutoTopicCreation: false });
  const res = encodeResponseFrame(apiVersionsApi, 3, 12, apiVersionsResponse());
  const stream = Buffer.concat([req, Buffer.concat(res)]);
  const splitter = new FrameSplitter();
  const frames: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 3) frames.push(...splitter.push(stream.subarray(i, i + 3)));
  assert.equal(frames.length, 2);
  assert.equal(splitter.bufferedBytes, 0);
  const h = decodeRequestHeader(frames[0]!);
  assert.deepEqual([h.apiKey, h.apiVersion, h.correlationId, h.clientId], [3, 9, 12, 'me']);
  const body = metadataApi.decodeRequest(9, new Reader(frames[0]!, h.bodyOffset));
  assert.deepEqual(body, {
    topics: null,
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  const rh = decodeResponseHeader(frames[1]!, 18, 3);
  assert.equal(rh.correlationId, 12);
  assert.equal(rh.bodyOffset, 4); // header v0 even though v3 is flexible
  assert.throws(() => new FrameSplitter(100).push(hex('00000065')), ProtocolDecodeError);
  assert.throws(() => new FrameSplitter().push(hex('ffffffff')), ProtocolDecodeError);
});
