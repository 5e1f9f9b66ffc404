// The `metadata` workload: cluster metadata as registers, for the linearizability checker.
// Two kinds of key, each a register (null = absent):
// - `config:<topic>`: the topic's retention.ms — write = IncrementalAlterConfigs SET of a unique
//   value, read = DescribeConfigs;
// - `topic:<name>`: whether the topic exists ("exists" / null) — create = cas(null → exists),
//   delete = cas(exists → null), read = DescribeTopics.
// Every call goes to the active controller (raftka's controller RPCs, which follow NOT_CONTROLLER;
// reads ask for `require_active`: a linearizable read after a no-op commits), directly on the controller ports: client-isolation faults do
// not apply to this workload, node-to-node partitions and process faults do. A call that times out
// or cannot reach a controller is `info` and retires the process. TOPIC_ALREADY_EXISTS /
// UNKNOWN_TOPIC answers are `info` too, not `fail`: the client may have retried a create that had
// already happened, so they do not prove the operation did nothing. When the controller listener
// is mutual TLS, the calls present the certificate of `security` (`jepsen run --command-config`).
import { ControllerClient } from '../../../src/client/controller-client.js';
import { ErrorCode, errorName } from '../../../src/common/errors.js';
import type { Endpoint } from '../../../src/common/node-config.js';
import { AlterConfigOp } from '../../../src/protocol/config-types.js';
import { ConfigResourceType } from '../../../src/metadata/records.js';
import type { RpcClientSecurity } from '../../../src/rpc/rpc-security.js';
import { SeededRandom } from '../../../src/testing/seeded-random.js';
import type { HistoryWriter } from '../history.js';
import { ProcessPool } from './process-pool.js';

interface MetadataWorkloadOptions {
  readonly controllers: readonly Endpoint[];
  /** How the controller listener is reached: plaintext, or mutual TLS when it is SSL. */
  readonly security: RpcClientSecurity;
  /** Topics whose retention.ms are config registers (created by the runner). */
  readonly configTopics: readonly string[];
  /** Names created and deleted as topic registers. */
  readonly topicNames: readonly string[];
  readonly concurrency: number;
  readonly seed: number;
  readonly opIntervalMs: number;
  readonly callTimeoutMs: number;
}

/** Answers that prove a write did not happen. */
const definitelyRefused = new Set<number>([
  ErrorCode.INVALID_CONFIG,
  ErrorCode.INVALID_REQUEST,
  ErrorCode.POLICY_VIOLATION,
  ErrorCode.INVALID_TOPIC_EXCEPTION,
]);

type Outcome = {
  readonly type: 'ok' | 'fail' | 'info';
  readonly value?: Record<string, string | null>;
  readonly error?: string;
};

export class MetadataWorkload extends ProcessPool<ControllerClient, null> {
  private readonly rng: SeededRandom;
  private nextValue = 1;

  constructor(
    private readonly o: MetadataWorkloadOptions,
    private readonly history: HistoryWriter,
  ) {
    super(o.concurrency, o.opIntervalMs);
    this.rng = new SeededRandom(o.seed);
  }

  protected newClient(): ControllerClient {
    return new ControllerClient(this.o.controllers, this.o.security);
  }

  protected beginProcess(): null {
    return null;
  }

  /** One operation; false when its outcome is unknown (the process retires). */
  protected async operate(process: number, client: ControllerClient): Promise<boolean> {
    const onConfig = this.o.topicNames.length === 0 || this.rng.chance(0.6);
    const r = this.rng.next();
    let f: 'read' | 'write' | 'cas';
    let invokeValue: Record<string, string | null>;
    let call: () => Promise<Outcome>;
    if (onConfig) {
      const topic = this.rng.pick(this.o.configTopics);
      const key = `config:${topic}`;
      if (r < 0.5) {
        f = 'read';
        invokeValue = { key, value: null };
        call = () => this.readConfig(client, key, topic);
      } else {
        f = 'write';
        const value = String(3_600_000 + this.nextValue++);
        invokeValue = { key, value };
        call = () => this.writeConfig(client, key, topic, value);
      }
    } else {
      const name = this.rng.pick(this.o.topicNames);
      const key = `topic:${name}`;
      if (r < 0.5) {
        f = 'read';
        invokeValue = { key, value: null };
        call = () => this.readTopic(client, key, name);
      } else if (r < 0.75) {
        f = 'cas';
        invokeValue = { key, from: null, to: 'exists' };
        call = () => this.createTopic(client, invokeValue, name);
      } else {
        f = 'cas';
        invokeValue = { key, from: 'exists', to: null };
        call = () => this.deleteTopic(client, invokeValue, name);
      }
    }
    this.history.record({ process, type: 'invoke', f, value: invokeValue });
    let out: Outcome;
    try {
      out = await call();
    } catch (err) {
      out = { type: 'info', error: err instanceof Error ? err.message : String(err) };
    }
    this.history.record({
      process,
      type: out.type,
      f,
      value: out.value ?? invokeValue,
      ...(out.error ? { error: out.error } : {}),
    });
    return out.type !== 'info';
  }

  private async readConfig(client: ControllerClient, key: string, topic: string): Promise<Outcome> {
    const res = await client.describeConfigs(
      { resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: topic }], requireActive: true },
      { timeoutMs: this.o.callTimeoutMs },
    );
    const r = res.resources[0];
    const code = r?.errorCode ?? res.errorCode;
    if (code !== 0) return { type: 'fail', error: errorName(code) };
    const configs = r?.configs ?? {};
    return { type: 'ok', value: { key, value: configs['retention.ms'] ?? null } };
  }

  private async writeConfig(client: ControllerClient, key: string, topic: string, value: string): Promise<Outcome> {
    const res = await client.incrementalAlterConfigs(
      {
        resources: [
          {
            resourceType: ConfigResourceType.TOPIC,
            resourceName: topic,
            configs: [{ name: 'retention.ms', value, op: AlterConfigOp.SET }],
          },
        ],
      },
      { timeoutMs: this.o.callTimeoutMs },
    );
    const code = res.resources[0]?.errorCode ?? res.errorCode;
    if (code === 0) return { type: 'ok', value: { key, value } };
    return { type: definitelyRefused.has(code) ? 'fail' : 'info', error: errorName(code) };
  }

  private async readTopic(client: ControllerClient, key: string, name: string): Promise<Outcome> {
    const res = await client.describeTopics(
      { names: [name], requireActive: true },
      { timeoutMs: this.o.callTimeoutMs },
    );
    const code = res.errorCode;
    if (code !== 0) return { type: 'fail', error: errorName(code) };
    const t = res.topics.find((x) => x.name === name);
    const exists = t !== undefined && t.errorCode === 0;
    return { type: 'ok', value: { key, value: exists ? 'exists' : null } };
  }

  private async createTopic(
    client: ControllerClient,
    value: Record<string, string | null>,
    name: string,
  ): Promise<Outcome> {
    const res = await client.createTopics(
      { topics: [{ name, numPartitions: 1, replicationFactor: 3 }] },
      { timeoutMs: this.o.callTimeoutMs },
    );
    const code = res.topics[0]?.errorCode ?? res.errorCode;
    if (code === 0) return { type: 'ok', value };
    return { type: definitelyRefused.has(code) ? 'fail' : 'info', error: errorName(code) };
  }

  private async deleteTopic(
    client: ControllerClient,
    value: Record<string, string | null>,
    name: string,
  ): Promise<Outcome> {
    const res = await client.deleteTopics({ names: [name] }, { timeoutMs: this.o.callTimeoutMs });
    const code = res.topics[0]?.errorCode ?? res.errorCode;
    if (code === 0) return { type: 'ok', value };
    return { type: definitelyRefused.has(code) ? 'fail' : 'info', error: errorName(code) };
  }
}
