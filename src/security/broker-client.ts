// How a broker's own Kafka client (the consumer-lag lookups of src/server/group-wiring.ts)
// connects to a listener of its cluster, as Kafka's inter-broker client does: TLS with the
// listener's truststore and the node's own certificate as client certificate; SASL with
// sasl.mechanism.inter.broker.protocol and the username/password options of that listener's JAAS
// config for the mechanism (Kafka's broker JAAS entries hold the broker's own login next to user_*).
import { dirname } from 'node:path';
import type { NodeConfig } from '../common/node-config.js';
import { type ClientSecurity, plaintextClient } from './client-security.js';
import { parseJaasConfig } from './jaas.js';
import { clientTlsOptions, loadPemMaterial } from './tls-context.js';

/** The security for connecting to `listener`; null when the config gives no way to log in there. */
export function brokerClientSecurity(config: NodeConfig, listener: string): ClientSecurity | null {
  const security = config.listenerSecurity.get(listener);
  if (!security || security.protocol === 'PLAINTEXT') return plaintextClient;
  const tls = security.ssl ? clientTlsOptions(loadPemMaterial(security.ssl, dirname(config.sourcePath)), false) : null;
  const sasl = security.sasl;
  if (!sasl) return { protocol: security.protocol, tls, sasl: null };
  const mechanism = sasl.interBrokerMechanism;
  const jaas = sasl.jaasConfigs.get(mechanism) ?? sasl.jaasConfigs.get('');
  const options = jaas ? parseJaasConfig(jaas).options : null;
  const username = options?.get('username');
  const password = options?.get('password');
  if (username === undefined || password === undefined) return null;
  return { protocol: security.protocol, tls, sasl: { mechanism, username, password } };
}
