import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProperties } from '../../src/common/properties.js';

test('parses key=value, key:value and key value, skipping comments and blank lines', () => {
  const p = parseProperties(
    ['# comment', '! also a comment', '', 'a=1', 'b : 2', 'c 3', '  d=  spaced  ', 'e='].join('\n'),
  );
  assert.deepEqual(
    [...p],
    [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', 'spaced  '],
      ['e', ''],
    ],
  );
});

test('joins continuation lines and decodes escapes', () => {
  const p = parseProperties('list=a,\\\n    b,\\\n    c\nesc=tab\\there\\u0041\\\\\nkey\\=with\\:sep=v');
  assert.equal(p.get('list'), 'a,b,c');
  assert.equal(p.get('esc'), 'tab\there' + 'A\\');
  assert.equal(p.get('key=with:sep'), 'v');
});

test('the last of a repeated key wins; CRLF line ends work', () => {
  const p = parseProperties('x=1\r\nx=2\r\n');
  assert.equal(p.get('x'), '2');
  assert.equal(p.size, 1);
});
