// The web console is a Kafka client of its own cluster (as Redpanda Console is): a KafkaClient
// bootstrapped from the brokers in the node's metadata image, so a controller-only node's console
// works too. Unfenced brokers' PLAINTEXT listeners come first; a cluster without one is reached
// on the inter-broker listener with this node's own login there (TLS and SASL as the broker's
// inter-broker client has them, src/security/broker-client.ts). The client is kept between
// requests and dropped (reconnecting on the next use) after a connection error. Also the reads
// every page shares: the quorum from DescribeQuorum, each broker's log dirs, a group's lag.
import { type Endpoint, type NodeConfig, type QuorumVoter, replicationListenerName } from '../common/node-config.js';
import { KafkaClient } from '../client/kafka-client.js';
import { KafkaConnectionError } from '../client/kafka-connection.js';
import { describeLogDirs, type LogDirDescription } from '../client/log-dirs.js';
import type { RpcClientSecurity } from '../rpc/rpc-security.js';
import { describeQuorum, type QuorumDescription } from '../client/quorum-client.js';
import type { MetadataImage } from '../metadata/image.js';
import { brokerClientSecurity } from '../security/broker-client.js';
import type { ClientSecurity } from '../security/client-security.js';

/** One request's timeout: a page should answer, even with an error, within a few seconds. */
const consoleRequestTimeoutMs = 5_000;
const consoleRequestRetries = 3;

/**
 * Kafka endpoints of the image's brokers, unfenced first: their PLAINTEXT listeners, or (when
 * `listener` is given) the listener of that name. Never the gRPC replica endpoint, which the
 * broker registers as PLAINTEXT too.
 */
export function bootstrapFromImage(image: MetadataImage, listener: string | null = null): Endpoint[] {
  const brokers = [...image.brokers.values()].sort((a, b) => Number(a.fenced) - Number(b.fenced) || a.id - b.id);
  const out: Endpoint[] = [];
  for (const b of brokers) {
    const ep = b.endpoints.find(
      (e) =>
        e.name !== replicationListenerName &&
        (listener === null ? e.securityProtocol === 'PLAINTEXT' : e.name === listener),
    );
    if (ep) out.push({ host: ep.host, port: ep.port });
  }
  return out;
}

/** Where and how the console connects: PLAINTEXT when the brokers have it, else the node's inter-broker login. */
function consoleAccess(
  image: MetadataImage,
  config: NodeConfig,
): { bootstrap: Endpoint[]; security: ClientSecurity | undefined } {
  const plain = bootstrapFromImage(image);
  if (plain.length > 0) return { bootstrap: plain, security: undefined };
  const listener = config.interBrokerListenerName;
  const security = brokerClientSecurity(config, listener);
  if (!security) {
    throw new Error(`the brokers have no PLAINTEXT listener and this node has no login for listener ${listener}`);
  }
  return { bootstrap: bootstrapFromImage(image, listener), security };
}

export class ConsoleClient {
  private client: KafkaClient | null = null;
  private disposed = false;

  constructor(
    private readonly image: () => MetadataImage,
    private readonly config: NodeConfig,
  ) {}

  /** The shared client; throws when the image lists no broker yet. */
  get(): KafkaClient {
    if (this.client) return this.client;
    if (this.disposed) throw new Error('the console is shut down');
    const image = this.image();
    if (image.brokers.size === 0) throw new Error('no broker is registered in the metadata yet');
    const { bootstrap, security } = consoleAccess(image, this.config);
    if (bootstrap.length === 0) throw new Error('no registered broker has a listener this console can use');
    this.client = new KafkaClient(bootstrap, {
      clientId: 'raftka-console',
      requestTimeoutMs: consoleRequestTimeoutMs,
      retries: consoleRequestRetries,
      ...(security ? { security } : {}),
    });
    return this.client;
  }

  /** Runs `body` with the client; a connection error drops the client so the next call reconnects. */
  async use<T>(body: (client: KafkaClient) => Promise<T>): Promise<T> {
    const client = this.get();
    try {
      return await body(client);
    } catch (err) {
      if (err instanceof KafkaConnectionError && this.client === client) this.close();
      throw err;
    }
  }

  /** Closes the client; the next use opens a new one. */
  close(): void {
    this.client?.close();
    this.client = null;
  }

  /** Closes the client for good (the node is shutting down). */
  dispose(): void {
    this.disposed = true;
    this.close();
  }
}

/** DescribeQuorum from the first voter that answers (it redirects to the leader, which knows replica progress). */
export async function quorumDescription(
  voters: readonly QuorumVoter[],
  security: RpcClientSecurity,
): Promise<QuorumDescription> {
  let last: unknown = new Error('no voters configured');
  for (const v of voters) {
    try {
      return await describeQuorum({ host: v.host, port: v.port }, security);
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

/** Each unfenced broker's log dirs (an error in place of a broker that did not answer). */
export async function brokerLogDirs(
  client: KafkaClient,
  image: MetadataImage,
): Promise<Map<number, LogDirDescription[] | Error>> {
  const out = new Map<number, LogDirDescription[] | Error>();
  const ids = [...image.brokers.values()].filter((b) => !b.fenced).map((b) => b.id);
  await client.metadata([]);
  await Promise.all(
    ids.map(async (id) => {
      try {
        out.set(id, await describeLogDirs(client, id));
      } catch (err) {
        out.set(id, err instanceof Error ? err : new Error(String(err)));
      }
    }),
  );
  return out;
}

/** Partition sizes by "topic-partition", then by broker id. */
export function partitionSizes(
  dirs: ReadonlyMap<number, LogDirDescription[] | Error>,
): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const [broker, list] of dirs) {
    if (list instanceof Error) continue;
    for (const d of list)
      for (const p of d.partitions) {
        const key = `${p.topic}-${p.partition}`;
        const m = out.get(key) ?? new Map<number, number>();
        m.set(broker, (m.get(broker) ?? 0) + p.sizeBytes);
        out.set(key, m);
      }
  }
  return out;
}
