// Runs every compiled test file (dist/test/**/*.test.js, benchmarks excluded) with node's
// built-in test runner, one `node --test` process per file. Node 20's --test takes no globs, so
// the file list is expanded here. Extra arguments are path filters (e.g.
// `node scripts/run-tests.mjs test/raft`).
//
// Two files run at a time (RAFTKA_TEST_CONCURRENCY, default 2): most integration files spend
// their time waiting on clusters, not computing. A few files keep both cores busy on their own
// (the frame fuzz, the 15,000-partition migration imports, the jepsen-like queue runs and fault campaign); two of
// them side by side starve each other's clusters past their deadlines, so at most one of those
// "heavy" files runs at a time, the other slot filled by ordinary files. Files start longest
// first (measured in a CI run), so the heavy ones run back to back from the start.
//
// Each file's spec output is printed whole when the file ends (files do not interleave), then a
// summary: tests, pass, fail, cancelled, skipped, the slowest files, and each failed file's failures again.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

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

/** Files that load both cores by themselves: never two at once. */
const heavy = [
  'integration/migration-apply.test.js',
  'integration/jepsen-queue.test.js',
  'integration/kafka-faults.test.js',
  'integration/jepsen-faults.test.js',
];
/** The longest of the other files, longest first (seconds in a clean CI run). */
const longestFirst = [
  ...heavy,
  'integration/replication.test.js',
  'integration/controller.test.js',
  'integration/consumer-groups.test.js',
  'integration/cluster-ready.test.js',
  'integration/exactly-once-faults.test.js',
  'integration/jepsen-txn.test.js',
  'integration/snapshots-and-observers.test.js',
  'migration/staging-store.test.js',
  'integration/quickstart.test.js',
  'integration/jepsen-netns.test.js',
  'integration/jepsen-mtls.test.js',
];
const isHeavy = (f) => heavy.some((name) => f.endsWith(name));
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
const concurrency = Math.max(1, Number(process.env.RAFTKA_TEST_CONCURRENCY ?? 2));

const totals = { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
const durations = [];
const failedFiles = [];
const running = new Map(); // child -> file
const started = Date.now();

/** Runs one file; resolves when it ends, after printing its output and adding its counts. */
function runFile(file) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.set(child, file);
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    child.on('close', (code, signal) => {
      running.delete(child);
      const out = Buffer.concat(chunks).toString('utf8');
      const seconds = (Date.now() - t0) / 1000;
      durations.push([seconds, relative(root, file)]);
      const counts = {};
      for (const key of Object.keys(totals)) {
        const m = out.match(new RegExp(`^ℹ ${key} (\\d+)$`, 'm'));
        counts[key] = m ? Number(m[1]) : 0;
        totals[key] += counts[key];
      }
      const ok = code === 0 && counts.fail === 0 && counts.cancelled === 0;
      if (!ok) failedFiles.push([relative(root, file), failureExcerpt(out)]);
      process.stdout.write(
        `\n── ${relative(root, file)} (${seconds.toFixed(1)} s, ${ok ? 'ok' : `FAILED: exit ${code ?? signal}`})\n${out}`,
      );
      resolve();
    });
  });
}

/**
 * What a failed file said about its failures, short enough to survive a log tail: the spec
 * reporter's closing "failing tests" section (or the output's end when there is none) without
 * node's internal stack frames, at most 60 lines.
 */
function failureExcerpt(out) {
  const at = out.lastIndexOf('✖ failing tests:');
  const lines = (at >= 0 ? out.slice(at) : out)
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^\s+at .*\(?node:/.test(l));
  return (at >= 0 ? lines.slice(0, 60) : lines.slice(-60)).join('\n');
}

/** The next file a free slot may start: the first in order, skipping heavy ones while one runs. */
function next(queue) {
  const heavyRunning = [...running.values()].some(isHeavy);
  const i = queue.findIndex((f) => !(heavyRunning && isHeavy(f)));
  return i < 0 ? undefined : queue.splice(i, 1)[0];
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of running.keys()) child.kill(signal);
    process.exit(130);
  });
}

const queue = [...files];
await new Promise((done) => {
  const fill = () => {
    while (running.size < concurrency) {
      const file = next(queue);
      if (file === undefined) break;
      void runFile(file).then(fill);
    }
    if (running.size === 0 && queue.length === 0) done();
  };
  fill();
});

durations.sort((a, b) => b[0] - a[0]);
console.log('\n── summary');
for (const [key, n] of Object.entries(totals)) console.log(`ℹ ${key} ${n}`);
console.log(`ℹ files ${files.length}, wall ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log('ℹ slowest files:');
for (const [s, f] of durations.slice(0, 12)) console.log(`ℹ   ${s.toFixed(1).padStart(7)} s  ${f}`);
if (failedFiles.length > 0) {
  // Each failure again, last, where a log's tail shows it.
  for (const [f, excerpt] of failedFiles) console.log(`\n── why ${f} failed\n${excerpt}`);
  console.log('\n✖ failed files:');
  for (const [f] of failedFiles) console.log(`✖   ${f}`);
}
process.exit(failedFiles.length > 0 ? 1 : 0);
