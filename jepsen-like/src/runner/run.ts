// One jepsen-like run: start a proxied cluster, create the topics, run the workload's workers
// while the nemesis (random faults) or a named schedule acts, heal, (queue, txn: let a fresh
// client read everything), check the history — queue checker, the transactional (Elle-style)
// checker, or linearizability per key for the metadata registers — and write the store:
//   <store>/<run>/history.jsonl, results.json, report.html, logs/<node>.log
// The verdict: 0 valid, 1 invalid (anomalies found), 2 the run itself broke (the cluster did not
// start, the topic could not be made, ...). The seed and the command that repeats the run are
// part of the results.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { KafkaClient } from '../../../src/client/kafka-client.js';
import { parseEndpoints } from '../../../src/common/endpoint.js';
import { plaintextRpc, type RpcClientSecurity } from '../../../src/rpc/rpc-security.js';
import { waitFor } from '../../../src/testing/cluster-fixture.js';
import { checkLinearizable, type LinearizabilityResult } from '../checkers/linearizable.js';
import { checkQueue } from '../checkers/queue.js';
import { checkTxn, type TxnAnomaly, type TxnResult } from '../checkers/txn.js';
import { registerModel } from '../checkers/register-model.js';
import { linksAreTls, readConfigFolder } from '../cluster/config-folder.js';
import { HarnessCluster, type NetMode } from '../cluster/harness-cluster.js';
import { HistoryWriter, readHistory } from '../history.js';
import { linkFaultRefused } from '../nemesis/link-faults.js';
import { Nemesis, type FaultEvent, type FaultKind } from '../nemesis/nemesis.js';
import { runSchedule, type ScheduleName } from '../nemesis/schedules.js';
import { renderReport, type CheckSummary } from '../report/report-html.js';
import { MetadataWorkload } from '../workloads/metadata.js';
import { QueueWorkload, queueGroupId } from '../workloads/queue.js';
import { TxnWorkload } from '../workloads/txn.js';

export type WorkloadName = 'queue' | 'metadata' | 'txn';

interface RunOptions {
  readonly workload: WorkloadName;
  /** The cluster-config folder the nodes are modelled on; null: `nodes` generated combined nodes. */
  readonly configDir: string | null;
  readonly nodes: number;
  readonly timeLimitS: number;
  readonly seed: number;
  readonly store: string;
  readonly nemesis: readonly FaultKind[];
  readonly nemesisIntervalMs: number;
  /** proxy: TCP proxies per link on 127.0.0.1; netns: a network namespace per node (falls back to proxy). */
  readonly net: NetMode;
  readonly schedule: ScheduleName | null;
  /**
   * queue, metadata: unclean.leader.election.enable=true, min.insync.replicas=1, acks=1; txn:
   * transaction.unsafe.abort.as.commit=true (aborted transactions become visible).
   */
  readonly unsafe: boolean;
  readonly concurrency: number;
  readonly keys: number;
  /** queue polls: assign (per-process positions) or subscribe (one consumer group). */
  readonly subVia: 'assign' | 'subscribe';
  readonly opIntervalMs: number;
  /**
   * How the harness's gRPC clients reach the controller listener (the metadata workload): a
   * folder whose links are mutual TLS (CONTROLLER:SSL) needs a client certificate of its CA
   * (`--command-config` with security.protocol=SSL); plaintext otherwise.
   */
  readonly controllerSecurity?: RpcClientSecurity;
  /** The command line that repeats this run (printed and stored). */
  readonly command: string;
  readonly log?: (line: string) => void;
}

interface RunOutcome {
  readonly exitCode: 0 | 1 | 2;
  readonly dir: string;
  readonly results: CheckSummary | null;
  readonly error: string | null;
}

const topic = 'jepsen-queue';

/** Node settings of every run: fast failure detection so faults show within a short run. */
const runOverrides: Readonly<Record<string, string>> = {
  'replica.lag.time.max.ms': '2000',
  'broker.session.timeout.ms': '3000',
  'broker.heartbeat.interval.ms': '500',
};

/**
 * The txn checker's verdict under Kafka's model: a partition orders records by append, not by
 * commit, so two concurrent transactions writing two partitions in opposite orders form a write
 * cycle (G0, and G1c through it) that Kafka permits; reported, not failing the run.
 */
export const txnAllowed: readonly TxnAnomaly[] = ['G0', 'G1c'];

/**
 * Node settings of txn runs: a timed-out transaction of a dead producer is aborted within a
 * second; 5 partitions of `__transaction_state` and `__consumer_offsets` (instead of 50 each), so
 * the first transaction does not wait for 300 internal replicas to be created on a busy machine.
 */
function txnOverrides(unsafe: boolean): Record<string, string> {
  return {
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': '1000',
    'transaction.state.log.num.partitions': '5',
    'offsets.topic.num.partitions': '5',
    ...(unsafe ? { 'transaction.unsafe.abort.as.commit': 'true' } : {}),
  };
}

/** The txn result in the report's shape (cycles' witnesses read "txn A -ww(key:value)-> txn B ..."). */
function txnSummary(r: TxnResult): CheckSummary {
  const examples: CheckSummary['examples'] = Object.fromEntries(
    Object.entries(r.examples).map(([kind, list]) => [
      kind,
      (list ?? []).map((e) => ({
        explanation: e.explanation,
        ops: e.ops,
        ...(e.cycle ? { cycle: e.cycle } : {}),
      })),
    ]),
  );
  return { valid: r.valid, counts: r.counts, examples, allowed: r.allowed, stats: r.stats };
}

/** The linearizability result in the report's shape: keys that are not linearizable, with witnesses. */
function linearizabilitySummary(r: LinearizabilityResult): CheckSummary {
  const bad = r.keys.filter((k) => k.valid === false);
  const unknown = r.keys.filter((k) => k.valid === 'unknown');
  return {
    valid: r.valid === true,
    counts: { 'not-linearizable': bad.length, unknown: unknown.length },
    examples: {
      'not-linearizable': bad.slice(0, 8).map((k) => ({
        key: k.key,
        explanation: k.witness?.explanation ?? 'no linearization',
        ops: [...(k.witness?.linearized.slice(-6) ?? []), ...(k.witness?.stuck ?? [])],
      })),
      unknown: unknown
        .slice(0, 8)
        .map((k) => ({ key: k.key, explanation: `search stopped after ${k.statesVisited} states`, ops: [] })),
    },
    allowed: [],
    stats: {
      keys: r.keys.length,
      ops: r.keys.reduce((n, k) => n + k.opsChecked, 0),
      perKey: r.keys.map((k) => ({ key: k.key, ops: k.opsChecked, states: k.statesVisited, valid: k.valid })),
    },
  };
}

/** Starts the run's cluster and creates the workload's topics once every broker is registered. */
async function startRunCluster(
  o: RunOptions,
  log: (line: string) => void,
  configTopics: readonly string[],
): Promise<HarnessCluster> {
  const folder = o.configDir === null ? undefined : readConfigFolder(o.configDir);
  if (o.workload === 'metadata' && folder?.links.controller === 'SSL' && !o.controllerSecurity?.tls)
    throw new Error(
      `the metadata workload calls the controllers, whose listener in ${o.configDir} is mutual TLS (CONTROLLER:SSL): give --command-config with security.protocol=SSL and a client certificate of the cluster's CA`,
    );
  if (folder && linksAreTls(folder.links)) log(`links between nodes: mutual TLS (${o.configDir}'s certificates)`);
  log(`starting ${folder ? `the ${folder.settings.length} nodes of ${o.configDir}` : `${o.nodes} nodes`}`);
  const cluster = await HarnessCluster.start({
    ...(folder ? { folder } : { nodes: o.nodes }),
    faultKinds: o.schedule ? [] : o.nemesis,
    net: o.net,
    overrides:
      o.workload === 'txn'
        ? { ...runOverrides, ...txnOverrides(o.unsafe), 'min.insync.replicas': '2' }
        : {
            ...runOverrides,
            'min.insync.replicas': o.unsafe ? '1' : '2',
            'unclean.leader.election.enable': String(o.unsafe),
          },
  });
  if (cluster.netFallback)
    log(`--net netns: namespaces cannot be made here (${cluster.netFallback}); using the proxy mesh`);
  if (cluster.hosts?.swept.length)
    log(`removed stale leftovers of earlier netns runs: ${cluster.hosts.swept.join(', ')}`);
  log(`network: ${cluster.describeNet()}`);
  const admin = new KafkaClient(parseEndpoints(cluster.bootstrapServers), { clientId: 'jepsen-admin', retries: 30 });
  try {
    const refused = o.schedule ? null : linkFaultRefused(cluster.net, o.nemesis);
    if (refused) throw new Error(refused);
    await waitFor(
      'every broker registered',
      async () =>
        (await admin.metadata([]).catch(() => null))?.brokers.length === cluster.nodeIds.length ? true : undefined,
      60_000,
      200,
    );
    await admin.createTopic(topic, o.keys, 3);
    await waitFor(
      'leaders for every key',
      async () => {
        const t = await admin.topic(topic, true).catch(() => null);
        return t && t.partitions.length === o.keys && t.partitions.every((p) => p.leader > 0) ? true : undefined;
      },
      60_000,
      200,
    );
    if (o.workload === 'metadata') for (const t of configTopics) await admin.createTopic(t, 1, 3);
  } catch (err) {
    // Nobody else holds the cluster yet: stop it here (its nodes, its namespaces).
    admin.close();
    await cluster.stop();
    throw err;
  } finally {
    admin.close();
  }
  return cluster;
}

function createWorkload(
  o: RunOptions,
  cluster: HarnessCluster,
  history: HistoryWriter,
  configTopics: readonly string[],
): QueueWorkload | MetadataWorkload | TxnWorkload {
  if (o.workload === 'txn')
    return new TxnWorkload(
      {
        topic,
        keys: o.keys,
        bootstrapServers: cluster.bootstrapServers,
        concurrency: o.concurrency,
        seed: o.seed,
        opIntervalMs: o.opIntervalMs,
        requestTimeoutMs: 3000,
        transactionTimeoutMs: 8000,
        callBudgetMs: 6000,
      },
      history,
    );
  if (o.workload === 'queue') {
    return new QueueWorkload(
      {
        topic,
        keys: o.keys,
        bootstrapServers: cluster.bootstrapServers,
        concurrency: o.concurrency,
        acks: o.unsafe ? 1 : -1,
        seed: o.seed,
        opIntervalMs: o.opIntervalMs,
        requestTimeoutMs: 3000,
        subVia: o.subVia,
      },
      history,
    );
  }
  return new MetadataWorkload(
    {
      controllers: cluster.controllerEndpoints,
      security: o.controllerSecurity ?? plaintextRpc,
      configTopics: [...configTopics],
      topicNames: ['created-0', 'created-1'],
      concurrency: o.concurrency,
      seed: o.seed,
      opIntervalMs: o.opIntervalMs,
      callTimeoutMs: 3000,
    },
    history,
  );
}

/** Runs the schedule or the random nemesis until the time limit, then heals everything. */
async function injectFaults(
  o: RunOptions,
  cluster: HarnessCluster,
  onEvent: (e: FaultEvent) => void,
  log: (line: string) => void,
): Promise<void> {
  const endAt = Date.now() + o.timeLimitS * 1000;
  const sleepUntilEnd = (ms: number): Promise<void> =>
    new Promise((r) => setTimeout(r, Math.max(0, Math.min(ms, endAt - Date.now()))));
  if (o.schedule) {
    await sleepUntilEnd(Math.min(3000, o.timeLimitS * 100));
    await runSchedule(o.schedule, cluster, {
      topic,
      partition: 0,
      soloWritesMs: 4000,
      onEvent,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    await sleepUntilEnd(Infinity);
  } else {
    const nemesis = new Nemesis(cluster, {
      seed: o.seed,
      faults: o.nemesis,
      intervalMs: o.nemesisIntervalMs,
      topic,
      ...(o.workload === 'queue' && o.subVia === 'subscribe' ? { group: queueGroupId } : {}),
      onEvent,
    });
    nemesis.start();
    await sleepUntilEnd(Infinity);
    log('healing');
    await nemesis.stop();
  }
  await cluster.healAll();
}

/** Waits until every key has a leader again (after healing, before the final reads). */
async function waitForLeaders(o: RunOptions, cluster: HarnessCluster): Promise<void> {
  await waitFor(
    'leaders for every key after healing',
    async () => {
      const leaders = await cluster.partitionLeaders(topic);
      return leaders.size === o.keys && [...leaders.values()].every((l) => l > 0) ? true : undefined;
    },
    60_000,
    200,
  );
}

/** The queue or txn workload's final reads and check (the history is closed here). */
async function checkAfterFinalReads(
  o: RunOptions,
  cluster: HarnessCluster,
  workload: QueueWorkload | TxnWorkload,
  history: HistoryWriter,
  historyPath: string,
  log: (line: string) => void,
): Promise<{ results: CheckSummary; complete: boolean }> {
  log('final reads');
  await waitForLeaders(o, cluster);
  const final = await workload.finalReads(60_000);
  if (!final.complete) log('final reads did not reach every high watermark before the deadline');
  await history.close();
  const ops = await readHistory(historyPath);
  if (workload instanceof TxnWorkload)
    return { results: txnSummary(checkTxn(ops, { allowed: txnAllowed })), complete: final.complete };
  const subscribe = o.subVia === 'subscribe';
  const results = checkQueue(ops, final.complete ? { subscribe, finalProcess: final.process } : { subscribe });
  return { results, complete: final.complete };
}

function modeText(o: RunOptions): string {
  if (o.workload === 'txn')
    return o.unsafe
      ? 'UNSAFE: transaction.unsafe.abort.as.commit=true (aborted transactions get COMMIT markers)'
      : 'transactions, read_committed, acks=all, min.insync.replicas=2';
  return o.unsafe
    ? 'UNSAFE: acks=1, min.insync.replicas=1, unclean.leader.election.enable=true'
    : 'acks=all, min.insync.replicas=2, no unclean election';
}

function runMeta(o: RunOptions, cluster: HarnessCluster): Record<string, string> {
  return {
    seed: String(o.seed),
    command: o.command,
    cluster: o.configDir ?? `${o.nodes} combined nodes`,
    network: cluster.describeNet(),
    'time limit': `${o.timeLimitS} s`,
    nemesis: o.schedule ?? (o.nemesis.join(',') || 'none'),
    polls: o.workload === 'txn' ? 'own positions, read_committed, offsets committed in the transaction' : o.subVia,
    mode: modeText(o),
    ...(o.workload === 'txn' ? { 'allowed anomalies': txnAllowed.join(', ') } : {}),
  };
}

export async function runWorkload(o: RunOptions): Promise<RunOutcome> {
  const log = o.log ?? (() => {});
  const dir = join(o.store, `${o.workload}-${new Date().toISOString().replace(/[:.]/g, '-')}-seed${o.seed}`);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const started = performance.now();
  const historyPath = join(dir, 'history.jsonl');
  const history = new HistoryWriter(historyPath, started);
  const onEvent = (e: FaultEvent): void => {
    history.record({
      process: -1,
      type: 'info',
      f: e.phase === 'start' ? 'start-fault' : 'stop-fault',
      value: { kind: e.kind, targets: e.targets, detail: e.detail },
    });
    log(`nemesis ${e.phase} ${e.kind}: ${e.detail}`);
  };
  let cluster: HarnessCluster | null = null;
  let workload: QueueWorkload | MetadataWorkload | TxnWorkload | null = null;
  try {
    const configTopics = Array.from({ length: o.keys }, (_, i) => `register-${i}`);
    cluster = await startRunCluster(o, log, configTopics);
    workload = createWorkload(o, cluster, history, configTopics);
    const queue = workload instanceof QueueWorkload ? workload : null;
    const txn = workload instanceof TxnWorkload ? workload : null;
    log(`running ${o.concurrency} workers for ${o.timeLimitS} s`);
    workload.start();
    // Faults start once the workload works (in subscribe mode the group has formed).
    if (queue)
      await waitFor('the first successful poll', async () => (queue.okPolls > 0 ? true : undefined), 30_000, 50);
    if (txn)
      await waitFor('the first committed transaction', async () => (txn.okTxns > 0 ? true : undefined), 60_000, 50);
    await injectFaults(o, cluster, onEvent, log);
    // Quiet time after healing so the workers see a working cluster again before they stop.
    await new Promise((r) => setTimeout(r, 3000));
    await workload.stop();
    let complete = true;
    let results: CheckSummary;
    const reading = queue ?? txn;
    if (reading) {
      ({ results, complete } = await checkAfterFinalReads(o, cluster, reading, history, historyPath, log));
    } else {
      await history.close();
      results = linearizabilitySummary(checkLinearizable(await readHistory(historyPath), registerModel));
    }
    const ops = await readHistory(historyPath);
    writeFileSync(
      join(dir, 'results.json'),
      `${JSON.stringify(
        {
          seed: o.seed,
          command: o.command,
          workload: o.workload,
          network: cluster.describeNet(),
          finalReadsComplete: complete,
          ...results,
        },
        null,
        2,
      )}\n`,
    );
    writeFileSync(
      join(dir, 'report.html'),
      renderReport(`raftka jepsen-like ${o.workload}`, ops, results, {
        ...runMeta(o, cluster),
        workload: o.workload,
        verdict: results.valid ? 'valid' : 'invalid',
        ...(queue || txn ? { 'final reads': complete ? 'complete' : 'incomplete (deadline)' } : {}),
      }),
    );
    return { exitCode: results.valid ? 0 : 1, dir, results, error: null };
  } catch (err) {
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    writeFileSync(
      join(dir, 'results.json'),
      `${JSON.stringify({ valid: 'unknown', seed: o.seed, command: o.command, error }, null, 2)}\n`,
    );
    // The workers first: one still running would record into a closed history and crash the
    // process (a campaign's later runs with it).
    if (workload) {
      workload.close();
      await workload.stop().catch(() => undefined);
    }
    await history.close().catch(() => undefined);
    return { exitCode: 2, dir, results: null, error };
  } finally {
    if (workload) {
      workload.close();
      await workload.stop();
    }
    if (cluster) {
      for (const f of cluster.logFiles()) if (existsSync(f)) copyFileSync(f, join(dir, 'logs', basename(f)));
      await cluster.stop();
    }
  }
}
