// Kafka principals as the authorizer will see them: `User:<name>` from SASL, the mapped
// certificate subject for TLS client authentication, `User:ANONYMOUS` otherwise (Kafka's
// DefaultKafkaPrincipalBuilder). Also turns a peer certificate's subject into the RFC 2253
// distinguished name Kafka's rules match against (X500Principal.getName(): most specific RDN
// first, e.g. "CN=client,OU=eng,O=raftka,C=US"). Who calls: src/server/kafka-server.ts.
import type { X509Certificate } from 'node:crypto';

export const anonymousPrincipal = 'User:ANONYMOUS';

export function userPrincipal(name: string): string {
  return `User:${name}`;
}

/**
 * The subject of `cert` as RFC 2253 text. Node gives the subject one attribute a line, values
 * already escaped the RFC 2253 way (`\,`), in certificate order (least specific first); RFC 2253
 * lists them the other way round.
 */
export function subjectDistinguishedName(cert: X509Certificate): string {
  return cert.subject
    .split('\n')
    .filter((line) => line.includes('='))
    .reverse()
    .join(',');
}
