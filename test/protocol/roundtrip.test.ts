// Every API at every supported version: random request and response values survive
// encode → decode (the decoder consumes exactly what the encoder wrote), and fields a version does
// not carry are skipped on encode and come back as Kafka's default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apis } from '../../src/protocol/apis.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { project, rng, sampleMessage } from './helpers.js';

const samplesPerVersion = 25;

for (const api of [...apis.values()].sort((a, b) => a.key - b.key)) {
  test(`${api.name} (key ${api.key}) round-trips at versions ${api.minVersion}-${api.maxVersion}`, () => {
    const r = rng(api.key * 7919 + 1);
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      for (let i = 0; i < samplesPerVersion; i++) {
        for (const side of ['request', 'response'] as const) {
          const schema = api[side];
          const all = i % 2 === 1; // odd samples fill fields the version does not carry
          const value = sampleMessage(schema, v, r, all);
          const bytes =
            side === 'request' ? api.encodeRequest(v, value as never) : api.encodeResponse(v, value as never);
          const reader = new Reader(bytes);
          const decoded = side === 'request' ? api.decodeRequest(v, reader) : api.decodeResponse(v, reader);
          assert.equal(
            reader.pos,
            bytes.length,
            `${api.name} v${v} ${side}: decoder left ${bytes.length - reader.pos} bytes`,
          );
          assert.deepStrictEqual(decoded, project(schema, v, value), `${api.name} v${v} ${side} sample ${i}`);
        }
      }
    }
  });
}

test('versions outside the served range are refused', () => {
  for (const api of apis.values()) {
    assert.throws(() => api.decodeRequest(api.maxVersion + 1, new Reader(Buffer.alloc(64))), /not supported/);
    assert.throws(() => api.encodeResponse(api.maxVersion + 1, {} as never), /not supported/);
  }
});

test('the interpreter round-trips every schema at versions 0-17 (beyond what we serve, tagged fields included)', async () => {
  const { decodeMessage, encodeMessage } = await import('../../src/protocol/schema/codec.js');
  const r = rng(42);
  for (const api of apis.values()) {
    for (let v = 0; v <= 17; v++) {
      for (let i = 0; i < 6; i++) {
        for (const schema of [api.request, api.response]) {
          const value = sampleMessage(schema, v, r, i % 2 === 1);
          const bytes = encodeMessage(schema, v, value as never).toBuffer();
          const reader = new Reader(bytes);
          assert.deepStrictEqual(decodeMessage(schema, v, reader), project(schema, v, value), `${schema.name} v${v}`);
          assert.equal(reader.pos, bytes.length);
        }
      }
    }
  }
});
