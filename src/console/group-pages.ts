// The web console's consumer-group pages: the list (state, protocol, members, total lag) and a
// group's page (members and their assignment, lag per partition, and the lag over time that the
// sampler kept: a uPlot chart with JavaScript, the same samples as a table without).
import { describeGroups, listGroups, withCoordinatorRetries } from '../client/group-client.js';
import type { KafkaClient } from '../client/kafka-client.js';
import type { ConsoleContext, Page } from './context.js';
import { formatTime } from './format.js';
import { groupLag, lagSample, type GroupLag } from './group-lag.js';
import type { LagSample } from './lag-history.js';
import { html, jsonForScript, type SafeHtml } from './html.js';
import { errorBox, facts, link, table } from './layout.js';

/** Groups whose total lag the list computes (each costs an OffsetFetch and ListOffsets). */
const listLagGroupsMax = 50;
/** Samples the no-JavaScript table shows (the newest). */
const lagTableRowsMax = 60;

async function totalLag(client: KafkaClient, groupId: string): Promise<number | null> {
  try {
    return (await groupLag(client, groupId)).total;
  } catch {
    return null;
  }
}

export async function groupsPage(ctx: ConsoleContext): Promise<Page> {
  try {
    const rows = await ctx.client.use(async (c) => {
      const listed = await listGroups(c);
      const described =
        listed.length === 0
          ? []
          : await withCoordinatorRetries(() =>
              describeGroups(
                c,
                listed.map((g) => g.groupId),
              ),
            );
      return Promise.all(
        described.map(async (d, i) => [
          link(`groups/${encodeURIComponent(d.groupId)}`, d.groupId),
          d.state,
          d.protocolType === '' ? '-' : d.protocolType,
          d.protocol === '' ? '-' : d.protocol,
          d.members.length,
          d.coordinator.nodeId,
          i < listLagGroupsMax ? await totalLag(c, d.groupId) : null,
        ]),
      );
    });
    const body = table(
      ['Group', 'State', 'Protocol type', 'Assignor', 'Members', 'Coordinator', 'Total lag'],
      rows,
      'groups',
    );
    return { title: 'Consumer groups', nav: 'groups', body };
  } catch (err) {
    return { title: 'Consumer groups', nav: 'groups', body: errorBox('ListGroups', err) };
  }
}

function lagChartData(samples: readonly LagSample[]): {
  times: number[];
  series: { label: string; values: (number | null)[] }[];
} {
  const keys = [...new Set(samples.flatMap((s) => [...s.partitions.keys()]))].sort();
  return {
    times: samples.map((s) => s.timeMs / 1000),
    series: [
      { label: 'total', values: samples.map((s) => s.total) },
      ...keys.map((k) => ({ label: k, values: samples.map((s) => s.partitions.get(k) ?? null) })),
    ],
  };
}

function historySection(samples: readonly LagSample[], sampleMs: number): SafeHtml {
  const shown = samples.slice(-lagTableRowsMax).reverse();
  const keys = [...new Set(samples.flatMap((s) => [...s.partitions.keys()]))].sort();
  const every =
    sampleMs > 0
      ? `sampled every ${sampleMs / 1000} s while this page was opened in the last 10 minutes`
      : 'sampling is off (console.lag.sample.ms=0): one sample per page view';
  return html`<h2>Lag over time</h2>
<p class="note">${samples.length} sample(s), ${every}.</p>
<div id="lag-chart"></div>
<script type="application/json" id="lag-data">${jsonForScript(lagChartData(samples))}</script>
<div id="lag-history-table">${table(
    ['Time', 'Total', ...keys],
    shown.map((s) => [formatTime(s.timeMs), s.total, ...keys.map((k) => s.partitions.get(k) ?? null)]),
    'lag-history',
  )}</div>`;
}

function groupBody(g: GroupLag, samples: readonly LagSample[], sampleMs: number): SafeHtml {
  const d = g.description;
  const members = g.members.map((m) => [
    m.memberId,
    m.clientId,
    m.clientHost,
    m.assignment.map((tp) => `${tp.topic}-${tp.partition}`).join(', '),
  ]);
  const rows = g.rows.map((r) => [
    link(`topics/${encodeURIComponent(r.topic)}`, r.topic),
    r.partition,
    r.committed,
    r.logEnd,
    r.lag,
    r.memberId,
  ]);
  return html`${facts([
    ['State', d.state],
    ['Protocol', `${d.protocolType || '-'} / ${d.protocol || '-'}`],
    ['Coordinator', d.coordinator.nodeId],
    ['Members', g.members.length],
    ['Total lag', html`<span id="total-lag">${g.total}</span>`],
  ])}
<h2>Lag per partition</h2>
${table(['Topic', 'Partition', 'Committed offset', 'Log end offset', 'Lag', 'Member'], rows, 'lag')}
${historySection(samples, sampleMs)}
<h2>Members</h2>
${table(['Member', 'Client id', 'Host', 'Assignment'], members, 'members')}`;
}

export async function groupPage(ctx: ConsoleContext, groupId: string): Promise<Page> {
  const title = `Group ${groupId}`;
  try {
    const g = await ctx.client.use((c) => groupLag(c, groupId));
    if (g.description.state === 'Dead')
      return { title, nav: 'groups', body: html`<p class="error">No group named ${groupId}.</p>`, status: 404 };
    const now = Date.now();
    ctx.lagHistory.touch(groupId, now);
    ctx.lagHistory.record(groupId, lagSample(g.rows, now));
    return {
      title,
      nav: 'groups',
      body: groupBody(g, ctx.lagHistory.samples(groupId), ctx.config.consoleLagSampleMs),
      scripts: ['uPlot.iife.min.js', 'lag-chart.js'],
    };
  } catch (err) {
    return { title, nav: 'groups', body: errorBox('DescribeGroups', err) };
  }
}
