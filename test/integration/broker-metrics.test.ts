// /metrics of a broker under kcat produce and fetch load: the per-topic byte and message counters
// match what kcat sent and read (within 5%: batch headers and record framing add a little), and
// every API the broker advertises has request-time histograms. The same scrape checks the rest:
// the node-wide, Raft, flush, group and event-loop metrics move as they should, every metric the
// Grafana dashboard (docs/grafana/) queries and every metric docs/metrics.md names is exported,
// and every raftka metric exported is in docs/metrics.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import { KafkaConnection } from '../../src/client/kafka-connection.js';
import { apis } from '../../src/protocol/apis.js';

const topic = 'metered';
const messages = 20_000;
const valueBytes = 1000;

/** The samples of `name` whose labels include `label` (`key="value"`). */
function samples(text: string, name: string, label: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m && m[1] === name && m[2]!.split(',').includes(label)) out.push(Number(m[3]));
  }
  return out;
}

/** Their sum; 0 when there is none. */
function sample(text: string, name: string, label: string): number {
  return samples(text, name, label).reduce((a, b) => a + b, 0);
}

/** The metric families a scrape exports (its `# TYPE` lines). */
function families(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
}

/** Metric names in `text` with one of the exported prefixes, histogram series suffixes stripped. */
function metricNames(text: string): Set<string> {
  return new Set(
    [...text.matchAll(/\b(?:raftka|process|nodejs)_[a-z0-9_]+/g)].map((m) =>
      m[0].replace(/_(?:bucket|sum|count)$/, ''),
    ),
  );
}

const repoFile = (path: string): string =>
  readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), 'utf8');

/** Every PromQL expression of the dashboard (panel targets and variable queries). */
function dashboardQueries(): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if ((k === 'expr' || k === 'definition') && typeof x === 'string') out.push(x);
        else walk(x);
      }
  };
  walk(JSON.parse(repoFile('docs/grafana/raftka-dashboard.json')));
  return out;
}

/** Series only a broker with metrics.partition.enable=true exports (this cluster leaves it off). */
const perPartitionFamilies = ['raftka_log_segments', 'raftka_log_size_bytes'];
/** Documented families registered only when a feature is configured (authorizer.class.name). */
const configuredOnlyFamilies = ['raftka_authorization_denied_total'];

test('broker metrics: bytes and messages in and out per topic, request times per API', {
  timeout: 240_000,
}, async (t) => {
  // Each partition log is flushed every 2,000 records, so the flush histogram has observations.
  const f = await ClusterFixture.combined({ nodes: 1, extra: { 'log.flush.interval.messages': '2000' } });
  t.after(() => f.destroy());
  await f.up();
  const bs = f.bootstrapServers;
  await f.raftka('topics', '--bootstrap-server', bs, '--create', '--topic', topic, '--partitions', '3');
  const value = 'v'.repeat(valueBytes);
  const input = `${Array.from({ length: messages }, () => value).join('\n')}\n`;
  const produced = await kcat(['-b', bs, '-P', '-t', topic, '-z', 'none', '-X', 'linger.ms=5'], input, 120_000);
  assert.equal(produced.code, 0, produced.stderr);
  // Scraped while the consumer reads, then after.
  const during = kcat(['-b', bs, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o\n'], undefined, 120_000);
  const early = await f.metrics(0);
  assert.match(early, /raftka_broker_topic_bytes_in_total/);
  const consumed = await during;
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal(consumed.stdout.trim().split('\n').length, messages);

  const sent = messages * valueBytes;
  const text = await waitFor(
    'the fetch answers counted',
    async () => {
      const m = await f.metrics(0);
      return sample(m, 'raftka_broker_topic_bytes_out_total', `topic="${topic}"`) >= sent ? m : undefined;
    },
    10_000,
    100,
  );
  const bytesIn = sample(text, 'raftka_broker_topic_bytes_in_total', `topic="${topic}"`);
  const bytesOut = sample(text, 'raftka_broker_topic_bytes_out_total', `topic="${topic}"`);
  assert.equal(sample(text, 'raftka_broker_topic_messages_in_total', `topic="${topic}"`), messages);
  assert.ok(Math.abs(bytesIn - sent) / sent < 0.05, `bytes in ${bytesIn} vs ${sent} sent`);
  assert.ok(Math.abs(bytesOut - sent) / sent < 0.05, `bytes out ${bytesOut} vs ${sent} read`);
  assert.equal(sample(text, 'raftka_broker_topic_failed_produce_requests_total', `topic="${topic}"`), 0);
  // Replica and image gauges of a one-node cluster with the three partitions it leads.
  const gauge = (name: string): number => sample(text, name, 'node_id="1"');
  assert.equal(gauge('raftka_partitions'), 3);
  assert.equal(gauge('raftka_leader_partitions'), 3);
  assert.equal(gauge('raftka_under_min_isr_partitions'), 0);
  assert.equal(gauge('raftka_global_topics'), 1);
  assert.equal(gauge('raftka_global_partitions'), 3);
  assert.equal(gauge('raftka_active_brokers'), 1);
  assert.equal(gauge('raftka_fenced_brokers'), 0);
  assert.ok(gauge('raftka_metadata_applied_offset') > 0);
  assert.ok(gauge('raftka_raft_elections_total') >= 1, 'the lone voter stood for election');
  assert.ok(gauge('raftka_raft_leader_changes_total') >= 1);
  assert.ok(sample(text, 'raftka_kafka_request_total_time_seconds_count', 'api="Produce"') > 0);
  assert.ok(sample(text, 'raftka_kafka_request_local_time_seconds_count', 'api="Fetch"') > 0);

  // Every API the broker advertises has its histograms, used or not.
  const c = await KafkaConnection.open({ host: '127.0.0.1', port: f.brokerPorts[0]! }, 'metrics-test', 10_000);
  try {
    const served = [...apis.values()].filter((a) => {
      try {
        c.versionFor(a);
        return true;
      } catch {
        return false;
      }
    });
    assert.ok(served.length > 30, `${served.length} APIs advertised`);
    for (const a of served)
      for (const h of ['total_time', 'local_time'])
        assert.equal(samples(text, `raftka_kafka_request_${h}_seconds_count`, `api="${a.name}"`).length, 1, a.name);
  } finally {
    c.close();
  }

  // The rest of the node's metrics, on the same scrape.
  assert.equal(gauge('raftka_active_controller'), 1, 'the lone controller is the active one');
  assert.ok(sample(text, 'raftka_log_flush_seconds_count', 'node_id="1"') > 0, 'flushes timed');
  const appended = (m: string): number => sample(m, 'raftka_raft_appended_records_total', 'source="leader"');
  assert.ok(appended(text) > appended(early), `metadata appends ${appended(early)} then ${appended(text)}`);
  assert.equal(sample(text, 'raftka_raft_appended_records_total', 'source="fetch"'), 0, 'a lone voter fetches nothing');
  assert.equal(gauge('raftka_raft_fetch_timeouts_total'), 0);
  assert.equal(gauge('raftka_metadata_errors_total'), 0);
  const elu = samples(text, 'raftka_event_loop_utilization', 'loop="main"');
  assert.equal(elu.length, 1);
  assert.ok(elu[0]! > 0 && elu[0]! <= 1, `event-loop utilisation ${elu[0]}`);
  assert.equal(
    samples(text, 'raftka_groups', 'node_id="1"').length,
    6,
    'one series per live group state (classic and KIP-848)',
  );
  assert.equal(gauge('raftka_groups'), 0, 'kcat read without a group');
  const exported = families(text);
  for (const name of perPartitionFamilies) assert.ok(!exported.has(name), `${name} is off by default`);

  // Every metric the dashboard queries is exported by this node.
  const queries = dashboardQueries();
  assert.ok(queries.length > 50, `${queries.length} dashboard queries`);
  const queried = new Set(queries.flatMap((q) => [...metricNames(q)]));
  assert.deepEqual(
    [...queried].filter((n) => !exported.has(n)),
    [],
    'dashboard metrics missing from the scrape',
  );
  // docs/metrics.md names every raftka metric exported, and exports every one it names.
  const documented = new Set([...metricNames(repoFile('docs/metrics.md'))].filter((n) => n.startsWith('raftka_')));
  assert.deepEqual(
    [...documented].filter(
      (n) => !exported.has(n) && !perPartitionFamilies.includes(n) && !configuredOnlyFamilies.includes(n),
    ),
    [],
    'documented metrics missing from the scrape',
  );
  assert.deepEqual(
    [...exported].filter((n) => n.startsWith('raftka_') && !documented.has(n)),
    [],
    'exported metrics missing from docs/metrics.md',
  );
});
