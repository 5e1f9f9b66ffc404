// The console's path check: `..`, separators and symbolic links out of the folder are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childPath, existingChildPath, isPlainSegment } from '../../src/console/safe-path.js';

test('plain segments only', () => {
  for (const ok of ['run-1', 'report.html', '..x', 'a..b']) assert.ok(isPlainSegment(ok), ok);
  for (const bad of ['', '.', '..', 'a/b', 'a\\b', 'a\0b', 'x'.repeat(256)]) assert.ok(!isPlainSegment(bad), bad);
});

test('childPath refuses anything that leaves the folder', () => {
  assert.equal(childPath('/store', ['run', 'report.html']), '/store/run/report.html');
  assert.equal(childPath('/store', ['..', 'etc', 'passwd']), null);
  assert.equal(childPath('/store', ['run', '..']), null);
  assert.equal(childPath('/store', ['../etc']), null);
  assert.equal(childPath('/store', ['/etc/passwd']), null);
  assert.equal(childPath('/store', []), null);
});

test('existingChildPath follows no symbolic link out of the folder', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'raftka-safe-path-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const store = join(root, 'store');
  mkdirSync(join(store, 'run'), { recursive: true });
  writeFileSync(join(store, 'run', 'report.html'), 'ok');
  writeFileSync(join(root, 'secret.txt'), 'secret');
  symlinkSync(join(root, 'secret.txt'), join(store, 'run', 'leak.html'));
  symlinkSync(root, join(store, 'up'));
  assert.ok(existingChildPath(store, ['run', 'report.html'])?.endsWith('/store/run/report.html'));
  assert.equal(existingChildPath(store, ['run', 'leak.html']), null);
  assert.equal(existingChildPath(store, ['up', 'secret.txt']), null);
  assert.equal(existingChildPath(store, ['run', 'missing.html']), null);
  assert.equal(existingChildPath(store, ['..', 'secret.txt']), null);
});
