// The per-connection SASL state machine (src/security/sasl-server.ts) without sockets: which
// requests pass in which state, Kafka's error codes for a wrong mechanism, a request out of turn
// and a re-authentication that changes mechanism or principal, and the counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { ErrorCode } from '../../src/common/errors.js';
import { emptyImage, scramKey, type MetadataImage } from '../../src/metadata/image.js';
import { ScramMechanism } from '../../src/protocol/scram-types.js';
import { AuthMetrics } from '../../src/security/auth-metrics.js';
import { saslClientExchange } from '../../src/security/sasl-client.js';
import { SaslServerSession } from '../../src/security/sasl-server.js';
import { scramCredentialFor } from '../../src/security/scram-exchange.js';

const image: MetadataImage = {
  ...emptyImage,
  scram: new Map(
    ['alice', 'bob'].map((name) => [
      scramKey(name, ScramMechanism.SCRAM_SHA_256),
      { name, mechanism: 1, ...scramCredentialFor('sha256', `${name}-pw`, randomBytes(16), 4096) },
    ]),
  ),
};

function session(metrics = new AuthMetrics(new Registry(), [])): SaslServerSession {
  return new SaslServerSession({
    listener: 'L',
    settings: {
      enabledMechanisms: ['PLAIN', 'SCRAM-SHA-256'],
      jaasConfigs: new Map(),
      interBrokerMechanism: 'PLAIN',
    },
    connectionsMaxReauthMs: 0,
    image: () => image,
    metrics,
  });
}

/** Runs a whole login; returns the last answer's error code. */
function login(s: SaslServerSession, mechanism: 'PLAIN' | 'SCRAM-SHA-256', username: string, password: string): number {
  assert.equal(s.handshake(mechanism, 1).errorCode, 0);
  const exchange = saslClientExchange({ mechanism, username, password });
  let token: Buffer | null = exchange.first();
  while (token) {
    const a = s.authenticate(token);
    if (a.errorCode !== 0) return a.errorCode;
    token = exchange.respond(a.authBytes);
  }
  return 0;
}

test('before the login only ApiVersions and SASL pass; after it everything does', () => {
  const s = session();
  assert.equal(s.gate(18), 'serve');
  assert.equal(s.gate(3), 'unauthenticated');
  assert.equal(s.gate(17), 'sasl');
  assert.equal(login(s, 'SCRAM-SHA-256', 'alice', 'alice-pw'), 0);
  assert.equal(s.principal, 'User:alice');
  assert.equal(s.gate(3), 'serve');
  assert.equal(s.gate(0), 'serve');
});

test('an unknown mechanism: UNSUPPORTED_SASL_MECHANISM with the enabled list, then close', () => {
  const a = session().handshake('GSSAPI', 1);
  assert.deepEqual(a, {
    errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
    mechanisms: ['PLAIN', 'SCRAM-SHA-256'],
    close: true,
  });
});

test('SaslAuthenticate before SaslHandshake, or a second handshake mid-login: ILLEGAL_SASL_STATE, then close', () => {
  const a = session().authenticate(Buffer.from('x'));
  assert.equal(a.errorCode, ErrorCode.ILLEGAL_SASL_STATE);
  assert.equal(a.close, true);
  const s = session();
  s.handshake('PLAIN', 1);
  assert.equal(s.handshake('PLAIN', 1).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
});

test('re-authentication keeps mechanism and principal: another mechanism or user is refused', () => {
  const s = session();
  assert.equal(login(s, 'SCRAM-SHA-256', 'alice', 'alice-pw'), 0);
  assert.equal(login(s, 'SCRAM-SHA-256', 'alice', 'alice-pw'), 0, 'the same login again is fine');
  assert.equal(s.handshake('PLAIN', 1).errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM);
  const t = session();
  assert.equal(login(t, 'PLAIN', 'alice', 'alice-pw'), 0);
  assert.equal(login(t, 'PLAIN', 'bob', 'bob-pw'), ErrorCode.SASL_AUTHENTICATION_FAILED);
});

test('PLAIN checks SCRAM credentials from the image; results are counted per mechanism', async () => {
  const registry = new Registry();
  const metrics = new AuthMetrics(registry, [{ listener: 'L', mechanisms: ['PLAIN', 'SCRAM-SHA-256'] }]);
  assert.equal(login(session(metrics), 'PLAIN', 'bob', 'bob-pw'), 0);
  assert.equal(login(session(metrics), 'PLAIN', 'bob', 'alice-pw'), ErrorCode.SASL_AUTHENTICATION_FAILED);
  assert.equal(login(session(metrics), 'SCRAM-SHA-256', 'carol', 'x'), ErrorCode.SASL_AUTHENTICATION_FAILED);
  const text = await registry.metrics();
  assert.match(text, /raftka_sasl_authentications_total\{listener="L",mechanism="PLAIN",result="success"\} 1/);
  assert.match(text, /raftka_sasl_authentications_total\{listener="L",mechanism="PLAIN",result="failure"\} 1/);
  assert.match(text, /raftka_sasl_authentications_total\{listener="L",mechanism="SCRAM-SHA-256",result="failure"\} 1/);
});
