// The security of raftka's own client from Kafka client properties (a `--command-config` file):
// security.protocol, sasl.mechanism, sasl.jaas.config (PlainLoginModule / ScramLoginModule with
// username and password), ssl.truststore.* / ssl.keystore.* in PEM form, ssl.key.password,
// ssl.endpoint.identification.algorithm (https, the default, checks the broker's host name; empty
// turns it off). librdkafka's spellings are read too (sasl.username, sasl.password,
// ssl.ca.location, ssl.certificate.location, ssl.key.location). Other keys are ignored, as
// Kafka's tools do with properties meant for another client. Who calls: src/cli/ (every command
// that talks to brokers), src/client/kafka-connection.ts uses the result.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import {
  saslMechanisms,
  type SaslMechanismName,
  type SecurityProtocol,
  securityProtocols,
} from '../common/security-config.js';
import { parseJaasConfig } from './jaas.js';
import { clientTlsOptions, loadPemMaterial } from './tls-context.js';

export class ClientSecurityError extends Error {
  override readonly name = 'ClientSecurityError';
}

export interface ClientSasl {
  readonly mechanism: SaslMechanismName;
  readonly username: string;
  readonly password: string;
}

/** How raftka's client connects: TLS options when the protocol is SSL or SASL_SSL, SASL credentials for SASL_*. */
export interface ClientSecurity {
  readonly protocol: SecurityProtocol;
  readonly tls: ConnectionOptions | null;
  readonly sasl: ClientSasl | null;
}

export const plaintextClient: ClientSecurity = { protocol: 'PLAINTEXT', tls: null, sasl: null };

/** Client security from properties; relative file locations are read from `baseDir`. */
export function clientSecurityFromProperties(props: ReadonlyMap<string, string>, baseDir: string): ClientSecurity {
  const get = (k: string): string | null => props.get(k) ?? null;
  const protocol = (get('security.protocol') ?? 'PLAINTEXT').trim().toUpperCase();
  if (!securityProtocols.includes(protocol as SecurityProtocol))
    throw new ClientSecurityError(`security.protocol=${protocol} (one of ${securityProtocols.join(', ')})`);
  const p = protocol as SecurityProtocol;
  const usesTls = p === 'SSL' || p === 'SASL_SSL';
  const usesSasl = p === 'SASL_PLAINTEXT' || p === 'SASL_SSL';
  let tls: ConnectionOptions | null = null;
  if (usesTls) {
    const keyLocation = get('ssl.key.location');
    const certLocation = get('ssl.certificate.location');
    const pem = loadPemMaterial(
      {
        keystoreLocation: get('ssl.keystore.location'),
        keystoreCertificateChain:
          get('ssl.keystore.certificate.chain') ??
          (certLocation ? readFileSync(resolve(baseDir, certLocation), 'utf8') : null),
        keystoreKey:
          get('ssl.keystore.key') ?? (keyLocation ? readFileSync(resolve(baseDir, keyLocation), 'utf8') : null),
        keyPassword: get('ssl.key.password') ?? get('ssl.keystore.password'),
        truststoreLocation: get('ssl.truststore.location') ?? get('ssl.ca.location'),
        truststoreCertificates: get('ssl.truststore.certificates'),
      },
      baseDir,
    );
    tls = clientTlsOptions(pem, (get('ssl.endpoint.identification.algorithm') ?? 'https').trim() !== '');
  }
  return { protocol: p, tls, sasl: usesSasl ? clientSasl(get) : null };
}

function clientSasl(get: (k: string) => string | null): ClientSasl {
  const mechanism = (get('sasl.mechanism') ?? get('sasl.mechanisms') ?? 'GSSAPI').trim().toUpperCase();
  if (!(saslMechanisms as readonly string[]).includes(mechanism))
    throw new ClientSecurityError(`sasl.mechanism=${mechanism} is not supported (${saslMechanisms.join(', ')} are)`);
  let username = get('sasl.username');
  let password = get('sasl.password');
  const jaas = get('sasl.jaas.config');
  if (jaas !== null) {
    const entry = parseJaasConfig(jaas);
    username = entry.options.get('username') ?? username;
    password = entry.options.get('password') ?? password;
  }
  if (username === null || password === null)
    throw new ClientSecurityError(
      'SASL needs a username and password (sasl.jaas.config with username="..." password="...")',
    );
  return { mechanism: mechanism as SaslMechanismName, username, password };
}
