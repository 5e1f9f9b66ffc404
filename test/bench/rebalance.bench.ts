// Consumer-group rebalance time for groups of 1, 10 and 50 members on three combined nodes,
// measured with the classic protocol as a consumer speaks it (JoinGroup, leader assigns with the
// range assignor, SyncGroup, Heartbeat), one client and connection per member:
// - form:   N members join an empty group at once → every member holds its assignment of one
//           common generation;
// - rejoin: one member joins a stable group of N-1 → the others learn it from their next
//           heartbeat (interval REB_HEARTBEAT_MS, default 100), rejoin, and all N hold the new
//           generation's assignment (for N = 1 this is a member joining the empty group).
// group.initial.rebalance.delay.ms is 0 so the figures are the protocol's own cost (Kafka's
// default of 3 s would be added to the first rebalance of an empty group).
// `npm run bench -- rebalance` (REB_TRIALS=N runs per size, default 5; medians and maxima).
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { KafkaClient, KafkaRequestError } from '../../src/client/kafka-client.js';
import {
  forgetCoordinator,
  heartbeat,
  isCoordinatorMovedError,
  joinGroup,
  leaveGroup,
  MemberIdRequiredError,
  syncGroup,
  type JoinGroupResult,
} from '../../src/client/group-client.js';
import {
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  rangeAssignor,
} from '../../src/protocol/consumer-protocol.js';
import { ErrorCode } from '../../src/common/errors.js';
import { parseEndpoints } from '../../src/common/endpoint.js';

const sizes = [1, 10, 50];
const trials = Number(process.env['REB_TRIALS'] ?? 5);
const heartbeatMs = Number(process.env['REB_HEARTBEAT_MS'] ?? 100);
const topic = 'rebalance-bench';
const partitions = 60;
const subscription = encodeSubscription({ topics: [topic] });

/** One group member: joins, syncs, then heartbeats until told to rejoin or stopped. */
class BenchMember {
  memberId = '';
  generation = -1;
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly client: KafkaClient,
    private readonly groupId: string,
    private readonly onSynced: () => void,
  ) {}

  start(): void {
    this.loop = this.run().catch((err: unknown) => {
      console.error(`member ${this.memberId} of ${this.groupId} stopped: ${String(err)}`);
      throw err;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    if (this.memberId !== '')
      await leaveGroup(this.client, { groupId: this.groupId, memberId: this.memberId, groupInstanceId: null }).catch(
        () => undefined,
      );
    this.client.close();
  }

  private async join(): Promise<JoinGroupResult> {
    const params = {
      groupId: this.groupId,
      groupInstanceId: null,
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: 30_000,
      protocolType: 'consumer',
      protocols: [{ name: rangeAssignor.name, metadata: subscription }],
    };
    try {
      return await joinGroup(this.client, { ...params, memberId: this.memberId });
    } catch (err) {
      if (!(err instanceof MemberIdRequiredError)) throw err;
      this.memberId = err.memberId;
      return joinGroup(this.client, { ...params, memberId: this.memberId });
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const joined = await this.join();
      this.memberId = joined.memberId;
      const assignments =
        joined.leader === joined.memberId
          ? [
              ...rangeAssignor.assign(
                joined.members.map((m) => ({
                  memberId: m.memberId,
                  groupInstanceId: m.groupInstanceId,
                  topics: decodeSubscription(m.metadata).topics,
                })),
                new Map([[topic, partitions]]),
              ),
            ].map(([memberId, tps]) => ({ memberId, assignment: encodeAssignment(tps) }))
          : [];
      const generation = {
        groupId: this.groupId,
        generationId: joined.generationId,
        memberId: this.memberId,
        groupInstanceId: null,
      };
      try {
        await syncGroup(this.client, {
          ...generation,
          protocolType: 'consumer',
          protocolName: joined.protocolName,
          assignments,
        });
      } catch (err) {
        if (err instanceof KafkaRequestError && err.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) continue;
        throw err;
      }
      this.generation = joined.generationId;
      this.onSynced();
      // Heartbeat until the group rebalances (or the bench stops this member).
      for (;;) {
        if (this.stopped) return;
        await new Promise((r) => setTimeout(r, heartbeatMs));
        if (this.stopped) return;
        try {
          await heartbeat(this.client, generation);
        } catch (err) {
          if (err instanceof KafkaRequestError && err.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) break;
          // The coordinator moved (its __consumer_offsets partition changed leader): find the new
          // one at the next heartbeat, as a consumer does; the generation stays valid there.
          if (err instanceof KafkaRequestError && isCoordinatorMovedError(err.errorCode)) {
            forgetCoordinator(this.client, this.groupId);
            continue;
          }
          throw err;
        }
      }
    }
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

const f = await ClusterFixture.combined({ nodes: 3, extra: { 'group.initial.rebalance.delay.ms': '0' } });
let exitCode = 0;
try {
  await f.up();
  const bs = parseEndpoints(f.bootstrapServers);
  const admin = new KafkaClient(bs, { clientId: 'rebalance-bench' });
  await waitFor(
    'three brokers',
    async () => ((await admin.metadata([]).catch(() => null))?.brokers.length === 3 ? true : undefined),
    60_000,
    200,
  );
  await f.raftka(
    'topics',
    '--bootstrap-server',
    f.bootstrapServers,
    '--create',
    '--topic',
    topic,
    '--partitions',
    String(partitions),
    '--replication-factor',
    '3',
  );
  admin.close();
  let groupSeq = 0;
  let currentCheck: () => void = () => undefined;
  /** Starts `count` members of `groupId` and resolves with the time until all hold one generation. */
  const startMembers = async (
    groupId: string,
    members: BenchMember[],
    count: number,
    timeoutMs: number,
  ): Promise<number> => {
    const started = performance.now();
    const target = members.length + count;
    let done: (ms: number) => void = () => undefined;
    const finished = new Promise<number>((resolve) => (done = resolve));
    const check = (): void => {
      if (members.length !== target) return;
      const g = members[0]!.generation;
      if (g >= 0 && members.every((m) => m.generation === g)) done(performance.now() - started);
    };
    // Every member of the group, old and new, reports to the newest check.
    currentCheck = check;
    const fresh = Array.from(
      { length: count },
      (_, i) =>
        new BenchMember(new KafkaClient(bs, { clientId: `bench-${groupId}-${members.length + i}` }), groupId, () =>
          currentCheck(),
        ),
    );
    members.push(...fresh);
    fresh.forEach((m) => m.start());
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>(
      (_, reject) =>
        (timer = setTimeout(
          () => reject(new Error(`${groupId}: no common generation within ${timeoutMs} ms`)),
          timeoutMs,
        )),
    );
    try {
      return await Promise.race([finished, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
  console.log(
    `rebalance times, ${trials} trials per size, heartbeat ${heartbeatMs} ms, topic of ${partitions} partitions, range assignor (ms: median / max)`,
  );
  for (const n of sizes) {
    const form: number[] = [];
    const rejoin: number[] = [];
    for (let trial = 0; trial < trials; trial++) {
      const formGroup = `bench-form-${n}-${groupSeq++}`;
      const formed: BenchMember[] = [];
      form.push(await startMembers(formGroup, formed, n, 60_000));
      await Promise.all(formed.map((m) => m.stop()));
      const rejoinGroup = `bench-rejoin-${n}-${groupSeq++}`;
      const stable: BenchMember[] = [];
      if (n > 1) await startMembers(rejoinGroup, stable, n - 1, 60_000);
      rejoin.push(await startMembers(rejoinGroup, stable, 1, 60_000));
      await Promise.all(stable.map((m) => m.stop()));
    }
    console.log(
      `members=${n}  form ${median(form).toFixed(0)} / ${Math.max(...form).toFixed(0)}  rejoin ${median(rejoin).toFixed(0)} / ${Math.max(...rejoin).toFixed(0)}`,
    );
  }
} catch (err) {
  console.error(err);
  exitCode = 1;
  if (process.env['REB_KEEP_LOGS']) {
    const { cpSync } = await import('node:fs');
    cpSync(f.dataDir, process.env['REB_KEEP_LOGS'], {
      recursive: true,
      filter: (src) => !src.includes('/logs/') || src.endsWith('/logs'),
    });
    console.error(`node logs kept in ${process.env['REB_KEEP_LOGS']}`);
  }
} finally {
  await f.destroy();
}
process.exit(exitCode);
