// The SCRAM exchange of RFC 5802 (SCRAM-SHA-256/512 per RFC 7677, as Kafka's ScramSaslServer
// and ScramSaslClient run it), both sides, with the hash as a parameter so the RFCs' own test
// vectors (SHA-1 in RFC 5802, SHA-256 in RFC 7677) check the maths:
//   C: n,,n=<user>,r=<client nonce>
//   S: r=<client nonce><server nonce>,s=<salt b64>,i=<iterations>
//   C: c=biws,r=<nonce>,p=<ClientProof b64>
//   S: v=<ServerSignature b64>
// ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage), ServerSignature = HMAC(ServerKey,
// AuthMessage), AuthMessage = client-first-bare "," server-first "," client-final-without-proof.
// No channel binding (Kafka has none): a client asking for it ("p=") is refused.
// Who calls: sasl-server.ts (server side), src/client/kafka-connection.ts (client side).
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramHash = 'sha1' | 'sha256' | 'sha512';

/** A user's stored SCRAM credential (what the metadata image holds). */
export interface ScramStoredCredential {
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
}

/** A SCRAM message that breaks the grammar or the rules; the exchange fails. */
export class ScramError extends Error {
  override readonly name = 'ScramError';
}

const hmac = (hash: ScramHash, key: Uint8Array, data: string | Buffer): Buffer =>
  createHmac(hash, key).update(data).digest();
const digest = (hash: ScramHash, data: Uint8Array): Buffer => createHash(hash).update(data).digest();
const keyBytes = (hash: ScramHash): number => (hash === 'sha1' ? 20 : hash === 'sha256' ? 32 : 64);

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** saslname escaping of RFC 5802: ',' → '=2C', '=' → '=3D'. */
export const escapeSaslName = (name: string): string => name.replace(/=/g, '=3D').replace(/,/g, '=2C');
function unescapeSaslName(text: string): string {
  if (/=(?!2C|3D)/.test(text)) throw new ScramError('Invalid username: bad escape');
  return text.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** `a=b,c=d` attributes in order; throws on a part without `x=`. */
function attributes(text: string): [string, string][] {
  return text.split(',').map((part) => {
    if (!/^[A-Za-z]=/.test(part)) throw new ScramError(`Invalid SCRAM message attribute "${part.slice(0, 20)}"`);
    return [part[0]!, part.slice(2)];
  });
}

function attribute(attrs: [string, string][], index: number, name: string): string {
  const a = attrs[index];
  if (!a || a[0] !== name) throw new ScramError(`Invalid SCRAM message: expected ${name}= at position ${index + 1}`);
  return a[1];
}

/** Hi() of RFC 5802 (PBKDF2 with one block). */
export function scramSaltedPassword(hash: ScramHash, password: string, salt: Uint8Array, iterations: number): Buffer {
  return pbkdf2Sync(password, salt, iterations, keyBytes(hash), hash);
}

/** The stored form of a password: what the controller keeps, and what PLAIN compares against. */
export function scramCredentialFor(
  hash: ScramHash,
  password: string,
  salt: Uint8Array,
  iterations: number,
): ScramStoredCredential {
  return { salt, iterations, ...scramKeysOf(hash, scramSaltedPassword(hash, password, salt, iterations)) };
}

/** StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key"). */
export function scramKeysOf(hash: ScramHash, salted: Uint8Array): { storedKey: Buffer; serverKey: Buffer } {
  return { storedKey: digest(hash, hmac(hash, salted, 'Client Key')), serverKey: hmac(hash, salted, 'Server Key') };
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const randomNonce = (): string => randomBytes(24).toString('base64').replace(/,/g, '-');

export interface ScramServerOptions {
  readonly hash: ScramHash;
  /** The credential of `username`, or null when there is no such user. */
  readonly credentialOf: (username: string) => ScramStoredCredential | null;
  /** Iterations refused below this (Kafka: 4096). */
  readonly iterationsMin: number;
  /** For tests: the server's nonce part. */
  readonly nonce?: () => string;
}

/**
 * One server-side exchange. An unknown user is not refused at once: the exchange goes on with a
 * made-up salt and fails at the proof exactly as a wrong password does, so a client learns nothing
 * about which part was wrong.
 */
export class ScramServerExchange {
  private step: 'first' | 'final' | 'done' = 'first';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';
  private credential: ScramStoredCredential | null = null;
  /** Set once the proof checked out. */
  username: string | null = null;
  private claimed = '';

  constructor(private readonly o: ScramServerOptions) {}

  /** The server's answer to a client message; throws ScramError when the exchange fails. */
  evaluate(message: Buffer): { response: Buffer; done: boolean } {
    const text = message.toString('utf8');
    if (this.step === 'first') return { response: Buffer.from(this.first(text), 'utf8'), done: false };
    if (this.step === 'final') return { response: Buffer.from(this.final(text), 'utf8'), done: true };
    throw new ScramError('SCRAM exchange already complete');
  }

  private first(text: string): string {
    const m = /^([ny]|p=[^,]*),(a=[^,]*)?,(.*)$/s.exec(text);
    if (!m) throw new ScramError('Invalid SCRAM client first message');
    if (m[1]!.startsWith('p=')) throw new ScramError('SCRAM channel binding is not supported');
    this.gs2Header = `${m[1]},${m[2] ?? ''},`;
    this.clientFirstBare = m[3]!;
    const attrs = attributes(this.clientFirstBare);
    if (attrs[0]?.[0] === 'm') throw new ScramError('SCRAM mandatory extensions are not supported');
    this.claimed = unescapeSaslName(attribute(attrs, 0, 'n'));
    const clientNonce = attribute(attrs, 1, 'r');
    if (clientNonce === '') throw new ScramError('Invalid SCRAM client nonce');
    for (const [k, v] of attrs.slice(2))
      if (k === 'e' || v.includes('tokenauth')) throw new ScramError('SCRAM delegation tokens are not supported');
    if (m[2] && unescapeSaslName(m[2].slice(2)) !== this.claimed)
      throw new ScramError(
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    const found = this.o.credentialOf(this.claimed);
    this.credential = found && found.iterations >= this.o.iterationsMin ? found : null;
    const salt = this.credential?.salt ?? madeUpSalt(this.claimed);
    const iterations = this.credential?.iterations ?? this.o.iterationsMin;
    this.nonce = clientNonce + (this.o.nonce ?? randomNonce)();
    this.serverFirst = `r=${this.nonce},s=${Buffer.from(salt).toString('base64')},i=${iterations}`;
    this.step = 'final';
    return this.serverFirst;
  }

  private final(text: string): string {
    this.step = 'done';
    const i = text.lastIndexOf(',p=');
    if (i < 0) throw new ScramError('Invalid SCRAM client final message: no proof');
    const withoutProof = text.slice(0, i);
    const attrs = attributes(withoutProof);
    if (attribute(attrs, 0, 'c') !== Buffer.from(this.gs2Header, 'utf8').toString('base64'))
      throw new ScramError('Invalid SCRAM channel binding');
    // Kafka's ScramSaslServer only checks that the nonce ends with the server's: librdkafka 2.0
    // sends the client nonce once more in front of the combined one, and Kafka lets it in.
    if (!attribute(attrs, 1, 'r').endsWith(this.nonce)) throw new ScramError('Invalid SCRAM nonce');
    const proof = Buffer.from(text.slice(i + 3), 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const credential = this.credential;
    const hash = this.o.hash;
    if (!credential || proof.length !== keyBytes(hash)) throw new ScramError('Invalid credentials');
    const clientKey = xor(proof, hmac(hash, credential.storedKey, authMessage));
    if (!sameBytes(digest(hash, clientKey), credential.storedKey)) throw new ScramError('Invalid credentials');
    this.username = this.claimed;
    return `v=${hmac(hash, credential.serverKey, authMessage).toString('base64')}`;
  }
}

const fakeSaltKey = randomBytes(32);
/** A salt that stays the same for one unknown name within this process (a fresh one per try would tell). */
function madeUpSalt(name: string): Buffer {
  return createHmac('sha256', fakeSaltKey).update(name).digest().subarray(0, 16);
}

/** One client-side exchange: first() → the client-first message; final(serverFirst) → client-final; verify(serverFinal). */
export class ScramClientExchange {
  private clientFirstBare = '';
  private expectedServerSignature: Buffer | null = null;

  constructor(
    private readonly hash: ScramHash,
    private readonly username: string,
    private readonly password: string,
    private readonly clientNonce: string = randomNonce(),
  ) {}

  first(): Buffer {
    this.clientFirstBare = `n=${escapeSaslName(this.username)},r=${this.clientNonce}`;
    return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8');
  }

  final(serverFirstMessage: Buffer, iterationsMin: number): Buffer {
    const serverFirst = serverFirstMessage.toString('utf8');
    const attrs = attributes(serverFirst);
    if (attrs[0]?.[0] === 'e') throw new ScramError(`SCRAM server error: ${attrs[0][1]}`);
    const nonce = attribute(attrs, 0, 'r');
    const salt = Buffer.from(attribute(attrs, 1, 's'), 'base64');
    const iterations = Number(attribute(attrs, 2, 'i'));
    if (!nonce.startsWith(this.clientNonce) || nonce === this.clientNonce)
      throw new ScramError('Invalid SCRAM server nonce');
    if (!Number.isInteger(iterations) || iterations < iterationsMin)
      throw new ScramError(`SCRAM iterations ${iterations} below the minimum ${iterationsMin}`);
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const salted = scramSaltedPassword(this.hash, this.password, salt, iterations);
    const clientKey = hmac(this.hash, salted, 'Client Key');
    const storedKey = digest(this.hash, clientKey);
    const proof = xor(clientKey, hmac(this.hash, storedKey, authMessage));
    this.expectedServerSignature = hmac(this.hash, hmac(this.hash, salted, 'Server Key'), authMessage);
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** Throws unless the server proved it knows the credential. */
  verify(serverFinalMessage: Buffer): void {
    const attrs = attributes(serverFinalMessage.toString('utf8'));
    if (attrs[0]?.[0] === 'e') throw new ScramError(`SCRAM server error: ${attrs[0][1]}`);
    const signature = Buffer.from(attribute(attrs, 0, 'v'), 'base64');
    if (!this.expectedServerSignature || !sameBytes(signature, this.expectedServerSignature))
      throw new ScramError('Invalid SCRAM server signature');
  }
}
