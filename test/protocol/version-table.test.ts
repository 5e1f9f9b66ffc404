// The version table (docs/protocol-versions.md) against the registry (src/protocol/apis.ts) and
// Kafka's ranges (src/protocol/kafka-api-ranges.ts): fails when an API's served range drifts from
// the checked-in table, from Kafka's target without a listed exception, or when an exception is stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { apis, supportedApiVersions } from '../../src/protocol/apis.js';
import { kafkaApiRanges, targetRange } from '../../src/protocol/kafka-api-ranges.js';
import { rangeExceptions, renderVersionTable, sameSpan, versionRows } from '../../src/protocol/version-table.js';

const docPath = new URL('../../../docs/protocol-versions.md', import.meta.url);

test('docs/protocol-versions.md is the table generated from the registry (npm run gen:protocol-doc)', () => {
  const doc = readFileSync(docPath, 'utf8').split('\n');
  const generated = renderVersionTable().split('\n');
  const i = generated.findIndex((line, n) => line !== doc[n]);
  // The first line that differs, not the whole page (regenerate with `npm run gen:protocol-doc`).
  assert.deepEqual(i < 0 ? null : { line: i + 1, doc: doc[i], generated: generated[i] }, null);
  assert.equal(doc.length, generated.length);
});

test("every served API serves Kafka's target range, or the range its listed exception gives", () => {
  const drift: string[] = [];
  for (const api of apis.values()) {
    const kafka = kafkaApiRanges.find((r) => r.key === api.key);
    assert.ok(kafka, `${api.name} (key ${api.key}) is not an API Kafka defines`);
    assert.equal(api.name, kafka.name, `key ${api.key} is named ${kafka.name} by Kafka`);
    const served: [number, number] = [api.minVersion, api.maxVersion];
    const expected = rangeExceptions.get(api.key)?.served ?? targetRange(kafka);
    if (!sameSpan(served, expected))
      drift.push(`${api.name}: serves ${served.join('-')}, the table expects ${expected?.join('-')}`);
  }
  assert.deepEqual(drift, []);
});

test('every exception is a served API that still differs from its target', () => {
  const rows = new Map(versionRows().map((r) => [r.key, r]));
  for (const key of rangeExceptions.keys()) {
    const row = rows.get(key);
    assert.ok(row?.raftka, `exception for key ${key}: raftka does not serve it`);
    assert.ok(
      !sameSpan(rangeExceptions.get(key)?.served ?? null, row.target),
      `${row.name} now covers ${row.target?.join('-')}: delete its entry in rangeExceptions (version-table.ts)`,
    );
  }
});

test("flexible versions are Kafka's, and the table lists every key of Kafka 4.x once", () => {
  for (const api of apis.values()) {
    const kafka = kafkaApiRanges.find((r) => r.key === api.key);
    assert.equal(api.flexibleFrom, kafka?.flexibleFrom ?? Infinity, `${api.name} flexible versions`);
  }
  const keys = kafkaApiRanges.map((r) => r.key);
  assert.deepEqual(
    keys,
    keys.map((_, i) => i),
    'keys 0..N, in order, none missing',
  );
});

test('ApiVersions advertises exactly the registry ranges', () => {
  for (const a of supportedApiVersions()) {
    const api = apis.get(a.apiKey);
    assert.deepEqual([a.minVersion, a.maxVersion], [api?.minVersion, api?.maxVersion]);
  }
});

test('raftka serves each API only on the listener types Kafka serves it on', () => {
  for (const r of versionRows())
    for (const l of r.listeners) assert.ok(r.kafka.listeners.includes(l), `${r.name}: Kafka does not serve it on ${l}`);
});
