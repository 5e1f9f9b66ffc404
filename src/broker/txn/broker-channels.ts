// gRPC channels from this broker to other brokers' replication endpoints (proto/replica.proto),
// one per endpoint, for the transaction traffic between brokers: markers to partition leaders and
// KIP-890 verification questions to transaction coordinators. Endpoints come from the metadata
// image, so a broker that moved is reached at its new address.
import type { Endpoint } from '../../common/node-config.js';
import { ReplicaClient } from '../../rpc/replica-rpc.js';
import { plaintextRpc, type RpcClientSecurity } from '../../rpc/rpc-security.js';

export class BrokerChannels {
  private readonly clients = new Map<string, ReplicaClient>();

  /** `endpointOf`: a broker's replication endpoint from the metadata image; null when unknown. */
  /** `security`: how to reach the replication listeners (plaintext, or mutual TLS). */
  constructor(
    private readonly endpointOf: (brokerId: number) => Endpoint | null,
    private readonly security: RpcClientSecurity = plaintextRpc,
  ) {}

  /** A channel to `brokerId`, or null when the image knows no endpoint for it. */
  to(brokerId: number): ReplicaClient | null {
    const ep = this.endpointOf(brokerId);
    if (!ep) return null;
    const key = `${ep.host}:${ep.port}`;
    let c = this.clients.get(key);
    if (!c) {
      c = new ReplicaClient(key, this.security);
      this.clients.set(key, c);
    }
    return c;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
