// The ZooKeeper view against a KRaft target (migration/src/target-checks.ts), pure: the sample
// (ZooKeeper brokers 1-3, one replica on an unregistered broker 4) against targets whose ids
// match, whose ids 1-3 are controllers, whose cluster id differs, whose metadata.version is not
// finalized or too new; withTarget's report, blocking problems, --force list and exit code. And
// apply's retry reporting (apply-events.ts): quiet NOT_CONTROLLER answers, one retry event per
// failing controller in a row, the controller-change event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatApplyEvent, RetryTracker } from '../../migration/src/apply-events.js';
import { rehearse } from '../../migration/src/rehearse.js';
import { checkTarget, withTarget, type TargetDescription } from '../../migration/src/target-checks.js';
import { sampleTree } from './expected.js';

const sampleId = 'UvImZaYMEtKJGF2VDuiBNg';
const sample = await rehearse({ zkDump: sampleTree });

function target(over: Partial<TargetDescription> = {}): TargetDescription {
  return {
    clusterId: sampleId,
    controllerIds: [1001, 1002, 1003],
    brokers: [1, 2, 3, 4].map((id) => ({ id, fenced: false })),
    features: { 'metadata.version': 1 },
    zkMigrationState: 0,
    ...over,
  };
}

const codes = (t: TargetDescription): string[][] =>
  checkTarget(sample.model, t).map((p) => [p.severity, p.code, p.path]);

test("a target whose brokers are ZooKeeper's brokers, with the same cluster id, has no problems", () => {
  assert.deepEqual(codes(target()), []);
});

test('ZooKeeper broker ids that are KRaft controllers or not registered are errors with their partitions', () => {
  const t = target({ controllerIds: [1, 2, 3], brokers: [{ id: 100, fenced: false }] });
  assert.deepEqual(codes(t), [
    ['error', 'broker_id_is_controller', '/brokers/ids/1'],
    ['error', 'broker_id_is_controller', '/brokers/ids/2'],
    ['error', 'broker_id_is_controller', '/brokers/ids/3'],
    ['error', 'replicas_on_missing_broker', '/brokers/topics/orders'],
  ]);
  const [one, , , four] = checkTarget(sample.model, t);
  assert.match(one!.message, /ZooKeeper broker 1 is node 1 of the KRaft cluster, a controller and not a broker/);
  assert.match(
    one!.message,
    /19 partitions of \d+ topics \(.*\) have a replica on it; it leads \d+ of them, which would answer LEADER_NOT_AVAILABLE/,
  );
  assert.match(
    four!.message,
    /Broker 4 \(not in \/brokers\/ids, named in replica sets\) is not a registered broker .*registered: 100/,
  );
  assert.match(four!.message, /1 partition of 1 topic \(orders\)/);

  const unknown = target({ brokers: [1, 2, 4].map((id) => ({ id, fenced: false })) });
  assert.deepEqual(codes(unknown), [['error', 'broker_not_registered', '/brokers/ids/3']]);
});

test('another cluster id is an error naming commands that exist', () => {
  const [p] = checkTarget(sample.model, target({ clusterId: 'AAAAAAAAAAAAAAAAAAAAAA' }));
  assert.deepEqual([p!.severity, p!.code, p!.path], ['error', 'cluster_id_mismatch', '/cluster/id']);
  assert.match(p!.message, new RegExp(`raftka cluster up --config-dir D --cluster-id ${sampleId}`));
  assert.match(p!.message, new RegExp(`raftka storage format --config F --cluster-id ${sampleId}`));
});

test('metadata.version: not finalized or above what this tool writes is an error', () => {
  assert.deepEqual(codes(target({ features: {} })), [['error', 'metadata_version_unset', '/feature']]);
  assert.deepEqual(codes(target({ features: { 'metadata.version': 99 } })), [
    ['error', 'metadata_version_unsupported', '/feature'],
  ]);
});

test('a feature ZooKeeper finalized that KRaft has not is a warning', () => {
  const model = {
    ...sample.model,
    featureZnode: { version: 2, status: 1, features: { 'group.version': { max_version_level: 1 } } },
  };
  assert.deepEqual(
    checkTarget(model, target()).map((p) => [p.severity, p.code]),
    [['warning', 'feature_level_lower']],
  );
});

test("withTarget adds the problems to the report, blocks, extends --force's list and sets exit 3", () => {
  const clean = {
    ...sample,
    exitCode: 0 as const,
    report: { ...sample.report, problems: [] },
    plan: { ...sample.plan, blockingProblems: [], forced: [] },
  };
  assert.equal(withTarget(clean, target()).exitCode, 0);
  const r = withTarget(clean, target({ controllerIds: [1, 2, 3], brokers: [{ id: 100, fenced: false }] }));
  assert.equal(r.exitCode, 3);
  assert.deepEqual(r.report.target?.controllerIds, [1, 2, 3]);
  assert.equal(r.plan.blockingProblems.length, 4);
  assert.equal(r.report.problems.length, 4);
  assert.match(r.plan.forced.join('\n'), /replicas and leaders on 4 nodes that are not a broker of the KRaft cluster/);
});

test('apply retries: NOT_CONTROLLER answers are quiet, a failing controller is told once in a row, a change is one event', () => {
  const tracker = new RetryTracker();
  assert.equal(
    tracker.onRetry({ target: 'c1', reason: 'c1 is not the active controller', notController: true, elapsedMs: 1 }),
    null,
  );
  const first = tracker.onRetry({
    target: 'c1',
    reason: 'c1: 14 UNAVAILABLE: Connection dropped',
    notController: false,
    elapsedMs: 4100,
  });
  assert.deepEqual(first, {
    event: 'retry',
    retry: 1,
    controller: 'c1',
    reason: 'c1: 14 UNAVAILABLE: Connection dropped',
    elapsedMs: 4100,
  });
  assert.match(
    formatApplyEvent(first!),
    /^retry 1: the import failed at c1 after 4\.1 s \(c1: 14 UNAVAILABLE: Connection dropped\); sending it again$/,
  );
  assert.equal(tracker.onRetry({ target: 'c1', reason: 'c1: ECONNREFUSED', notController: false, elapsedMs: 0 }), null);
  assert.equal(
    tracker.onRetry({ target: 'c2', reason: 'c2: deadline', notController: false, elapsedMs: 9 })?.event,
    'retry',
  );
  assert.equal(tracker.retries, 3);
  const change = tracker.finish('c3');
  assert.deepEqual(change, {
    event: 'controller-change',
    from: 'c1',
    to: 'c3',
    reason: 'c1: 14 UNAVAILABLE: Connection dropped',
    retries: 3,
  });
  assert.match(
    formatApplyEvent(change!),
    /^Controller change: c1 failed during the import .* the new active controller c3 answered \(3 retries\)/,
  );
  assert.equal(new RetryTracker().finish('c1'), null, 'no failure, no change');
});
