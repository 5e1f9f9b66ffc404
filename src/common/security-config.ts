// The security settings of a node's Kafka listeners, with Kafka's property names: ssl.* (PEM
// keystores and truststores, client authentication, principal mapping, protocols), sasl.* and
// connections.max.reauth.ms, each of which may be given per listener as
// `listener.name.<listener>.<key>` (Kafka's listener prefix; the name is matched case-insensitively).
// The same vocabulary secures the gRPC links between nodes (parseRpcLinkSecurity): the controller
// listener (KRaft and controller RPCs) and the REPLICATION listener (replica fetch) are PLAINTEXT
// or SSL in listener.security.protocol.map, and SSL there always means mutual TLS.
// src/common/config.ts calls both once per file; src/security/ turns the result
// into TLS contexts and SASL authenticators. Values stay text here: PEM files are read by
// src/security/tls-context.ts, JAAS strings parsed by src/security/jaas.ts.

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export const securityProtocols: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
export type SslClientAuth = 'none' | 'requested' | 'required';
/** The SASL mechanisms raftka serves and speaks. */
export const saslMechanisms = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanismName = (typeof saslMechanisms)[number];

export interface SslSettings {
  /** ssl.keystore.location: a PEM file holding the private key and the certificate chain. */
  readonly keystoreLocation: string | null;
  /** ssl.keystore.certificate.chain / ssl.keystore.key: the same as PEM text in the config. */
  readonly keystoreCertificateChain: string | null;
  readonly keystoreKey: string | null;
  /** ssl.key.password (else ssl.keystore.password): the passphrase of an encrypted PEM key. */
  readonly keyPassword: string | null;
  /** ssl.truststore.location / ssl.truststore.certificates: trusted CA certificates (PEM). */
  readonly truststoreLocation: string | null;
  readonly truststoreCertificates: string | null;
  readonly clientAuth: SslClientAuth; // ssl.client.auth (none)
  readonly principalMappingRules: string; // ssl.principal.mapping.rules (DEFAULT)
  readonly enabledProtocols: readonly string[]; // ssl.enabled.protocols (TLSv1.2,TLSv1.3)
  readonly cipherSuites: readonly string[]; // ssl.cipher.suites (Node's defaults)
}

export interface SaslSettings {
  readonly enabledMechanisms: readonly SaslMechanismName[]; // sasl.enabled.mechanisms
  /** `[<mechanism>.]sasl.jaas.config` by upper-case mechanism ('' for the plain key). */
  readonly jaasConfigs: ReadonlyMap<string, string>;
  /** sasl.mechanism.inter.broker.protocol: how the broker's own client logs in (default: the first enabled). */
  readonly interBrokerMechanism: SaslMechanismName;
}

export interface ListenerSecurity {
  readonly protocol: SecurityProtocol;
  /** Set for SSL and SASL_SSL. */
  readonly ssl: SslSettings | null;
  /** Set for SASL_PLAINTEXT and SASL_SSL. */
  readonly sasl: SaslSettings | null;
  /** connections.max.reauth.ms (0 = sessions never expire), KIP-368. */
  readonly connectionsMaxReauthMs: number;
  /** connection.failed.authentication.delay.ms (100): how long a refused connection stays open. */
  readonly failedAuthenticationDelayMs: number;
}

const plainKeys: ReadonlySet<string> = new Set([
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.keystore.certificate.chain',
  'ssl.keystore.key',
  'ssl.key.password',
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.truststore.certificates',
  'ssl.client.auth',
  'ssl.principal.mapping.rules',
  'ssl.enabled.protocols',
  'ssl.protocol',
  'ssl.cipher.suites',
  'ssl.endpoint.identification.algorithm',
  'sasl.enabled.mechanisms',
  'sasl.mechanism.inter.broker.protocol',
  'sasl.jaas.config',
  'connections.max.reauth.ms',
  'connection.failed.authentication.delay.ms',
]);
const mechanismJaasKey = /^(plain|scram-sha-256|scram-sha-512)\.sasl\.jaas\.config$/;

/** Whether `key` is one of the security keys above, plain or with a listener prefix. */
export function isSecurityConfigKey(key: string): boolean {
  const bare = key.startsWith('listener.name.') ? key.replace(/^listener\.name\.[^.]+\./, '') : key;
  return plainKeys.has(bare) || mechanismJaasKey.test(bare);
}

/** A listener's value of `key`: `listener.name.<listener>.<key>` first, then `<key>`. */
function lookup(props: ReadonlyMap<string, string>, listener: string, key: string): string | null {
  const prefix = `listener.name.${listener.toLowerCase()}.`;
  for (const [k, v] of props) if (k.toLowerCase() === prefix + key) return v;
  return props.get(key) ?? null;
}

const listOf = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/**
 * The security of each listener in `listeners`; `fail` throws a ConfigError naming the file.
 * A listener missing from the protocol map is an error (as in Kafka).
 */
export function parseListenerSecurity(
  props: ReadonlyMap<string, string>,
  listenerNames: readonly string[],
  protocolMap: ReadonlyMap<string, string>,
  fail: (message: string) => never,
): ReadonlyMap<string, ListenerSecurity> {
  const out = new Map<string, ListenerSecurity>();
  for (const name of listenerNames) {
    const protocol = protocolMap.get(name);
    if (!protocol) fail(`listener ${name} has no security protocol in listener.security.protocol.map`);
    if (!securityProtocols.includes(protocol as SecurityProtocol))
      fail(`listener.security.protocol.map: ${name}:${protocol} is not one of ${securityProtocols.join(', ')}`);
    const p = protocol as SecurityProtocol;
    const get = (key: string): string | null => lookup(props, name, key);
    const ms = (key: string, dflt: number): number => {
      const v = get(key);
      if (v === null) return dflt;
      if (!/^\d+$/.test(v.trim())) fail(`invalid value for ${key}: "${v}" is not a non-negative integer`);
      return Number(v.trim());
    };
    out.set(name, {
      protocol: p,
      ssl: p === 'SSL' || p === 'SASL_SSL' ? parseSsl(name, get, fail) : null,
      sasl: p === 'SASL_PLAINTEXT' || p === 'SASL_SSL' ? parseSasl(name, get, fail) : null,
      connectionsMaxReauthMs: ms('connections.max.reauth.ms', 0),
      failedAuthenticationDelayMs: ms('connection.failed.authentication.delay.ms', 100),
    });
  }
  return out;
}

/** A gRPC link between nodes, as listener.security.protocol.map and ssl.* configure it. */
export interface RpcLinkSecurity {
  /** The listener name: the first of controller.listener.names, or REPLICATION. */
  readonly listener: string;
  readonly protocol: 'PLAINTEXT' | 'SSL';
  /** Set for SSL: this node's certificate (server and client side) and the cluster's CA; clientAuth is always 'required'. */
  readonly ssl: SslSettings | null;
}

/**
 * The security of the gRPC link `listener` (missing from the protocol map: PLAINTEXT, as before
 * these links could be secured). SSL there is mutual TLS: `ssl.client.auth` defaults to required
 * and a listener-prefixed value other than required is an error (a link that lets a node in
 * without a certificate would let anyone who reaches the port into the quorum).
 */
export function parseRpcLinkSecurity(
  props: ReadonlyMap<string, string>,
  listener: string,
  protocolMap: ReadonlyMap<string, string>,
  fail: (message: string) => never,
): RpcLinkSecurity {
  const protocol = protocolMap.get(listener) ?? 'PLAINTEXT';
  if (protocol !== 'PLAINTEXT' && protocol !== 'SSL')
    fail(
      `listener.security.protocol.map: ${listener}:${protocol}: the gRPC links between nodes are PLAINTEXT or SSL (mutual TLS)`,
    );
  if (protocol === 'PLAINTEXT') return { listener, protocol, ssl: null };
  const prefixedKey = `listener.name.${listener.toLowerCase()}.ssl.client.auth`;
  for (const [k, v] of props)
    if (k.toLowerCase() === prefixedKey && v.trim().toLowerCase() !== 'required')
      fail(`${k}=${v}: the ${listener} listener is mutual TLS (ssl.client.auth=required, its default)`);
  const get = (key: string): string | null => (key === 'ssl.client.auth' ? 'required' : lookup(props, listener, key));
  return { listener, protocol, ssl: parseSsl(listener, get, fail) };
}

function parseSsl(listener: string, get: (key: string) => string | null, fail: (m: string) => never): SslSettings {
  for (const key of ['ssl.keystore.type', 'ssl.truststore.type']) {
    const t = get(key);
    if (t !== null && t.trim().toUpperCase() !== 'PEM')
      fail(`${key}=${t}: raftka reads PEM keystores and truststores only (listener ${listener})`);
  }
  const settings: SslSettings = {
    keystoreLocation: get('ssl.keystore.location'),
    keystoreCertificateChain: get('ssl.keystore.certificate.chain'),
    keystoreKey: get('ssl.keystore.key'),
    keyPassword: get('ssl.key.password') ?? get('ssl.keystore.password'),
    truststoreLocation: get('ssl.truststore.location'),
    truststoreCertificates: get('ssl.truststore.certificates'),
    clientAuth: (get('ssl.client.auth') ?? 'none').trim().toLowerCase() as SslClientAuth,
    principalMappingRules: get('ssl.principal.mapping.rules') ?? 'DEFAULT',
    enabledProtocols: listOf(get('ssl.enabled.protocols') ?? 'TLSv1.2,TLSv1.3'),
    cipherSuites: listOf(get('ssl.cipher.suites') ?? ''),
  };
  if (!['none', 'requested', 'required'].includes(settings.clientAuth))
    fail(`invalid value for ssl.client.auth: "${settings.clientAuth}" (none, requested or required)`);
  const inline = settings.keystoreCertificateChain !== null || settings.keystoreKey !== null;
  if (inline && (settings.keystoreCertificateChain === null || settings.keystoreKey === null))
    fail(`listener ${listener}: ssl.keystore.certificate.chain and ssl.keystore.key go together`);
  if (!inline && settings.keystoreLocation === null)
    fail(
      `listener ${listener} uses TLS: set ssl.keystore.location (a PEM file with key and certificates) or ssl.keystore.certificate.chain and ssl.keystore.key`,
    );
  if (
    settings.clientAuth !== 'none' &&
    settings.truststoreLocation === null &&
    settings.truststoreCertificates === null
  )
    fail(
      `listener ${listener}: ssl.client.auth=${settings.clientAuth} needs ssl.truststore.location or ssl.truststore.certificates`,
    );
  for (const proto of settings.enabledProtocols)
    if (proto !== 'TLSv1.2' && proto !== 'TLSv1.3')
      fail(`ssl.enabled.protocols: ${proto} is not served (TLSv1.2 and TLSv1.3 are)`);
  if (settings.enabledProtocols.length === 0) fail('ssl.enabled.protocols is empty');
  return settings;
}

function parseSasl(listener: string, get: (key: string) => string | null, fail: (m: string) => never): SaslSettings {
  const enabled = listOf(get('sasl.enabled.mechanisms') ?? saslMechanisms.join(',')).map((m) => m.toUpperCase());
  for (const m of enabled)
    if (!(saslMechanisms as readonly string[]).includes(m))
      fail(`sasl.enabled.mechanisms: ${m} is not supported on listener ${listener} (${saslMechanisms.join(', ')} are)`);
  if (enabled.length === 0) fail(`listener ${listener} is a SASL listener but sasl.enabled.mechanisms is empty`);
  const jaasConfigs = new Map<string, string>();
  const plain = get('sasl.jaas.config');
  if (plain !== null) jaasConfigs.set('', plain);
  for (const m of saslMechanisms) {
    const v = get(`${m.toLowerCase()}.sasl.jaas.config`);
    if (v !== null) jaasConfigs.set(m, v);
  }
  const interBroker = (get('sasl.mechanism.inter.broker.protocol') ?? enabled[0]!).trim().toUpperCase();
  if (!enabled.includes(interBroker))
    fail(
      `sasl.mechanism.inter.broker.protocol=${interBroker} is not in sasl.enabled.mechanisms of listener ${listener}`,
    );
  return {
    enabledMechanisms: enabled as SaslMechanismName[],
    jaasConfigs,
    interBrokerMechanism: interBroker as SaslMechanismName,
  };
}
