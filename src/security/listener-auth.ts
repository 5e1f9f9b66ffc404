// What one Kafka listener needs to authenticate its connections: the TLS server options (SSL,
// SASL_SSL), the principal of a TLS client certificate (ssl.principal.mapping.rules), and a SASL
// session per connection (SASL_PLAINTEXT, SASL_SSL). Built once per listener at startup, so a
// bad certificate file or rule stops the node with a clear message. Who calls:
// src/server/kafka-listeners.ts builds it; src/server/kafka-server.ts uses it per connection.
import { dirname } from 'node:path';
import type { TLSSocket, TlsOptions } from 'node:tls';
import type { ListenerSecurity } from '../common/security-config.js';
import type { MetadataImage } from '../metadata/image.js';
import type { AuthMetrics } from './auth-metrics.js';
import { mapPrincipal, parsePrincipalMappingRules } from './principal-mapping.js';
import { anonymousPrincipal, subjectDistinguishedName, userPrincipal } from './principal.js';
import { SaslServerSession } from './sasl-server.js';
import { serverTlsOptions } from './tls-context.js';

export class ListenerAuthenticator {
  readonly tls: TlsOptions | null;
  private readonly rules: ReturnType<typeof parsePrincipalMappingRules>;

  /** `configPath`: the node's config file (relative ssl.* locations are read from its directory). */
  constructor(
    readonly listener: string,
    readonly security: ListenerSecurity,
    configPath: string,
    private readonly image: () => MetadataImage | null,
    readonly metrics: AuthMetrics,
    /** The clock of session lifetimes (tests pass their own). */
    private readonly now: () => number = Date.now,
  ) {
    this.tls = security.ssl ? serverTlsOptions(security.ssl, dirname(configPath)) : null;
    this.rules = parsePrincipalMappingRules(security.ssl?.principalMappingRules ?? 'DEFAULT');
  }

  get protocol(): string {
    return this.security.protocol;
  }

  /**
   * The principal of a TLS connection before any SASL: the mapped subject of a trusted client
   * certificate, else User:ANONYMOUS. Throws when the client presented a certificate the
   * truststore does not vouch for, or no mapping rule matches its subject (the connection is refused).
   */
  tlsPrincipal(socket: TLSSocket): string {
    const cert = socket.getPeerX509Certificate();
    if (!cert) return anonymousPrincipal;
    if (!socket.authorized) throw new Error(`untrusted client certificate: ${String(socket.authorizationError)}`);
    return userPrincipal(mapPrincipal(this.rules, subjectDistinguishedName(cert)));
  }

  /** A SASL session for a new connection, or null on a listener without SASL. */
  newSaslSession(): SaslServerSession | null {
    const sasl = this.security.sasl;
    if (!sasl) return null;
    return new SaslServerSession({
      listener: this.listener,
      settings: sasl,
      connectionsMaxReauthMs: this.security.connectionsMaxReauthMs,
      image: this.image,
      metrics: this.metrics,
      now: this.now,
    });
  }
}
