// Runs every compiled test file (dist/test/**/*.test.js, benchmarks excluded) with node's
// built-in test runner. Node 20's --test takes no globs, so the file list is expanded here.
// Extra arguments are passed through (e.g. a path filter: `npm test -- raft`).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const testRoot = join(root, 'dist', 'test');

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'bench') out.push(...collect(path));
    } else if (name.endsWith('.test.js')) {
      out.push(path);
    }
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect(testRoot).filter(
  (f) => filters.length === 0 || filters.some((p) => relative(root, f).includes(p)),
);
if (files.length === 0) {
  console.error('no test files found under dist/test (did the build run?)');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(result.status ?? 1);
