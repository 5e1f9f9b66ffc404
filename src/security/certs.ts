// `raftka certs create`: a private certificate authority and the certificates a secured cluster
// needs, made with Debian's `openssl` command (run with execFile, never a shell; nothing is
// downloaded). ECDSA P-256 keys; every leaf certificate is for both TLS server and client use, with
// the given host names and addresses as subject alternative names, so one node certificate serves
// its listener and, later, its gRPC links. Files in `dir`:
//   ca.pem, ca.key                     the CA certificate (the truststore) and its key
//   <name>.pem                         key + certificate + CA (a PEM keystore: ssl.keystore.location)
//   <name>.key, <name>.crt             the same key and certificate apart (librdkafka's ssl.key.location ...)
// An existing CA is reused and existing certificates are kept, so running it again only adds what
// is missing. Who calls: src/cli/certs-command.ts; tests.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class CertsError extends Error {
  override readonly name = 'CertsError';
}

export interface CertsOptions {
  readonly dir: string;
  /** Certificates to make: a file name and the certificate's common name. */
  readonly names: readonly string[];
  /** Subject alternative names: host names and IP addresses (default localhost, 127.0.0.1). */
  readonly hosts?: readonly string[];
  readonly days?: number;
  /** Organization (O=) of every subject (default raftka). */
  readonly organization?: string;
}

const validName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await run('openssl', args as string[], { timeout: 30_000 });
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new CertsError('openssl is not installed (Debian: apt-get install openssl)');
    throw new CertsError(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Makes what is missing; returns the files written. */
export async function createCertificates(options: CertsOptions): Promise<string[]> {
  const { dir } = options;
  const hosts = options.hosts ?? ['localhost', '127.0.0.1'];
  const days = String(options.days ?? 825);
  const org = options.organization ?? 'raftka';
  for (const name of options.names)
    if (!validName.test(name)) throw new CertsError(`invalid certificate name "${name}"`);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const caCert = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  if (!existsSync(caCert) || !existsSync(caKey)) {
    await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', caKey]);
    await openssl([
      ...['req', '-x509', '-new', '-key', caKey, '-out', caCert, '-days', String(Number(days) * 2)],
      ...['-subj', `/O=${org}/CN=${org} CA`, '-sha256'],
      ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    ]);
    written.push(caCert, caKey);
  }
  const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  for (const name of options.names) {
    const keystore = join(dir, `${name}.pem`);
    if (existsSync(keystore)) continue;
    const key = join(dir, `${name}.key`);
    const crt = join(dir, `${name}.crt`);
    const csr = join(dir, `${name}.csr`);
    const ext = join(dir, `${name}.ext`);
    await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    await openssl(['req', '-new', '-key', key, '-out', csr, '-subj', `/O=${org}/CN=${name}`]);
    writeFileSync(
      ext,
      `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${san}\n`,
    );
    await openssl([
      ...['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-out', crt],
      ...['-days', days, '-sha256', '-extfile', ext, '-set_serial', `0x${randomSerial()}`],
    ]);
    rmSync(csr);
    rmSync(ext);
    writeFileSync(keystore, readFileSync(key, 'utf8') + readFileSync(crt, 'utf8') + readFileSync(caCert, 'utf8'), {
      mode: 0o600,
    });
    written.push(keystore, key, crt);
  }
  return written;
}

/** A positive 63-bit serial in hex (RFC 5280: unique per CA, at most 20 octets). */
function randomSerial(): string {
  const b = randomBytes(8);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}
