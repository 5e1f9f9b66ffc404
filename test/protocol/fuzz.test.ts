// Fuzz-ish: 100k random and mutated frames through decodeRequestHeader and every request decoder
// (and every response decoder): the only error allowed out is ProtocolDecodeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apis } from '../../src/protocol/apis.js';
import { decodeRequestHeader } from '../../src/protocol/header.js';
import { ProtocolDecodeError } from '../../src/protocol/errors.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { Writer } from '../../src/protocol/primitives/writer.js';
import { writeRequestHeader } from '../../src/protocol/header.js';
import { rng, sampleMessage } from './helpers.js';

const iterations = 100_000;

function expectOnlyDecodeErrors(fn: () => void, context: () => string): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ProtocolDecodeError))
      assert.fail(`${context()}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

test(`${iterations} random and mutated frames: decoders throw nothing but ProtocolDecodeError`, () => {
  const r = rng(20240601);
  const list = [...apis.values()];
  // A corpus of valid frames to mutate.
  const corpus: Buffer[] = [];
  for (const api of list) {
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      const w = new Writer();
      writeRequestHeader(w, { apiKey: api.key, apiVersion: v, correlationId: 1, clientId: 'fuzz' });
      api.writeRequest(v, sampleMessage(api.request, v, r) as never, w);
      corpus.push(w.toBuffer());
    }
  }
  let decodedBodies = 0;
  for (let i = 0; i < iterations; i++) {
    let frame: Buffer;
    const kind = r();
    if (kind < 0.15) {
      frame = Buffer.alloc(Math.floor(r() * 64));
      for (let j = 0; j < frame.length; j++) frame[j] = Math.floor(r() * 256);
    } else {
      frame = Buffer.from(corpus[Math.floor(r() * corpus.length)]!);
      const mutations = 1 + Math.floor(r() * 4);
      for (let m = 0; m < mutations; m++) {
        const op = r();
        if (op < 0.6 && frame.length > 0) frame[Math.floor(r() * frame.length)] = Math.floor(r() * 256);
        else if (op < 0.8) frame = frame.subarray(0, Math.floor(r() * frame.length));
        else frame = Buffer.concat([frame, Buffer.from([Math.floor(r() * 256), 0xff, 0x7f])]);
      }
    }
    expectOnlyDecodeErrors(
      () => {
        const h = decodeRequestHeader(frame);
        const api = apis.get(h.apiKey);
        if (api === undefined) return;
        api.decodeRequest(h.apiVersion, new Reader(frame, h.bodyOffset));
        decodedBodies++;
      },
      () => `frame ${frame.toString('hex')}`,
    );
    // The same bytes as a body of a random API/version, both directions.
    const api = list[Math.floor(r() * list.length)]!;
    const v = api.minVersion + Math.floor(r() * (api.maxVersion - api.minVersion + 1));
    expectOnlyDecodeErrors(
      () => void api.decodeRequest(v, new Reader(frame)),
      () => `${api.name} v${v} request ${frame.toString('hex')}`,
    );
    expectOnlyDecodeErrors(
      () => void api.decodeResponse(v, new Reader(frame)),
      () => `${api.name} v${v} response ${frame.toString('hex')}`,
    );
  }
  assert.ok(decodedBodies > 1000, `only ${decodedBodies} mutated frames decoded fully; the fuzzer is too destructive`);
});
