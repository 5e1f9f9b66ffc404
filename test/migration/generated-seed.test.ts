// Rehearse against fresh runs of ../shared/zk-fixtures/generate.py (a real ZooKeeper 3.8 driven
// with Kafka-shaped writes, about 7 s per seed) for seeds other than the sample's 7: the report
// must agree with each run's expected.json. Needs the Debian packages `zookeeper` (pulls in
// libzookeeper-java and a JRE) and `python3-kazoo`; skipped, saying so, when they are absent.
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../src/common/paths.js';
import { rehearse } from '../../migration/src/rehearse.js';
import { assertAgrees, assertSourceAgrees, loadExpected } from './expected.js';

const generator = repoPath('..', 'shared', 'zk-fixtures', 'generate.py');
const seeds = [11, 23];
const generateTimeoutMs = 120_000;

const installed = (pkg: string): boolean =>
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not a template
  spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout.includes('install ok installed');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

for (const seed of seeds) {
  test(`rehearse agrees with generate.py --profile sample --seed ${seed}`, {
    timeout: generateTimeoutMs + 30_000,
  }, async (t) => {
    if (!installed('zookeeper')) return t.skip('zookeeper not installed');
    if (!installed('python3-kazoo')) return t.skip('python3-kazoo not installed');
    if (!existsSync(generator)) return t.skip(`generator not found at ${generator}`);
    const out = mkdtempSync(join(tmpdir(), `raftka-zkgen-${seed}-`));
    t.after(() => rmSync(out, { recursive: true, force: true }));
    const port = await freePort();
    const run = spawnSync(
      'python3',
      [generator, '--profile', 'sample', '--seed', String(seed), '--port', String(port), '--out', out],
      { encoding: 'utf8', timeout: generateTimeoutMs },
    );
    if (run.status !== 0) throw new Error(`generate.py failed (${run.status ?? run.signal}): ${run.stderr}`);
    const expected = loadExpected(out);
    const fromDir = await rehearse({ zkDataDir: out });
    assertAgrees(fromDir.report, fromDir.plan, expected);
    assertSourceAgrees(fromDir.report, expected);
    const fromDump = await rehearse({ zkDump: join(out, 'tree.json') });
    assertAgrees(fromDump.report, fromDump.plan, expected);
  });
}
