// The web console in a real browser: Debian's chromium, headless, driven by playwright-core, on a
// three-node cluster. The console lists the brokers and the quorum leader; after a topic is
// created and kcat produced 1,000 records it shows the topic's partitions and ISR, the message
// browser shows record 500 of partition 0, and a stopped group that committed offset 0 shows lag
// 1,000, then 0 once it has consumed everything and committed. The read-only pages are checked
// again with JavaScript off. A screenshot of each page goes to a temp folder (and to
// $RAFTKA_CONSOLE_SCREENSHOTS when set: that is how docs/console/*.png are refreshed).
// Also here, on the same cluster: DescribeLogDirs on the wire (v0, v3, v4) and through raftka's
// own client, the migration and jepsen pages with their folders, and the path check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import { repoPath } from '../../src/common/paths.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { KafkaConnection } from '../../src/client/kafka-connection.js';
import { describeLogDirs } from '../../src/client/log-dirs.js';
import { GroupConsumer } from '../../src/client/group-consumer.js';
import { offsetCommit } from '../../src/client/group-client.js';
import { describeLogDirsApi } from '../../src/protocol/messages/describe-log-dirs.js';

const chromiumPath = '/usr/bin/chromium';
const topic = 'orders';
const group = 'billing';
const records = 1000;

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * One chromium for the whole file (a launch costs seconds of CPU): a persistent context with a
 * fresh profile in the test's temp folder, JavaScript on; and a second context of the same browser
 * with JavaScript off.
 */
async function browser(dir: string): Promise<{ js: BrowserContext; noJs: BrowserContext }> {
  const viewport = { width: 1280, height: 800 };
  const js = await chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport,
  });
  try {
    const b = js.browser();
    assert.ok(b, 'the persistent context has a browser');
    return { js, noJs: await b.newContext({ viewport, javaScriptEnabled: false }) };
  } catch (err) {
    await js.close();
    throw err;
  }
}

/** GET with the path sent exactly as given (fetch would normalise `..`). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    }).on('error', reject);
  });
}

function skipOrFail(t: { skip(msg: string): void }): boolean {
  if (existsSync(chromiumPath)) return false;
  if (process.env['RAFTKA_SKIP_BROWSER'] === '1') {
    t.skip(`${chromiumPath} is missing and RAFTKA_SKIP_BROWSER=1`);
    return true;
  }
  assert.fail(
    `${chromiumPath} is missing: install Debian's chromium (apt-get install chromium), or set RAFTKA_SKIP_BROWSER=1 to skip`,
  );
}

/** Folders the console reads: a rehearse report and a jepsen-like store with one run. */
async function reportFolders(root: string): Promise<{ migrations: string; jepsen: string }> {
  const migrations = join(root, 'migration-reports');
  const jepsen = join(root, 'jepsen-store');
  mkdirSync(migrations);
  const run = join(jepsen, 'register-2026-12-07T10-00-00-000Z-seed7');
  mkdirSync(run, { recursive: true });
  const report = join(migrations, 'rehearse-sample.json');
  const args = ['migrate', 'rehearse', '--zk-data-dir', repoPath('test', 'fixtures', 'zk-sample'), '--output', report];
  // The sample has blocking problems on purpose: rehearse exits 3 and still writes the report.
  await promisify(execFile)(process.execPath, [repoPath('bin', 'raftka.js'), ...args]).catch(() => undefined);
  assert.ok(existsSync(report), 'rehearse wrote its report');
  const results = { valid: true, seed: 7, workload: 'register', command: 'raftka jepsen --seed 7' };
  writeFileSync(join(run, 'results.json'), JSON.stringify(results));
  writeFileSync(join(run, 'report.html'), '<!doctype html><title>run report</title><h1>jepsen-like register run</h1>');
  writeFileSync(join(root, 'secret.txt'), 'not for the console');
  return { migrations, jepsen };
}

/** Starts everything slow at once (the cluster, both browsers, the report folders); cleans up whatever started. */
async function start(
  t: { after(fn: () => Promise<void>): void },
  tmp: string,
): Promise<{ f: ClusterFixture; js: BrowserContext; noJs: BrowserContext; upOut: string }> {
  const migrations = join(tmp, 'migration-reports');
  const jepsen = join(tmp, 'jepsen-store');
  const f = await ClusterFixture.combined({
    nodes: 3,
    extra: {
      'console.lag.sample.ms': '300',
      'console.migration.reports.dir': migrations,
      'console.jepsen.store.dir': jepsen,
      'group.initial.rebalance.delay.ms': '0',
    },
  });
  t.after(() => f.destroy({ graceful: false }));
  const [up, contexts, folders] = await Promise.allSettled([
    f.up(),
    browser(join(tmp, 'chromium-profile')),
    reportFolders(tmp),
  ]);
  if (contexts.status === 'fulfilled')
    t.after(async () => {
      await contexts.value.js.close();
      // The screenshots stay in the temp folder; the profile and the report folders go.
      for (const d of ['chromium-profile', 'migration-reports', 'jepsen-store', 'secret.txt'])
        rmSync(join(tmp, d), { recursive: true, force: true });
    });
  for (const r of [up, contexts, folders]) if (r.status === 'rejected') throw r.reason;
  if (up.status !== 'fulfilled' || contexts.status !== 'fulfilled') throw new Error('unreachable');
  return { f, ...contexts.value, upOut: up.value };
}

test('web console in headless chromium on three nodes', { timeout: 120_000 }, async (t) => {
  if (skipOrFail(t)) return;
  const tmp = mkdtempSync(join(tmpdir(), 'raftka-console-'));
  const shots = join(tmp, 'screenshots');
  mkdirSync(shots);
  t.diagnostic(`screenshots in ${shots}`);
  const { f, js, noJs, upOut } = await start(t, tmp);
  assert.match(upOut, new RegExp(`console: http://127\\.0\\.0\\.1:${f.adminPorts[0]}/ui/`));
  const bs = f.bootstrapServers;
  const ui = (path: string, k = 0): string => `http://127.0.0.1:${f.adminPorts[k]}/ui/${path}`;
  const page = await js.newPage();
  const shoot = (p: Page, name: string) => p.screenshot({ path: join(shots, `${name}.png`) });

  await t.test('cluster and brokers', async () => {
    const res = await page.goto(`http://127.0.0.1:${f.adminPorts[1]}/`);
    assert.equal(res?.status(), 200);
    assert.ok(page.url().endsWith('/ui/'), page.url());
    const leader = (await f.nodeStatus(1))['leaderId'];
    await page.waitForSelector('#quorum-leader');
    assert.equal((await page.textContent('#quorum-leader'))?.trim(), String(leader));
    const nodes = await page.locator('#nodes tbody tr').allInnerTexts();
    assert.equal(nodes.length, 3);
    assert.ok(
      nodes.some((r) => /\bLeader\b/.test(r) && r.startsWith(String(leader))),
      nodes.join('\n'),
    );
    await shoot(page, 'cluster');
    await page.goto(ui('brokers'));
    const brokers = await page.locator('#brokers tbody tr').allInnerTexts();
    assert.deepEqual(
      brokers.map((r) => r.split('\t')[0]),
      ['1', '2', '3'],
    );
    for (const r of brokers) assert.match(r, /unfenced/);
  });

  const admin = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[0]! }]);
  t.after(() => admin.close());
  await admin.createTopic(topic, 3, 3);

  const input = `${Array.from({ length: records }, (_, i) => `{"order":${i},"value":"record-${i}"}`).join('\n')}\n`;
  const produced = await kcat(['-b', bs, '-P', '-t', topic, '-p', '0', '-X', 'linger.ms=5'], input, 60_000);
  assert.equal(produced.code, 0, produced.stderr);

  await t.test('brokers, topics, a topic, the message browser', async () => {
    await page.goto(ui('brokers'));
    for (const r of await page.locator('#brokers tbody tr').allInnerTexts()) {
      const cells = r.split('\t');
      assert.equal(cells[6], '3', `partitions of broker ${r}`);
      assert.match(cells[9] ?? '', /^\d+(\.\d+)? KiB$/, `disk used by broker ${r}`);
    }
    await shoot(page, 'brokers');
    await page.goto(ui('topics'));
    assert.match(await page.locator('#topics').innerText(), new RegExp(`${topic}\\s+3\\s+3`));
    await shoot(page, 'topics');
    await page.click(`a:text("${topic}")`);
    const rows = await page.locator('#partitions tbody tr').allInnerTexts();
    assert.equal(rows.length, 3);
    for (const r of rows) {
      const cells = r.split('\t');
      assert.equal(cells[3]?.split(', ').sort().join(','), '1,2,3', `ISR of ${r}`);
    }
    assert.equal(rows[0]!.split('\t')[6], String(records), 'log end of partition 0');
    assert.match(await page.locator('#configs').innerText(), /retention\.ms\s+604800000\s+DEFAULT_CONFIG/);
    await shoot(page, 'topic');
    await page.goto(ui(`messages?topic=${topic}&partition=0&offset=500&limit=5&format=json`));
    const first = await page.locator('#records tbody tr').first().innerText();
    assert.ok(first.startsWith('500\t'), first);
    assert.match(first, /"value": "record-500"/);
    await shoot(page, 'messages');
    // By timestamp: the first record at or after the time; none after the last one.
    await page.goto(ui(`messages?topic=${topic}&partition=0&timestamp=0&limit=1`));
    assert.match(await page.locator('#records tbody tr').first().innerText(), /^0\t.*record-0"/s);
    await page.goto(ui(`messages?topic=${topic}&partition=0&timestamp=${Date.now() + 3_600_000}`));
    assert.match(await page.locator('main').innerText(), /none \(no record at or after that time\)/);
    await page.goto(ui(`messages?topic=${topic}&partition=0&offset=500&limit=1&format=hex`));
    assert.match(await page.locator('#records').innerText(), /00000000 {2}7b 22 6f 72/);
  });

  await t.test('a stopped group: lag 1,000, then 0 after it caught up', async () => {
    // The group commits offset 0 on every partition, then stops (Kafka's reset-offsets to earliest).
    const offsets = [0, 1, 2].map((partition) => ({ topic, partition, offset: 0 }));
    await offsetCommit(admin, { groupId: group, generationId: -1, memberId: '', groupInstanceId: null, offsets });

    await page.goto(ui(`groups/${group}`));
    assert.equal((await page.textContent('#total-lag'))?.trim(), String(records));
    assert.match(
      await page.locator('#lag tbody tr').first().innerText(),
      new RegExp(`^${topic}\\s+0\\s+0\\s+${records}\\s+${records}`),
    );
    await page.goto(ui('groups'));
    assert.match(await page.locator('#groups').innerText(), new RegExp(`${group}\\s+Empty.*\\s${records}$`, 'm'));
    await shoot(page, 'groups');
    const consumer = new GroupConsumer([{ host: '127.0.0.1', port: f.brokerPorts[0]! }], {
      groupId: group,
      topics: [topic],
      autoCommit: false,
    });
    try {
      await consumer.subscribe();
      let seen = 0;
      await waitFor(
        'the group to read every record',
        async () => {
          seen += (await consumer.poll(200)).length;
          return seen >= records ? true : undefined;
        },
        30_000,
        0,
      );
      await consumer.commit();
    } finally {
      await consumer.close();
    }
    await waitFor(
      'lag 0 on the group page',
      async () => {
        await page.goto(ui(`groups/${group}`));
        return (await page.textContent('#total-lag'))?.trim() === '0' ? true : undefined;
      },
      10_000,
      200,
    );
    // The sampler kept the way down: uPlot drew it, the table is hidden.
    await waitFor(
      'two lag samples',
      async () => {
        await page.reload();
        return (await page.locator('#lag-history tbody tr').count()) >= 2 ? true : undefined;
      },
      10_000,
      300,
    );
    assert.ok((await page.locator('#lag-chart canvas').count()) > 0, 'uPlot drew the chart');
    assert.equal(await page.locator('#lag-history-table').isVisible(), false);
    await shoot(page, 'group');
  });

  await t.test('migrations and jepsen pages, the path check', async () => {
    await page.goto(ui('migrations'));
    assert.match(await page.locator('#migration-reports').innerText(), /rehearse-sample\.json/);
    assert.match((await page.textContent('#zk-migration-state')) ?? '', /NONE/);
    await shoot(page, 'migrations');
    await page.goto(ui('jepsen'));
    assert.match(await page.locator('#jepsen-runs').innerText(), /register\s+valid\s+7/);
    await shoot(page, 'jepsen');
    await page.click('a:text("report")');
    assert.equal(await page.textContent('h1'), 'jepsen-like register run');
    for (const path of [
      '/ui/jepsen/../secret.txt',
      '/ui/jepsen/..%2Fsecret.txt/report.html',
      '/ui/jepsen/%2E%2E/secret.txt',
      '/ui/jepsen/x/..%2F..%2Fsecret.txt',
      '/ui/assets/..%2F..%2Fpackage.json',
    ]) {
      const r = await rawGet(f.adminPorts[0]!, path);
      assert.notEqual(r.status, 200, path);
      assert.doesNotMatch(r.body, /not for the console|"name": "raftka"/, path);
    }
  });

  await t.test('read-only pages with JavaScript off', async () => {
    {
      const p = await noJs.newPage();
      await p.goto(ui('', 2));
      assert.ok((await p.textContent('#quorum-leader'))?.trim());
      await p.goto(ui('brokers', 2));
      assert.equal(await p.locator('#brokers tbody tr').count(), 3);
      await p.goto(ui(`topics/${topic}`, 2));
      assert.equal(await p.locator('#partitions tbody tr').count(), 3);
      await p.goto(ui('messages', 2));
      await p.selectOption('select[name=topic]', topic);
      await p.fill('input[name=offset]', '500');
      await p.click('button[type=submit]');
      assert.match(await p.locator('#records tbody tr').first().innerText(), /^500\t.*record-500/s);
      await p.goto(ui(`groups/${group}`, 2));
      assert.equal((await p.textContent('#total-lag'))?.trim(), '0');
      assert.ok(await p.locator('#lag-history').isVisible(), 'the samples as a table');
      await shoot(p, 'group-nojs');
    }
  });

  await t.test("DescribeLogDirs on the wire and through raftka's client", async () => {
    const c = await KafkaConnection.open({ host: '127.0.0.1', port: f.brokerPorts[0]! }, 'logdirs-test', 10_000);
    try {
      for (const version of [0, 1, 2, 3, 4]) {
        const res = await c.send(describeLogDirsApi, { topics: [{ topic, partitions: [0, 1] }] }, 10_000, version);
        assert.equal(res.results.length, 1, `v${version}`);
        const dir = res.results[0]!;
        assert.equal(dir.errorCode, 0);
        const parts = dir.topics.find((x) => x.name === topic)?.partitions ?? [];
        assert.deepEqual(
          parts.map((p) => p.partitionIndex),
          [0, 1],
          `v${version}`,
        );
        assert.ok(parts[0]!.partitionSize > records * 20, `v${version} size ${parts[0]!.partitionSize}`);
        assert.equal(parts[1]!.partitionSize, 0);
        if (version >= 4) assert.ok(dir.totalBytes > 0 && dir.usableBytes > 0 && dir.usableBytes <= dir.totalBytes);
        else assert.equal(dir.totalBytes, -1);
      }
    } finally {
      c.close();
    }
    const client = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[1]! }]);
    try {
      for (const broker of [1, 2, 3]) {
        const dirs = await describeLogDirs(client, broker);
        const mine = dirs.flatMap((d) => d.partitions).filter((p) => p.topic === topic);
        assert.deepEqual(mine.map((p) => p.partition).sort(), [0, 1, 2], `broker ${broker}`);
        assert.ok(mine.find((p) => p.partition === 0)!.sizeBytes > records * 20);
        assert.ok(dirs.every((d) => d.totalBytes > 0));
      }
    } finally {
      client.close();
    }
  });

  const target = process.env['RAFTKA_CONSOLE_SCREENSHOTS'];
  if (target)
    for (const name of readdirSync(shots))
      if (!name.includes('-nojs')) copyFileSync(join(shots, name), join(target, name));
});
