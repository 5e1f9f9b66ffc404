// The web console's cluster page (nodes and roles, quorum leader and epoch, each voter's and
// observer's lag from DescribeQuorum, metadata.version) and brokers page (state, fencing,
// partitions and leaders from the metadata image, disk use from DescribeLogDirs).
import type { LogDirDescription } from '../client/log-dirs.js';
import type { QuorumDescription } from '../client/quorum-client.js';
import type { MetadataImage } from '../metadata/image.js';
import { brokerLogDirs, quorumDescription } from './console-client.js';
import type { ConsoleContext, Page } from './context.js';
import { formatBytes, formatTime } from './format.js';
import { html, type SafeHtml } from './html.js';
import { errorBox, facts, section, table } from './layout.js';

/** Kafka's ZkMigrationState values. */
const zkMigrationStates: Readonly<Record<number, string>> = {
  0: 'NONE (never migrated)',
  1: 'MIGRATION (dual-write)',
  2: 'PRE_MIGRATION',
  3: 'POST_MIGRATION (migrated from ZooKeeper)',
  4: 'ZK',
};

export function zkMigrationStateName(state: number): string {
  return zkMigrationStates[state] ?? `unknown (${state})`;
}

function brokerState(image: MetadataImage, id: number): string {
  const b = image.brokers.get(id);
  if (!b) return '-';
  if (b.inControlledShutdown) return 'controlled shutdown';
  return b.fenced ? 'fenced' : 'unfenced';
}

function nodesTable(ctx: ConsoleContext, q: QuorumDescription | null): SafeHtml {
  const image = ctx.state.image;
  const voters = new Set(ctx.config.quorumVoters.map((v) => v.id));
  const ids = new Set<number>([...voters, ...image.brokers.keys(), ...(q?.replicas.map((r) => r.nodeId) ?? [])]);
  const rows = [...ids]
    .sort((a, b) => a - b)
    .map((id) => {
      const roles = [image.brokers.has(id) ? 'broker' : null, voters.has(id) ? 'controller' : null].filter(Boolean);
      const r = q?.replicas.find((x) => x.nodeId === id);
      return [
        id,
        roles.join(', '),
        r ? r.status : '-',
        brokerState(image, id),
        r ? r.logEndOffset : null,
        r ? r.lag : null,
        r?.lastFetchTimestamp ? formatTime(r.lastFetchTimestamp) : null,
        r?.lastCaughtUpTimestamp ? formatTime(r.lastCaughtUpTimestamp) : null,
      ];
    });
  return table(
    ['Node', 'Roles', 'Quorum', 'Broker state', 'Log end offset', 'Lag', 'Last fetch', 'Last caught up'],
    rows,
    'nodes',
  );
}

export async function clusterPage(ctx: ConsoleContext): Promise<Page> {
  const status = ctx.quorumStatus();
  const image = ctx.state.image;
  let quorum: QuorumDescription | null = null;
  let quorumError: SafeHtml | null = null;
  try {
    quorum = await quorumDescription(ctx.config.quorumVoters, ctx.controllerSecurity);
  } catch (err) {
    quorumError = errorBox('DescribeQuorum', err);
  }
  const leaderId = quorum?.leaderId ?? status.leaderId;
  const body = html`${facts([
    ['Cluster id', ctx.clusterId],
    ['Quorum leader', leaderId === null || leaderId < 0 ? 'none' : html`<span id="quorum-leader">${leaderId}</span>`],
    ['Leader epoch', quorum?.leaderEpoch ?? status.epoch],
    ['High watermark', quorum?.highWatermark ?? status.highWatermark],
    ['Max follower lag', quorum ? `${quorum.maxFollowerLag} records` : null],
    ['metadata.version', image.features.get('metadata.version') ?? null],
    ['Brokers', `${[...image.brokers.values()].filter((b) => !b.fenced).length} unfenced of ${image.brokers.size}`],
    ['Topics', image.topicsByName.size],
    ['ZooKeeper migration', zkMigrationStateName(image.zkMigrationState)],
    [
      'This node',
      `${ctx.config.nodeId} (${ctx.config.processRoles.join(', ')}), ${status.role}, applied offset ${ctx.state.appliedOffset}`,
    ],
  ])}
<h2>Nodes</h2>
${quorumError}
${nodesTable(ctx, quorum)}
<p class="note">Quorum, log end offset and lag come from the quorum leader (DescribeQuorum); lag is in metadata records.</p>`;
  return { title: 'Cluster', nav: 'cluster', body };
}

function diskCells(dirs: LogDirDescription[] | Error | undefined): [string | null, string | null, SafeHtml | null] {
  if (dirs === undefined) return [null, null, null];
  if (dirs instanceof Error) return [null, null, html`<span class="error">${dirs.message}</span>`];
  const used = dirs.reduce((n, d) => n + d.partitions.reduce((m, p) => m + p.sizeBytes, 0), 0);
  const volumes = dirs.map(
    (d) =>
      html`<div>${d.logDir}: ${d.errorCode !== 0 ? 'storage error' : `${formatBytes(d.usableBytes)} free of ${formatBytes(d.totalBytes)}`}</div>`,
  );
  return [formatBytes(used), String(dirs.reduce((n, d) => n + d.partitions.length, 0)), html`${volumes}`];
}

export async function brokersPage(ctx: ConsoleContext): Promise<Page> {
  const image = ctx.state.image;
  const replicas = new Map<number, number>();
  const leaders = new Map<number, number>();
  for (const t of image.topicsByName.values())
    for (const p of t.partitions.values()) {
      for (const r of p.replicas) replicas.set(r, (replicas.get(r) ?? 0) + 1);
      if (p.leader >= 0) leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
    }
  let dirs = new Map<number, LogDirDescription[] | Error>();
  const dirsError = await section('DescribeLogDirs', async () => {
    dirs = await ctx.client.use((c) => brokerLogDirs(c, image));
    return html``;
  });
  const rows = [...image.brokers.values()]
    .sort((a, b) => a.id - b.id)
    .map((b) => {
      const [used, logs, volumes] = diskCells(dirs.get(b.id));
      return [
        b.id,
        b.endpoints.map((e) => `${e.name}://${e.host}:${e.port}`).join(', '),
        b.rack,
        brokerState(image, b.id),
        b.fenced ? 'yes' : 'no',
        b.epoch,
        replicas.get(b.id) ?? 0,
        leaders.get(b.id) ?? 0,
        logs,
        used,
        volumes,
      ];
    });
  const body = html`${dirsError}${table(
    [
      'Broker',
      'Listeners',
      'Rack',
      'State',
      'Fenced',
      'Epoch',
      'Partitions',
      'Leaders',
      'Logs',
      'Disk used',
      'Log dirs (volume)',
    ],
    rows,
    'brokers',
  )}
<p class="note">Partitions and leaders from the metadata image; disk use from each broker's DescribeLogDirs.</p>`;
  return { title: 'Brokers', nav: 'brokers', body };
}
