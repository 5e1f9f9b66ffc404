// The golden-bytes check shared by the golden-*.test.ts files.
import assert from 'node:assert/strict';
import type { AnyApi } from '../../src/protocol/apis.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { hex, project } from './helpers.js';

/** encode(value) must equal the hand-derived bytes; decode(bytes) must give the value back. */
export function golden(
  api: AnyApi,
  side: 'request' | 'response',
  version: number,
  value: object,
  lines: string[],
): Buffer {
  const expected = hex(...lines);
  const label = `${api.name} v${version} ${side}`;
  const encoded =
    side === 'request' ? api.encodeRequest(version, value as never) : api.encodeResponse(version, value as never);
  assert.equal(encoded.toString('hex'), expected.toString('hex'), `${label}: encoding`);
  const r = new Reader(expected);
  const decoded = side === 'request' ? api.decodeRequest(version, r) : api.decodeResponse(version, r);
  assert.equal(r.pos, expected.length, `${label}: decoder consumed ${r.pos} of ${expected.length} bytes`);
  assert.deepStrictEqual(
    decoded,
    project(side === 'request' ? api.request : api.response, version, value),
    `${label}: decoding`,
  );
  return expected;
}
