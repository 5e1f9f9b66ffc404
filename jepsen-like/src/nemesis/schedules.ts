// Named fault schedules that reproduce known data-loss sequences (jepsen.md §1.1):
// - kafka-2013: the followers of a partition stop replicating from its leader (their replica
//   links are cut; the leader still reaches the controller), so the ISR shrinks to the leader
//   alone; writes go on; then the leader is killed. With unclean.leader.election.enable=true an
//   out-of-date follower takes over and every write only the old leader had is gone — with acks=1
//   or min.insync.replicas=1 those writes were acknowledged. With acks=all and
//   min.insync.replicas=2 they were refused, and without unclean election the partition waits
//   for its last in-sync replica: nothing acknowledged is lost.
// - last-replica-standing (KIP-966): the ISR shrinks to one replica the same way, that replica is
//   killed (losing any unflushed tail) and comes back as leader; the others truncate to it.
// Each step is reported as a fault event; every wait has a deadline.
import { waitFor } from '../../../src/testing/cluster-fixture.js';
import type { HarnessCluster } from '../cluster/harness-cluster.js';
import type { FaultEvent } from './nemesis.js';

export const scheduleNames = ['kafka-2013', 'last-replica-standing'] as const;

/** How long kafka-2013 waits for another node to take over the dead leader's partition. */
const uncleanElectionWaitMs = 12_000;
export type ScheduleName = (typeof scheduleNames)[number];

interface ScheduleOptions {
  readonly topic: string;
  readonly partition: number;
  /** How long writes go on against the shrunken ISR before the leader dies. */
  readonly soloWritesMs: number;
  readonly onEvent: (e: FaultEvent) => void;
  /** Stops waiting early (the run is ending). */
  readonly sleep: (ms: number) => Promise<void>;
}

/** Cuts replication between `leader` and every other node, waits for the ISR to be the leader alone. */
async function isolateReplication(c: HarnessCluster, o: ScheduleOptions, leader: number): Promise<number[]> {
  const followers = c.nodeIds.filter((id) => id !== leader);
  for (const f of followers) {
    c.net.cut(f, leader, 'replica');
    c.net.cut(leader, f, 'replica');
  }
  o.onEvent({
    kind: 'replication-cut',
    phase: 'start',
    targets: [leader],
    detail: `followers ${followers.join(',')} cannot fetch from leader ${leader} (${o.topic}-${o.partition})`,
  });
  await waitFor(
    `the ISR of ${o.topic}-${o.partition} to shrink to [${leader}]`,
    async () => {
      const isr = (await c.isr(o.topic)).get(o.partition);
      return isr && isr.length === 1 && isr[0] === leader ? true : undefined;
    },
    60_000,
    200,
  );
  o.onEvent({
    kind: 'isr-shrunk',
    phase: 'start',
    targets: [leader],
    detail: `ISR of ${o.topic}-${o.partition} is [${leader}]`,
  });
  return followers;
}

async function leaderOf(c: HarnessCluster, o: ScheduleOptions): Promise<number> {
  return waitFor(
    `a leader for ${o.topic}-${o.partition}`,
    async () => {
      const l = (await c.partitionLeaders(o.topic)).get(o.partition);
      return l !== undefined && l > 0 ? l : undefined;
    },
    60_000,
    200,
  );
}

async function schedule2013(c: HarnessCluster, o: ScheduleOptions): Promise<void> {
  const leader = await leaderOf(c, o);
  const followers = await isolateReplication(c, o, leader);
  await o.sleep(o.soloWritesMs);
  await c.kill(leader);
  o.onEvent({
    kind: 'kill',
    phase: 'start',
    targets: [leader],
    detail: `kill -9 of leader ${leader}, the only in-sync replica; ${followers.join(',')} are behind`,
  });
  // The old leader is dead: its cut links no longer matter, and the followers must reach each other.
  c.net.heal();
  // An unclean election (when enabled) hands the partition to an out-of-date follower once the
  // controller has fenced the dead leader; without it the partition stays offline.
  const successor = await waitFor(
    `a new leader for ${o.topic}-${o.partition}`,
    async () => {
      const l = (await c.partitionLeaders(o.topic)).get(o.partition);
      return l !== undefined && l > 0 && l !== leader ? l : undefined;
    },
    uncleanElectionWaitMs,
    200,
  ).catch(() => null);
  const election = {
    kind: 'election',
    targets: successor === null ? [] : [successor],
    detail:
      successor === null
        ? `no other replica may lead ${o.topic}-${o.partition}: offline until node ${leader} returns`
        : `node ${successor}, not in the ISR, now leads ${o.topic}-${o.partition} (unclean election)`,
  };
  o.onEvent({ ...election, phase: 'start' });
  await o.sleep(o.soloWritesMs);
  await c.restartKilled();
  o.onEvent({ ...election, phase: 'stop' });
  o.onEvent({ kind: 'kill', phase: 'stop', targets: [leader], detail: `node ${leader} restarted` });
  o.onEvent({ kind: 'replication-cut', phase: 'stop', targets: [leader], detail: 'network healed' });
}

async function scheduleLastReplicaStanding(c: HarnessCluster, o: ScheduleOptions): Promise<void> {
  const leader = await leaderOf(c, o);
  await isolateReplication(c, o, leader);
  await o.sleep(o.soloWritesMs);
  await c.kill(leader);
  o.onEvent({
    kind: 'kill',
    phase: 'start',
    targets: [leader],
    detail: `kill -9 of ${leader}, the last replica standing`,
  });
  await c.restartKilled();
  c.net.heal();
  o.onEvent({ kind: 'kill', phase: 'stop', targets: [leader], detail: `node ${leader} restarted; network healed` });
}

export function runSchedule(name: ScheduleName, c: HarnessCluster, o: ScheduleOptions): Promise<void> {
  return name === 'kafka-2013' ? schedule2013(c, o) : scheduleLastReplicaStanding(c, o);
}
