// The web console's topics list (partitions, replication, leaders, size), a topic's page
// (partitions with leader, replicas, ISR, offsets and size; configs with their sources from
// DescribeConfigs) and the message browser (a partition read from an offset or a timestamp,
// keys and values as text, JSON or hex). All plain GET forms and links.
import { deliverableRecords } from '../client/read-committed.js';
import type { KafkaRecord } from '../protocol/record-batch.js';
import { IsolationLevel } from '../protocol/txn-types.js';
import type { KafkaClient } from '../client/kafka-client.js';
import { brokerLogDirs, partitionSizes } from './console-client.js';
import type { ConsoleContext, Page } from './context.js';
import { formatBytes, formatTime, formatValue, parseTimestamp, parseValueFormat, valueFormats } from './format.js';
import { html, SafeHtml } from './html.js';
import { errorBox, facts, link, section, table } from './layout.js';

/** Partitions whose offsets a topic page reads (two ListOffsets each); beyond it, '-'. */
const topicPageOffsetsPartitionsMax = 200;
/** Records the browser shows per page, by default and at most. */
const browserRecordsDefault = 20;
const browserRecordsMax = 100;
/** Fetches one browser page may take to fill itself (a partition of tiny batches). */
const browserFetchesMax = 10;

/** Kafka's DescribeConfigs ConfigSource names (as the Admin client prints them). */
const configSources: Readonly<Record<number, string>> = {
  [-1]: 'UNKNOWN',
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
};

async function sizesOrNull(ctx: ConsoleContext): Promise<Map<string, Map<number, number>> | null> {
  try {
    return partitionSizes(await ctx.client.use((c) => brokerLogDirs(c, ctx.state.image)));
  } catch {
    return null;
  }
}

export async function topicsPage(ctx: ConsoleContext): Promise<Page> {
  const image = ctx.state.image;
  const sizes = await sizesOrNull(ctx);
  const rows = [...image.topicsByName.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((t) => {
      const parts = [...t.partitions.entries()];
      const rf = Math.max(0, ...parts.map(([, p]) => p.replicas.length));
      const underReplicated = parts.filter(([, p]) => p.isr.length < p.replicas.length).length;
      const offline = parts.filter(([, p]) => p.leader < 0).length;
      let leaderBytes = 0;
      let allBytes = 0;
      for (const [i, p] of parts) {
        const m = sizes?.get(`${t.name}-${i}`);
        leaderBytes += m?.get(p.leader) ?? 0;
        for (const v of m?.values() ?? []) allBytes += v;
      }
      return [
        link(`topics/${encodeURIComponent(t.name)}`, t.name),
        parts.length,
        rf,
        underReplicated,
        offline,
        sizes ? formatBytes(leaderBytes) : null,
        sizes ? formatBytes(allBytes) : null,
      ];
    });
  const body = html`${table(
    ['Topic', 'Partitions', 'Replication', 'Under-replicated', 'Offline', 'Size (leaders)', 'Size (all replicas)'],
    rows,
    'topics',
  )}`;
  return { title: 'Topics', nav: 'topics', body };
}

async function partitionOffsets(
  client: KafkaClient,
  topic: string,
  partitions: readonly number[],
): Promise<Map<number, { start: number; end: number }>> {
  const out = new Map<number, { start: number; end: number }>();
  await Promise.all(
    partitions.slice(0, topicPageOffsetsPartitionsMax).map(async (p) => {
      try {
        const start = (await client.listOffset(topic, p, -2)).offset;
        const end = (await client.listOffset(topic, p, -1)).offset;
        out.set(p, { start, end });
      } catch {
        // An offline partition shows '-'.
      }
    }),
  );
  return out;
}

async function configsSection(ctx: ConsoleContext, name: string): Promise<SafeHtml> {
  return section('DescribeConfigs', async () => {
    const configs = await ctx.client.use((c) => c.describeTopicConfigs(name));
    const rows = [...configs]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((c) => [
        c.name,
        c.isSensitive ? '(sensitive)' : c.value,
        configSources[c.configSource] ?? String(c.configSource),
        c.readOnly ? 'yes' : 'no',
      ]);
    return table(['Config', 'Value', 'Source', 'Read-only'], rows, 'configs');
  });
}

export async function topicPage(ctx: ConsoleContext, name: string): Promise<Page> {
  const t = ctx.state.image.topicsByName.get(name);
  if (!t)
    return {
      title: `Topic ${name}`,
      nav: 'topics',
      body: html`<p class="error">No topic named ${name}.</p>`,
      status: 404,
    };
  const indexes = [...t.partitions.keys()].sort((a, b) => a - b);
  const sizes = await sizesOrNull(ctx);
  let offsets = new Map<number, { start: number; end: number }>();
  const offsetsError = await section('ListOffsets', async () => {
    offsets = await ctx.client.use((c) => partitionOffsets(c, name, indexes));
    return html``;
  });
  const rows = indexes.map((i) => {
    const p = t.partitions.get(i)!;
    const o = offsets.get(i);
    const size = sizes?.get(`${name}-${i}`)?.get(p.leader);
    return [
      link('messages', i, { topic: name, partition: i, offset: o?.start ?? 0 }),
      p.leader < 0 ? 'offline' : p.leader,
      p.replicas.join(', '),
      p.isr.join(', '),
      p.leaderEpoch,
      o ? o.start : null,
      o ? o.end : null,
      size === undefined ? null : formatBytes(size),
    ];
  });
  const body = html`${facts([
    ['Topic id', t.id],
    ['Partitions', indexes.length],
  ])}
<h2>Partitions</h2>
${offsetsError}
${table(['Partition', 'Leader', 'Replicas', 'ISR', 'Leader epoch', 'Log start', 'Log end', 'Size'], rows, 'partitions')}
<h2>Configs</h2>
${await configsSection(ctx, name)}`;
  return { title: `Topic ${name}`, nav: 'topics', body };
}

interface BrowseQuery {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number | null;
  readonly timestamp: number | null;
  readonly limit: number;
}

function browseQuery(q: URLSearchParams): BrowseQuery | string | null {
  const topic = q.get('topic') ?? '';
  if (topic === '') return null;
  const partition = Number(q.get('partition') ?? '0');
  if (!Number.isInteger(partition) || partition < 0) return 'partition must be a whole number';
  const offsetText = (q.get('offset') ?? '').trim();
  const tsText = (q.get('timestamp') ?? '').trim();
  const offset = offsetText === '' ? null : Number(offsetText);
  if (offset !== null && (!Number.isInteger(offset) || offset < 0)) return 'offset must be a whole number';
  const timestamp = tsText === '' ? null : parseTimestamp(tsText);
  if (tsText !== '' && timestamp === null) return 'timestamp must be ms since the epoch or a date';
  const limitNum = Number(q.get('limit') ?? browserRecordsDefault);
  const limit = Number.isInteger(limitNum) ? Math.min(browserRecordsMax, Math.max(1, limitNum)) : browserRecordsDefault;
  return { topic, partition, offset, timestamp, limit };
}

async function readRecords(
  client: KafkaClient,
  b: BrowseQuery,
): Promise<{ from: number; records: KafkaRecord[]; hw: number }> {
  let from = b.offset ?? 0;
  if (b.offset === null && b.timestamp !== null) {
    from = (await client.listOffset(b.topic, b.partition, b.timestamp)).offset;
    if (from < 0) return { from, records: [], hw: -1 };
  } else if (b.offset === null) from = (await client.listOffset(b.topic, b.partition, -2)).offset;
  const records: KafkaRecord[] = [];
  let position = from;
  let hw = -1;
  for (let i = 0; i < browserFetchesMax && records.length < b.limit; i++) {
    const r = await client.fetch(b.topic, b.partition, position, { maxWaitMs: 0 });
    hw = r.highWatermark;
    const d = deliverableRecords(r.records, [], position, IsolationLevel.READ_UNCOMMITTED);
    for (const rec of d.records) if (rec.offset >= from && records.length < b.limit) records.push(rec);
    if (d.nextOffset <= position || d.nextOffset >= hw) break;
    position = d.nextOffset;
  }
  return { from, records, hw };
}

function browserForm(ctx: ConsoleContext, q: URLSearchParams): SafeHtml {
  const topics = [...ctx.state.image.topicsByName.keys()].sort();
  const current = q.get('topic') ?? '';
  const format = parseValueFormat(q.get('format'));
  const opt = (v: string, selected: boolean, label = v): SafeHtml =>
    html`<option value="${v}"${selected ? new SafeHtml(' selected') : ''}>${label}</option>`;
  return html`<form method="get" action="/ui/messages" class="browse">
<label>Topic <select name="topic">${topics.map((t) => opt(t, t === current))}</select></label>
<label>Partition <input name="partition" type="number" min="0" value="${q.get('partition') ?? '0'}"></label>
<label>Offset <input name="offset" type="number" min="0" value="${q.get('offset') ?? ''}"></label>
<label>or timestamp <input name="timestamp" placeholder="ms or 2026-12-07T10:00:00Z" value="${q.get('timestamp') ?? ''}"></label>
<label>Records <input name="limit" type="number" min="1" max="${browserRecordsMax}" value="${q.get('limit') ?? browserRecordsDefault}"></label>
<label>Show as <select name="format">${valueFormats.map((f) => opt(f, f === format))}</select></label>
<button type="submit">Read</button>
</form>`;
}

function recordsTable(records: readonly KafkaRecord[], q: URLSearchParams): SafeHtml {
  const format = parseValueFormat(q.get('format'));
  const cell = (v: Buffer | null): SafeHtml => {
    const s = formatValue(v, format);
    return s === null ? html`<span class="null">null</span>` : html`<pre>${s}</pre>`;
  };
  const rows = records.map((r) => [
    r.offset,
    formatTime(r.timestamp),
    cell(r.key),
    cell(r.value),
    r.headers.map((h) => `${h.key}=${h.value === null ? 'null' : h.value.toString('utf8')}`).join(', '),
  ]);
  return table(['Offset', 'Timestamp', 'Key', 'Value', 'Headers'], rows, 'records');
}

export async function messagesPage(ctx: ConsoleContext, q: URLSearchParams): Promise<Page> {
  const parsed = browseQuery(q);
  let result: SafeHtml = html`<p class="note">Pick a topic and partition, then an offset or a timestamp.</p>`;
  if (typeof parsed === 'string') result = html`<p class="error">${parsed}</p>`;
  else if (parsed !== null) {
    try {
      const { from, records, hw } = await ctx.client.use((c) => readRecords(c, parsed));
      const last = records.at(-1);
      const next = last ? last.offset + 1 : from;
      const nextQuery = Object.fromEntries([...q.entries()].filter(([k]) => k !== 'timestamp'));
      const where = `${parsed.topic} partition ${parsed.partition}`;
      result =
        from < 0
          ? html`<p class="note">${where}: none (no record at or after that time).</p>`
          : html`<p class="note">${where}: ${records.length} record(s) from offset ${from}; high watermark ${hw}.
${last && next < hw ? link('messages', 'Next page', { ...nextQuery, offset: next }) : ''}</p>
${recordsTable(records, q)}`;
    } catch (err) {
      result = errorBox('Fetch', err);
    }
  }
  return { title: 'Messages', nav: 'messages', body: html`${browserForm(ctx, q)}${result}` };
}
