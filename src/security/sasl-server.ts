// The server side of SASL on one Kafka connection (KIP-43, KIP-152, KIP-368), as Kafka's
// SaslServerAuthenticator: which requests a connection may send in which state, the
// SaslHandshake and SaslAuthenticate answers, the mechanisms (PLAIN and SCRAM-SHA-256/512 with
// credentials from the metadata image), the session lifetime and re-authentication.
//
// States: handshake (only ApiVersions and SaslHandshake) → authenticate (SaslAuthenticate, or
// raw tokens after a v0 handshake) → authenticated (everything; a SaslHandshake starts a
// re-authentication with the same mechanism and principal). A failed login answers
// SASL_AUTHENTICATION_FAILED with the same message whatever was wrong, then the connection closes.
// Who calls: src/server/kafka-server.ts, one SaslServerSession per connection.
import { createHash } from 'node:crypto';
import { ErrorCode } from '../common/errors.js';
import type { SaslMechanismName, SaslSettings } from '../common/security-config.js';
import { scramKey, type MetadataImage } from '../metadata/image.js';
import { ScramMechanism } from '../protocol/scram-types.js';
import type { AuthMetrics } from './auth-metrics.js';
import { jaasUsers, parseJaasConfig } from './jaas.js';
import { userPrincipal } from './principal.js';
import { parsePlainMessage, PlainParseError } from './sasl-plain.js';
import { scramHashOf, scramIterationsMin } from './scram.js';
import {
  sameBytes,
  scramCredentialFor,
  type ScramHash,
  ScramServerExchange,
  type ScramStoredCredential,
} from './scram-exchange.js';

const apiVersionsKey = 18;
const saslHandshakeKey = 17;
const saslAuthenticateKey = 36;

const scramIds: Readonly<Record<string, number>> = {
  'SCRAM-SHA-256': ScramMechanism.SCRAM_SHA_256,
  'SCRAM-SHA-512': ScramMechanism.SCRAM_SHA_512,
};

/** Kafka's messages for a refused login: they never say whether the user or the password was wrong. */
export function authenticationFailedMessage(mechanism: string): string {
  return mechanism === 'PLAIN'
    ? 'Authentication failed: Invalid username or password'
    : `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;
}

/** What one listener's sessions share. */
export interface SaslServerConfig {
  readonly listener: string;
  readonly settings: SaslSettings;
  /** connections.max.reauth.ms; 0: sessions never expire. */
  readonly connectionsMaxReauthMs: number;
  /** The broker's current metadata image (SCRAM credentials), or null before the first one. */
  readonly image: () => MetadataImage | null;
  readonly metrics: AuthMetrics;
  readonly now?: () => number;
}

/** What the server should do with a request, decided when its frame arrives (in order). */
export type Gate = 'serve' | 'sasl' | 'raw-token' | 'unauthenticated' | 'expired';

export interface HandshakeAnswer {
  readonly errorCode: number;
  readonly mechanisms: string[];
  /** Close the connection after sending the answer. */
  readonly close: boolean;
}

export interface AuthenticateAnswer {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly authBytes: Buffer;
  readonly sessionLifetimeMs: number;
  readonly close: boolean;
  /** Why a login was refused: for the broker's log only, never sent to the client. */
  readonly reason?: string;
}

/** One mechanism's exchange: a client token in, the server's token out (throws on failure). */
interface MechanismExchange {
  evaluate(token: Buffer): { response: Buffer; done: boolean; username: string | null };
}

export class SaslServerSession {
  private state: 'handshake' | 'authenticate' | 'raw' | 'authenticated' | 'failed' = 'handshake';
  private mechanism: SaslMechanismName | null = null;
  private exchange: MechanismExchange | null = null;
  /** `User:<name>` once authenticated (kept through a re-authentication). */
  principal: string | null = null;
  private expiresAt: number | null = null;
  private readonly now: () => number;

  constructor(private readonly config: SaslServerConfig) {
    this.now = config.now ?? Date.now;
  }

  /** Decide what to do with a request of `apiKey` (raw: the frame is a v0 token, not a request). */
  gate(apiKey: number | null): Gate {
    if (this.state === 'raw') return 'raw-token';
    const sasl = apiKey === saslHandshakeKey || apiKey === saslAuthenticateKey;
    if (this.principal !== null) {
      // As Kafka's Processor: once the session has expired, any request but the SaslAuthenticate
      // of a re-authentication already under way closes the connection, a new SaslHandshake too.
      const expired = this.expiresAt !== null && this.now() >= this.expiresAt;
      if (expired && !(apiKey === saslAuthenticateKey && this.state === 'authenticate')) return 'expired';
      return sasl ? 'sasl' : 'serve';
    }
    if (sasl) return 'sasl';
    return apiKey === apiVersionsKey && this.state === 'handshake' ? 'serve' : 'unauthenticated';
  }

  handshake(mechanism: string, version: number): HandshakeAnswer {
    const mechanisms = [...this.config.settings.enabledMechanisms];
    const reauthenticating = this.state === 'authenticated';
    if (this.state !== 'handshake' && !reauthenticating)
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms, close: true };
    const chosen = mechanisms.find((m) => m === mechanism);
    if (!chosen || (reauthenticating && chosen !== this.mechanism))
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms, close: true };
    this.mechanism = chosen;
    this.exchange = this.newExchange(chosen);
    this.state = version === 0 ? 'raw' : 'authenticate';
    return { errorCode: 0, mechanisms, close: false };
  }

  /** One SaslAuthenticate (or, after a v0 handshake, one raw token). */
  authenticate(token: Buffer): AuthenticateAnswer {
    const mechanism = this.mechanism;
    if ((this.state !== 'authenticate' && this.state !== 'raw') || !this.exchange || !mechanism) {
      return {
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        errorMessage: 'SaslAuthenticate request received in an unexpected state',
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0,
        close: true,
      };
    }
    const labels = { listener: this.config.listener, mechanism };
    let step: { response: Buffer; done: boolean; username: string | null };
    try {
      step = this.exchange.evaluate(token);
    } catch (err) {
      return this.refuse(mechanism, err);
    }
    if (!step.done)
      return { errorCode: 0, errorMessage: null, authBytes: step.response, sessionLifetimeMs: 0, close: false };
    const principal = userPrincipal(step.username ?? '');
    if (this.principal !== null && principal !== this.principal)
      return this.refuse(mechanism, new Error('Cannot change principals during re-authentication'));
    this.principal = principal;
    this.state = 'authenticated';
    this.exchange = null;
    const lifetime = this.config.connectionsMaxReauthMs;
    this.expiresAt = lifetime > 0 ? this.now() + lifetime : null;
    this.config.metrics.saslAuthentications.inc({ ...labels, result: 'success' });
    return { errorCode: 0, errorMessage: null, authBytes: step.response, sessionLifetimeMs: lifetime, close: false };
  }

  get mechanismName(): string | null {
    return this.mechanism;
  }

  private refuse(mechanism: SaslMechanismName, err: unknown): AuthenticateAnswer {
    this.state = 'failed';
    this.exchange = null;
    this.config.metrics.saslAuthentications.inc({ listener: this.config.listener, mechanism, result: 'failure' });
    return {
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: authenticationFailedMessage(mechanism),
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0,
      close: true,
      reason: err instanceof Error ? err.message : String(err),
    };
  }

  private newExchange(mechanism: SaslMechanismName): MechanismExchange {
    if (mechanism === 'PLAIN') return plainExchange(this.config);
    const id = scramIds[mechanism]!;
    const scram = new ScramServerExchange({
      hash: scramHashOf(id),
      iterationsMin: scramIterationsMin,
      credentialOf: (name) => this.config.image()?.scram.get(scramKey(name, id)) ?? null,
    });
    return {
      evaluate: (token) => {
        const { response, done } = scram.evaluate(token);
        return { response, done, username: scram.username };
      },
    };
  }
}

/**
 * PLAIN checks the password against the listener's JAAS users (`user_<name>="<password>"`, Kafka's
 * PlainLoginModule), else against the user's SCRAM credential in the metadata image (SHA-512,
 * then SHA-256), so users made with `raftka configs --add-config SCRAM-...` can log in with PLAIN.
 */
function plainExchange(config: SaslServerConfig): MechanismExchange {
  const jaas = config.settings.jaasConfigs.get('PLAIN') ?? config.settings.jaasConfigs.get('');
  const users = jaas ? jaasUsers(parseJaasConfig(jaas)) : new Map<string, string>();
  return {
    evaluate: (token) => {
      const { username, password } = parsePlainMessage(token);
      if (!plainPasswordMatches(users, config.image(), username, password))
        throw new PlainParseError('Invalid username or password');
      return { response: Buffer.alloc(0), done: true, username };
    },
  };
}

function plainPasswordMatches(
  users: ReadonlyMap<string, string>,
  image: MetadataImage | null,
  username: string,
  password: string,
): boolean {
  const configured = users.get(username);
  if (configured !== undefined) return sameBytes(digestOf(configured), digestOf(password));
  for (const id of [ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256]) {
    const stored = image?.scram.get(scramKey(username, id));
    if (stored) return matchesScram(scramHashOf(id), stored, password);
  }
  return false;
}

function matchesScram(hash: ScramHash, stored: ScramStoredCredential, password: string): boolean {
  return sameBytes(scramCredentialFor(hash, password, stored.salt, stored.iterations).storedKey, stored.storedKey);
}

/** Equal-length digests, so comparing configured passwords takes the same time whatever they are. */
const digestOf = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
