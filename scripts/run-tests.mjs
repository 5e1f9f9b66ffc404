// Runs every compiled test file (dist/test/**/*.test.js, benchmarks excluded) with node's
// built-in test runner. Node 20's --test takes no globs, so the file list is expanded here.
// Extra arguments are path filters (e.g. `node scripts/run-tests.mjs test/raft`).
//
// Two files run at a time (RAFTKA_TEST_CONCURRENCY, default 2; Node's own default is one on a
// 2-core machine): most integration files spend their time waiting on clusters, not computing.
// The runner starts files in list order, so the longest (measured in a CI run) go first and the
// short ones fill in beside them.
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

/** The longest files, longest first (seconds in a clean CI run beside each). */
const longestFirst = [
  'integration/kafka-faults.test.js',
  'integration/migration-apply.test.js',
  'integration/jepsen-queue.test.js',
  'integration/exactly-once-faults.test.js',
  'integration/cluster-ready.test.js',
  'integration/controller.test.js',
  'integration/consumer-groups.test.js',
];
const rank = (f) => {
  const i = longestFirst.findIndex((name) => f.endsWith(name));
  if (i >= 0) return i;
  return f.includes('/integration/') ? longestFirst.length : longestFirst.length + 1;
};

const filters = process.argv.slice(2);
const files = collect(testRoot)
  .filter((f) => filters.length === 0 || filters.some((p) => relative(root, f).includes(p)))
  .sort((a, b) => rank(a) - rank(b));
if (files.length === 0) {
  console.error('no test files found under dist/test (did the build run?)');
  process.exit(1);
}
const concurrency = Number(process.env.RAFTKA_TEST_CONCURRENCY ?? 2);
const result = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  {
    stdio: 'inherit',
    cwd: root,
  },
);
process.exit(result.status ?? 1);
