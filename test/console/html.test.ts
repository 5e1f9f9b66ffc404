// The console's HTML escaping: every interpolated value is escaped unless it is SafeHtml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html, jsonForScript, SafeHtml, uiHref } from '../../src/console/html.js';

test('escapeHtml escapes the five HTML-special characters', () => {
  assert.equal(
    escapeHtml(`<a href="x" title='y'>&</a>`),
    '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
  );
  assert.equal(escapeHtml('plain text 123'), 'plain text 123');
});

test('html escapes values, keeps SafeHtml, joins arrays, drops null/undefined/false', () => {
  const evil = '<script>alert(1)</script>';
  const out = html`<p title="${evil}">${evil}${html`<b>${'a&b'}</b>`}${[1, '<i>', html`<br>`]}${null}${undefined}${false}${0}</p>`;
  assert.ok(out instanceof SafeHtml);
  assert.equal(
    out.text,
    '<p title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;<b>a&amp;b</b>1&lt;i&gt;<br>0</p>',
  );
});

test('uiHref encodes path-less query values and drops empty ones', () => {
  assert.equal(
    uiHref('messages', { topic: 'a b&c', partition: 0, offset: '', x: null }),
    '/ui/messages?topic=a+b%26c&partition=0',
  );
  assert.equal(uiHref(''), '/ui/');
});

test('jsonForScript cannot close its script element', () => {
  const s = jsonForScript({ label: '</script><script>alert(1)</script>' }).text;
  assert.ok(!s.includes('</script>'));
  assert.deepEqual(JSON.parse(s), { label: '</script><script>alert(1)</script>' });
});
