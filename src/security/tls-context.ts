// TLS for the Kafka listeners and raftka's own client, from Kafka's ssl.* settings in PEM form
// (ssl.keystore.type=PEM): a keystore is a private key plus its certificate chain, given as one
// PEM file (ssl.keystore.location) or inline (ssl.keystore.key + ssl.keystore.certificate.chain);
// a truststore is CA certificates (ssl.truststore.location or ssl.truststore.certificates).
// Relative file locations are read from `baseDir` (the directory of the file that named them).
// ssl.client.auth maps to requestCert/rejectUnauthorized; ssl.enabled.protocols to the TLS
// version range (TLSv1.2, TLSv1.3). Who calls: src/server/kafka-listeners.ts, client-security.ts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ConnectionOptions, DEFAULT_CIPHERS, type TlsOptions } from 'node:tls';
import type { SslSettings } from '../common/security-config.js';

export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
}

/** The PEM blocks of `text` whose label matches `label` (e.g. /CERTIFICATE/), each with its armour. */
export function pemBlocks(text: string, label: RegExp): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g))
    if (label.test(m[1]!)) out.push(`${m[0]}\n`);
  return out;
}

function readPem(baseDir: string, location: string, what: string): string {
  try {
    return readFileSync(resolve(baseDir, location), 'utf8');
  } catch (err) {
    throw new TlsConfigError(`cannot read ${what} ${location}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export interface PemMaterial {
  /** Private key and certificate chain (leaf first), or null when none is configured. */
  readonly keystore: { readonly key: string; readonly certChain: string } | null;
  /** Trusted CA certificates, or null (Node's default roots). */
  readonly truststore: string | null;
  readonly keyPassword: string | null;
}

/** Reads the keystore and truststore of `ssl` (files relative to `baseDir`); checks both hold what they should. */
export function loadPemMaterial(
  ssl: Pick<
    SslSettings,
    | 'keystoreLocation'
    | 'keystoreCertificateChain'
    | 'keystoreKey'
    | 'keyPassword'
    | 'truststoreLocation'
    | 'truststoreCertificates'
  >,
  baseDir: string,
): PemMaterial {
  let keystore: PemMaterial['keystore'] = null;
  const text =
    ssl.keystoreKey !== null && ssl.keystoreCertificateChain !== null
      ? `${ssl.keystoreKey}\n${ssl.keystoreCertificateChain}`
      : ssl.keystoreLocation !== null
        ? readPem(baseDir, ssl.keystoreLocation, 'ssl.keystore.location')
        : null;
  if (text !== null) {
    const keys = pemBlocks(text, /PRIVATE KEY$/);
    const certs = pemBlocks(text, /^CERTIFICATE$/);
    if (keys.length !== 1) throw new TlsConfigError(`the keystore must hold one private key (found ${keys.length})`);
    if (certs.length === 0) throw new TlsConfigError('the keystore holds no certificate');
    keystore = { key: keys[0]!, certChain: certs.join('') };
  }
  const trustText =
    ssl.truststoreCertificates ??
    (ssl.truststoreLocation !== null ? readPem(baseDir, ssl.truststoreLocation, 'ssl.truststore.location') : null);
  let truststore: string | null = null;
  if (trustText !== null) {
    const certs = pemBlocks(trustText, /^CERTIFICATE$/);
    if (certs.length === 0) throw new TlsConfigError('the truststore holds no certificate');
    truststore = certs.join('');
  }
  return { keystore, truststore, keyPassword: ssl.keyPassword };
}

function versionRange(protocols: readonly string[]): Pick<TlsOptions, 'minVersion' | 'maxVersion'> {
  const has12 = protocols.includes('TLSv1.2');
  const has13 = protocols.includes('TLSv1.3');
  return { minVersion: has12 ? 'TLSv1.2' : 'TLSv1.3', maxVersion: has13 ? 'TLSv1.3' : 'TLSv1.2' };
}

const preferredCiphers = `TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:${DEFAULT_CIPHERS}`;

/** Options for tls.createServer on a listener with `ssl`. */
export function serverTlsOptions(ssl: SslSettings, baseDir: string): TlsOptions {
  const pem = loadPemMaterial(ssl, baseDir);
  if (!pem.keystore) throw new TlsConfigError('a TLS listener needs a keystore');
  return {
    key: pem.keystore.key,
    cert: pem.keystore.certChain,
    ...(pem.keyPassword !== null ? { passphrase: pem.keyPassword } : {}),
    ...(pem.truststore !== null ? { ca: pem.truststore } : {}),
    requestCert: ssl.clientAuth !== 'none',
    // 'requested': a client may come without a certificate; one it presents must still be valid
    // (the listener refuses an untrusted one itself, as Java's wantClientAuth does).
    rejectUnauthorized: ssl.clientAuth === 'required',
    ...versionRange(ssl.enabledProtocols),
    // Unless ssl.cipher.suites says otherwise: AES-128-GCM first (OpenSSL's TLS 1.3 default puts
    // AES-256 first; AES-128 is as safe for this use and moves bulk data faster), the server's order wins.
    ciphers: ssl.cipherSuites.length > 0 ? ssl.cipherSuites.join(':') : preferredCiphers,
    honorCipherOrder: true,
  };
}

/** Options for tls.connect from client PEM material; `verifyHostname` false skips the name check. */
export function clientTlsOptions(pem: PemMaterial, verifyHostname: boolean): ConnectionOptions {
  return {
    ...(pem.truststore !== null ? { ca: pem.truststore } : {}),
    ...(pem.keystore ? { key: pem.keystore.key, cert: pem.keystore.certChain } : {}),
    ...(pem.keyPassword !== null ? { passphrase: pem.keyPassword } : {}),
    minVersion: 'TLSv1.2',
    ...(verifyHostname ? {} : { checkServerIdentity: () => undefined }),
  };
}
