// Scenario tests of the pure Raft core, each a short protocol trace on CoreHarness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreHarness } from '../../src/testing/core-harness.js';
import { testClusterId, testCoreConfig } from '../../src/testing/test-core-config.js';
import { RaftCore, type RaftCoreConfig } from '../../src/raft/core/raft-core.js';
import { SeededRandom } from '../../src/testing/seeded-random.js';

function electedCluster(
  voters = [1, 2, 3],
  observers: number[] = [],
  overrides: Partial<RaftCoreConfig> = {},
): CoreHarness {
  const h = new CoreHarness(voters, observers, 1, overrides);
  h.advance(1000);
  assert.equal(h.leaders().length, 1, 'one leader after a quiet second');
  return h;
}

test('three voters elect one leader, and its LeaderChange entry commits on every node', () => {
  const h = electedCluster();
  const leader = h.leaders()[0]!;
  const s = leader.core.status();
  assert.ok(s.epoch >= 1);
  for (const n of h.nodes.values()) {
    const st = n.core.status();
    assert.equal(st.epoch, s.epoch);
    assert.equal(st.leaderId, leader.id);
    assert.ok(st.highWatermark >= 1, `node ${n.id} HW ${st.highWatermark}`);
    assert.equal(n.applied[0]?.kind, 'leader-change');
  }
});

test('the leader appends NoOps while idle so the high watermark keeps moving', () => {
  const h = electedCluster();
  const before = h.leaders()[0]!.core.status().highWatermark;
  h.advance(500);
  const after = h.leaders()[0]!.core.status().highWatermark;
  assert.ok(after >= before + 5, `HW moved from ${before} to ${after} in 500 ms with a 50 ms idle interval`);
  assert.ok(h.leaders()[0]!.applied.some((e) => e.kind === 'noop'));
});

test('proposals commit on a majority and are applied everywhere in order', () => {
  const h = electedCluster();
  const leader = h.leaders()[0]!;
  const r = leader.core.propose([new TextEncoder().encode('a'), new TextEncoder().encode('b')]);
  assert.ok(r.ok);
  h.advance(50);
  for (const n of h.nodes.values()) {
    const data = n.applied.filter((e) => e.kind === 'data').map((e) => new TextDecoder().decode(e.payload));
    assert.deepEqual(data, ['a', 'b'], `node ${n.id}`);
  }
  const follower = [...h.nodes.values()].find((n) => n !== leader)!;
  const refused = follower.core.propose([new Uint8Array(1)]);
  assert.equal(refused.ok, false);
});

test('pre-vote: a follower cut off from the leader alone cannot disturb the healthy majority', () => {
  // No NoOps during the test, so the loner's log stays as up to date as everyone's: only the
  // pre-vote rule (a follower hearing from its leader refuses) keeps the loner from winning.
  const h = electedCluster([1, 2, 3], [], { maxIdleIntervalMs: 60_000 });
  const leader = h.leaders()[0]!;
  const epoch = leader.core.status().epoch;
  const [loner, other] = [...h.nodes.values()].filter((n) => n !== leader);
  // The loner still reaches the other follower, which keeps hearing from the leader and so
  // refuses its pre-votes: without pre-vote the loner would win epoch + 1 with that vote.
  h.cutLink(leader.id, loner!.id);
  h.cutLink(loner!.id, leader.id);
  h.advance(2000);
  assert.equal(h.leaders()[0], leader, 'the same leader');
  assert.equal(leader.core.status().epoch, epoch, 'no epoch bump');
  assert.equal(other!.core.status().leaderId, leader.id);
  assert.equal(loner!.core.status().epoch, epoch, 'the loner never became a candidate');
  h.healAll();
  h.advance(500);
  assert.equal(h.leaders()[0], leader);
  assert.equal(loner!.core.status().leaderId, leader.id);
  assert.equal(loner!.core.status().epoch, epoch);
});

test('check quorum: an isolated leader resigns; the majority elects a new one', () => {
  const h = electedCluster();
  const old = h.leaders()[0]!;
  h.isolate(old.id);
  h.advance(1500);
  assert.notEqual(old.core.status().role, 'leader', 'the isolated leader stepped down');
  // Cut off, it hears no leader whatever leader id it remembers (a node whose peers are gone
  // must not wait for them, e.g. in controlled shutdown).
  for (let t = 0; t < 500; t += 5) {
    h.advance(5);
    assert.equal(
      old.core.status().leaderReachable,
      false,
      `at +${t} ms: role ${old.core.status().role}, remembered leader ${old.core.status().leaderId}`,
    );
  }
  const leaders = h.leaders();
  assert.equal(leaders.length, 1);
  assert.notEqual(leaders[0], old);
});

test('divergence: a deposed leader truncates its uncommitted entries and converges', () => {
  const h = electedCluster();
  const old = h.leaders()[0]!;
  h.isolate(old.id);
  old.core.propose([new TextEncoder().encode('lost-1'), new TextEncoder().encode('lost-2')]);
  h.flush();
  const oldEnd = old.core.status().logEndOffset;
  h.advance(1500);
  const fresh = h.leaders().find((n) => n !== old)!;
  assert.ok(fresh);
  fresh.core.propose([new TextEncoder().encode('kept')]);
  h.healAll();
  h.advance(1000);
  const a = old.core.status();
  const b = fresh.core.status();
  assert.equal(a.leaderId, fresh.id);
  assert.ok(oldEnd > 0);
  for (let o = 0; o < Math.min(a.logEndOffset, b.logEndOffset); o++) {
    assert.deepEqual(old.core.entryAt(o), fresh.core.entryAt(o), `offset ${o}`);
  }
  const applied = old.applied.map((e) => new TextDecoder().decode(e.payload));
  assert.ok(applied.includes('kept'));
  assert.ok(!applied.includes('lost-1') && !applied.includes('lost-2'), 'uncommitted entries never applied');
});

test('observers replicate the log but never vote or campaign', () => {
  const h = electedCluster([1, 2, 3], [100]);
  const observer = h.node(100);
  const leader = h.leaders()[0]!;
  h.advance(300);
  assert.equal(observer.core.status().leaderId, leader.id);
  assert.ok(observer.core.status().highWatermark > 0);
  assert.ok(leader.core.status().replicas.some((r) => r.nodeId === 100 && !r.isVoter));
  assert.ok(leader.core.status().leaderReachable && observer.core.status().leaderReachable);
  // Even cut off for long, an observer never becomes a candidate.
  h.isolate(100);
  h.advance(2000);
  assert.ok(['unattached', 'follower'].includes(observer.core.status().role));
  assert.equal(observer.core.status().leaderReachable, false, 'cut off: no leader heard');
  assert.equal(h.leaders().filter((n) => n.id === 100).length, 0);
});

test('an observer waits for a slow fetch answer from its leader instead of dropping it', () => {
  // Answers slower than fetch.timeout.ms (a loaded machine) but within the request deadline: the
  // observer used to give up its leader at the fetch timeout and drop each late answer with its
  // entries, so a busy broker never caught up with the metadata log.
  const h = electedCluster([1, 2, 3], [100], { requestTimeoutMs: 2000, maxIdleIntervalMs: 60_000 });
  const observer = h.node(100);
  const leader = h.leaders()[0]!;
  h.advance(100);
  h.hold(leader.id, 100);
  assert.ok(leader.core.propose([new TextEncoder().encode('late')]).ok);
  h.advance(600); // > fetch timeout (200) + its random part (< 100), < the request deadline
  assert.equal(observer.core.status().role, 'follower', 'still following while the answer is on its way');
  assert.equal(observer.core.status().leaderId, leader.id);
  const leaderEnd = leader.core.status().logEndOffset;
  assert.ok(observer.core.status().logEndOffset < leaderEnd);
  h.release();
  h.deliverAll();
  h.hold(leader.id, 100); // later answers stay away: only the late one can bring the entry
  h.advance(20);
  assert.equal(observer.core.status().logEndOffset, leaderEnd, 'the late answer was used');
  // A leader that never answers is given up at the request deadline: the observer looks again.
  const roles = new Set<string>();
  for (let t = 0; t < 3000; t += 5) {
    for (const n of h.nodes.values()) n.core.tick(5);
    roles.add(observer.core.status().role);
    h.deliverAll();
  }
  assert.ok(roles.has('unattached'), `roles seen: ${[...roles].join(', ')}`);
});

test('graceful resignation: EndQuorumEpoch hands leadership over well before a fetch timeout', () => {
  const h = electedCluster();
  const old = h.leaders()[0]!;
  const epoch = old.core.status().epoch;
  old.core.resign();
  h.advance(120); // the fetch timeout is 200 ms; the preferred successor starts at once
  const next = h.leaders();
  assert.equal(next.length, 1);
  assert.notEqual(next[0], old);
  assert.ok(next[0]!.core.status().epoch > epoch);
});

test("a follower below the leader's log start downloads the snapshot in chunks, then catches up", () => {
  const h = electedCluster();
  const leader = h.leaders()[0]!;
  const lagger = [...h.nodes.values()].find((n) => n !== leader)!;
  h.isolate(lagger.id);
  for (let i = 0; i < 10; i++) leader.core.propose([new TextEncoder().encode(`r${i}`)]);
  h.advance(200);
  const snap = h.takeSnapshot(leader.id);
  assert.equal(leader.core.status().logStartOffset, snap.endOffset);
  h.healAll();
  h.advance(1000);
  assert.deepEqual(lagger.loadedSnapshots.at(-1), snap);
  assert.deepEqual(lagger.snapshot?.bytes, leader.snapshot?.bytes, 'the snapshot arrived byte for byte');
  assert.ok(lagger.core.status().highWatermark >= snap.endOffset);
  assert.equal(lagger.core.status().logEndOffset, leader.core.status().logEndOffset);
});

test('a voter grants one vote per epoch and only to a candidate whose log is up to date', () => {
  const h = electedCluster();
  const leader = h.leaders()[0]!;
  const [voter, other] = [...h.nodes.values()].filter((n) => n !== leader);
  const { epoch, lastEpoch, logEndOffset } = voter!.core.status();
  let requestId = 0;
  const vote = (candidateId: number, candidateEpoch: number, lastOffsetEpoch: number, lastOffset: number): boolean => {
    voter!.core.handleRequest(candidateId, ++requestId, {
      type: 'vote',
      clusterId: testClusterId,
      candidateEpoch,
      candidateId,
      lastOffsetEpoch,
      lastOffset,
      preVote: false,
    });
    const out = voter!.core.takeReady().messages.find((m) => m.kind === 'response');
    assert.ok(out && out.kind === 'response' && out.response.type === 'vote');
    return out.response.voteGranted;
  };
  assert.equal(vote(other!.id, epoch + 1, 0, 0), false, 'an empty log is behind ours');
  assert.equal(vote(other!.id, epoch + 2, lastEpoch, logEndOffset), true);
  assert.equal(vote(leader.id, epoch + 2, lastEpoch, logEndOffset), false, 'already voted in this epoch');
  assert.equal(vote(other!.id, epoch + 2, lastEpoch, logEndOffset), true, 'the same candidate may ask again');
  assert.equal(vote(other!.id, epoch + 1, lastEpoch, logEndOffset), false, 'a stale epoch');
  assert.equal(voter!.core.status().votedId, other!.id);
});

test('a request from another cluster is refused with INCONSISTENT_CLUSTER_ID', () => {
  const h = new CoreHarness([1, 2, 3]);
  const core = h.node(1).core;
  core.handleRequest(2, 1, {
    type: 'vote',
    clusterId: 'other',
    candidateEpoch: 1,
    candidateId: 2,
    lastOffsetEpoch: 0,
    lastOffset: 0,
    preVote: false,
  });
  const out = core.takeReady().messages[0];
  assert.ok(out && out.kind === 'response');
  assert.equal(out.response.errorCode, 104);
});

test('a voter stranded in a higher epoch is brought back: the leader learns that epoch and steps down', () => {
  const h = electedCluster();
  const leader = h.leaders()[0]!;
  const epoch = leader.core.status().epoch;
  const stranded = [...h.nodes.values()].find((n) => n !== leader)!;
  // As if it had campaigned alone behind a partition: restart it at a much higher epoch.
  const s = stranded.core.status();
  const entries = Array.from(
    { length: s.logEndOffset - s.logStartOffset },
    (_, i) => stranded.core.entryAt(s.logStartOffset + i)!,
  );
  stranded.core = new RaftCore(testCoreConfig(stranded.id, [1, 2, 3]), new SeededRandom(7), {
    quorumState: { epoch: epoch + 5, leaderId: null, votedId: stranded.id },
    snapshotId: null,
    entries,
  });
  h.advance(3000);
  const leaders = h.leaders();
  assert.equal(leaders.length, 1);
  const now = leaders[0]!.core.status();
  assert.ok(now.epoch > epoch + 5, `the quorum moved past the stranded epoch (now ${now.epoch})`);
  for (const n of h.nodes.values()) {
    assert.equal(n.core.status().epoch, now.epoch, `node ${n.id}`);
    assert.equal(n.core.status().leaderId, leaders[0]!.id);
  }
});

test('a proposal of 150,000 records (a metadata write at 100k-partition scale) is accepted whole', () => {
  const h = electedCluster();
  const leader = h.leaders()[0]!;
  h.flush();
  leader.core.takeReady();
  const payloads = Array.from({ length: 150_000 }, (_, i) => Uint8Array.of(i & 0xff));
  const r = leader.core.propose(payloads);
  assert.ok(r.ok);
  const ready = leader.core.takeReady();
  assert.equal(ready.entries.length, 150_000);
  assert.equal(ready.entries[149_999]!.offset, r.baseOffset + 149_999);
});
