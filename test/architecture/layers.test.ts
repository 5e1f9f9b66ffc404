// The house's rules, checked on every `npm test`: imports point down DESIGN.md's layer table,
// no file imports itself back through others, and files stay small enough to read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repoRoot } from '../../src/common/paths.js';
import { checkEdges, cyclesOf, forbiddenReason, importsOf, readSourceTree } from './layer-rules.js';

/** Files may not grow past this many lines (STYLE.md: a file is named for the one thing it holds). */
const fileLinesMax = 800;
/** The pure Raft core may stay one file per role's worth of rules; it is the documented exception. */
const fileLinesExceptions = new Set(['src/raft/core/raft-core.ts']);

const tree = readSourceTree(repoRoot);

test('every import points down the layer table of DESIGN.md', () => {
  const violations = checkEdges(tree.edges);
  const lines = violations.map((v) => `${v.from}:${v.line} → ${v.to}: ${v.reason}`);
  assert.deepEqual(lines, []);
});

test('no circle of imports among source files', () => {
  assert.deepEqual(cyclesOf(tree.edges), []);
});

test(`no source file over ${fileLinesMax} lines`, () => {
  const long = tree.files
    .filter((f) => !fileLinesExceptions.has(f.path))
    .map((f) => ({ path: f.path, lines: f.text.split('\n').length }))
    .filter((f) => f.lines > fileLinesMax)
    .map((f) => `${f.path}: ${f.lines} lines`);
  assert.deepEqual(long, []);
});

test('the checker sees the imports it must judge', () => {
  assert.ok(tree.files.length > 100, 'the source tree was found');
  const text = [
    "import { a } from '../controller/x.js';",
    "import type { B } from '../server/y.js';",
    "export { c } from './z.js';",
    "const m = await import('../cli/main.js');",
    "import 'node:fs';",
  ].join('\n');
  const edges = importsOf('src/broker/h.ts', text);
  assert.deepEqual(
    edges.map((e) => [e.to, e.line]),
    [
      ['src/controller/x.ts', 1],
      ['src/server/y.ts', 2],
      ['src/broker/z.ts', 3],
      ['src/cli/main.ts', 4],
    ],
  );
  assert.deepEqual(
    checkEdges(edges).map((v) => v.to),
    ['src/controller/x.ts', 'src/server/y.ts', 'src/cli/main.ts'],
  );
});

test('the rules: down is allowed, up and sideways are not', () => {
  assert.equal(forbiddenReason('src/broker/a.ts', 'src/storage/log.ts'), null);
  assert.equal(forbiddenReason('src/server/node.ts', 'src/broker/kafka-apis.ts'), null);
  assert.equal(forbiddenReason('src/raft/core/raft-core.ts', 'src/common/log-types.ts'), null);
  assert.match(forbiddenReason('src/broker/a.ts', 'src/controller/b.ts') ?? '', /sibling/);
  assert.match(forbiddenReason('src/metadata/a.ts', 'src/raft/core/types.ts') ?? '', /above/);
  assert.match(forbiddenReason('src/rpc/a.ts', 'src/raft/driver/b.ts') ?? '', /above/);
  assert.match(forbiddenReason('jepsen-like/src/a.ts', 'src/cli/endpoint.ts') ?? '', /above/);
  assert.match(forbiddenReason('migration/src/a.ts', 'jepsen-like/src/b.ts') ?? '', /sibling/);
});

test('cycles are found, chains are not', () => {
  const edge = (from: string, to: string) => ({ from, to, line: 1 });
  assert.deepEqual(cyclesOf([edge('a', 'b'), edge('b', 'c')]), []);
  assert.deepEqual(cyclesOf([edge('a', 'b'), edge('b', 'c'), edge('c', 'a'), edge('c', 'd')]), [['a', 'b', 'c']]);
  assert.deepEqual(cyclesOf([edge('a', 'a')]), [['a']]);
});
