// Record values as text, JSON and hex; byte counts, times and typed timestamps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBytes,
  formatTime,
  formatValue,
  parseTimestamp,
  parseValueFormat,
  valueShownBytesMax,
} from '../../src/console/format.js';

test('text shows UTF-8; null stays null', () => {
  assert.equal(formatValue(Buffer.from('héllo'), 'text'), 'héllo');
  assert.equal(formatValue(null, 'json'), null);
  assert.equal(formatValue(Buffer.alloc(0), 'text'), '');
});

test('json pretty-prints JSON and says when a value is not JSON', () => {
  assert.equal(
    formatValue(Buffer.from('{"a":[1,2],"b":"x"}'), 'json'),
    '{\n  "a": [\n    1,\n    2\n  ],\n  "b": "x"\n}',
  );
  assert.equal(formatValue(Buffer.from('not json'), 'json'), '(not JSON) not json');
});

test('hex is a dump of 16 bytes a row with offsets and printable ASCII', () => {
  const v = Buffer.from('0123456789abcdefXY\u0000', 'latin1');
  assert.equal(
    formatValue(v, 'hex'),
    '00000000  30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66  |0123456789abcdef|\n' +
      '00000010  58 59 00                                         |XY.|',
  );
});

test('long values are cut and the rest counted', () => {
  const v = Buffer.alloc(valueShownBytesMax + 10, 0x61);
  const text = formatValue(v, 'text')!;
  assert.ok(text.endsWith('\n… 10 more bytes'));
  assert.equal(text.length, valueShownBytesMax + '\n… 10 more bytes'.length);
  assert.ok(formatValue(v, 'json')!.startsWith('aaaa'), 'a cut value is not parsed as JSON');
});

test('formats, bytes, times and timestamps', () => {
  assert.equal(parseValueFormat('hex'), 'hex');
  assert.equal(parseValueFormat('<x>'), 'text');
  assert.equal(parseValueFormat(null), 'text');
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(252 * 1024 ** 3), '252.0 GiB');
  assert.equal(formatBytes(-1), '-');
  assert.equal(formatTime(0), '1970-01-01 00:00:00.000Z');
  assert.equal(formatTime(-1), '-');
  assert.equal(parseTimestamp('1700000000000'), 1_700_000_000_000);
  assert.equal(parseTimestamp('2026-12-07T10:00:00Z'), Date.UTC(2026, 11, 7, 10));
  assert.equal(parseTimestamp('yesterday-ish'), null);
});
