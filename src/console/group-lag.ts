// A consumer group's lag, as kafka-consumer-groups.sh --describe shows it: per partition the
// committed offset (OffsetFetch), the log end offset (ListOffsets latest) and their difference,
// with the member holding the partition. Partitions without a commit show no lag; they count
// neither in the total. Who calls: the groups pages and the lag sampler (web-console.ts).
import { ErrorCode } from '../common/errors.js';
import { describeGroups, offsetFetch, withCoordinatorRetries, type GroupDescription } from '../client/group-client.js';
import { assignedPartitions, logEndOffsets } from '../client/group-lag.js';
import { KafkaRequestError, type KafkaClient } from '../client/kafka-client.js';
import type { LagSample } from './lag-history.js';

export interface LagRow {
  readonly topic: string;
  readonly partition: number;
  readonly committed: number | null;
  readonly logEnd: number | null;
  readonly lag: number | null;
  readonly memberId: string | null;
}

export interface GroupMember {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
  readonly assignment: readonly { topic: string; partition: number }[];
}

export interface GroupLag {
  readonly description: GroupDescription;
  readonly members: readonly GroupMember[];
  readonly rows: readonly LagRow[];
  readonly total: number;
}

function membersOf(d: GroupDescription): GroupMember[] {
  return d.members.map((m) => ({
    memberId: m.memberId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    assignment: assignedPartitions(d.protocolType, m.assignment),
  }));
}

/** Lag rows from what was read (pure): every committed or assigned partition once, sorted. */
export function lagRows(
  committed: readonly { topic: string; partition: number; offset: number }[],
  members: readonly GroupMember[],
  logEnds: ReadonlyMap<string, number>,
): LagRow[] {
  const rows = new Map<
    string,
    { topic: string; partition: number; committed: number | null; memberId: string | null }
  >();
  for (const c of committed)
    if (c.offset >= 0)
      rows.set(`${c.topic}-${c.partition}`, {
        topic: c.topic,
        partition: c.partition,
        committed: c.offset,
        memberId: null,
      });
  for (const m of members)
    for (const tp of m.assignment) {
      const key = `${tp.topic}-${tp.partition}`;
      rows.set(key, { ...(rows.get(key) ?? { ...tp, committed: null }), memberId: m.memberId });
    }
  return [...rows.entries()]
    .map(([key, r]) => {
      const logEnd = logEnds.get(key) ?? null;
      return { ...r, logEnd, lag: r.committed !== null && logEnd !== null ? Math.max(0, logEnd - r.committed) : null };
    })
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

export function lagSample(rows: readonly LagRow[], timeMs: number): LagSample {
  const partitions = new Map<string, number>();
  for (const r of rows) if (r.lag !== null) partitions.set(`${r.topic}-${r.partition}`, r.lag);
  return { timeMs, total: [...partitions.values()].reduce((a, b) => a + b, 0), partitions };
}

export async function groupLag(client: KafkaClient, groupId: string): Promise<GroupLag> {
  const [description] = await withCoordinatorRetries(() => describeGroups(client, [groupId]));
  if (!description) throw new KafkaRequestError(ErrorCode.UNKNOWN_SERVER_ERROR, `group '${groupId}'`);
  const members = membersOf(description);
  const committed = (await withCoordinatorRetries(() => offsetFetch(client, groupId, null))).filter(
    (c) => c.offset >= 0,
  );
  const logEnds = await logEndOffsets(client, [...committed, ...members.flatMap((m) => m.assignment)]);
  const rows = lagRows(committed, members, logEnds);
  return { description, members, rows, total: lagSample(rows, 0).total };
}
