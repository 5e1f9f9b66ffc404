// The Kafka listener's TLS and SASL over real sockets, with raftka's own client and hand-made
// frames: the principal a handler sees (SASL user, mapped certificate subject, ANONYMOUS), PLAIN
// (JAAS users and SCRAM credentials), SCRAM-SHA-256/512, a refused login (error 58, the same
// message for a wrong password and an unknown user), requests before the login closing the
// connection, SaslHandshake v0 raw tokens, and connections.max.reauth.ms (KIP-368): the session
// lifetime in SaslAuthenticate v1+, a re-authentication, and an expired session's next request
// closing the connection.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { KafkaApiRegistry } from '../../src/broker/api-context.js';
import { KafkaAuthenticationError, KafkaConnection } from '../../src/client/kafka-connection.js';
import { ErrorCode } from '../../src/common/errors.js';
import { parseListenerSecurity } from '../../src/common/security-config.js';
import { emptyImage, scramKey, type MetadataImage, type ScramCredential } from '../../src/metadata/image.js';
import { apiVersionsResponse } from '../../src/protocol/apis.js';
import { encodeRequestFrame, FrameSplitter } from '../../src/protocol/frame.js';
import { apiVersionsApi } from '../../src/protocol/messages/api-versions.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { metadataApi } from '../../src/protocol/messages/metadata.js';
import { saslAuthenticateApi } from '../../src/protocol/messages/sasl-authenticate.js';
import { saslHandshakeApi } from '../../src/protocol/messages/sasl-handshake.js';
import { ScramMechanism } from '../../src/protocol/scram-types.js';
import { AuthMetrics } from '../../src/security/auth-metrics.js';
import { createCertificates } from '../../src/security/certs.js';
import { type ClientSecurity, clientSecurityFromProperties } from '../../src/security/client-security.js';
import { ListenerAuthenticator } from '../../src/security/listener-auth.js';
import { saslClientExchange } from '../../src/security/sasl-client.js';
import { scramCredentialFor } from '../../src/security/scram-exchange.js';
import { KafkaRequestMetrics } from '../../src/server/kafka-request-metrics.js';
import { KafkaServer } from '../../src/server/kafka-server.js';

const root = mkdtempSync(join(tmpdir(), 'raftka-sec-'));
const certs = join(root, 'certs');
const servers: KafkaServer[] = [];
let clock = 1_000_000;
const registry = new Registry();
const authMetrics = new AuthMetrics(registry, []);

function credential(mechanism: number, password: string): ScramCredential {
  const c = scramCredentialFor(mechanism === 1 ? 'sha256' : 'sha512', password, randomBytes(16), 4096);
  return { name: 'alice', mechanism, ...c };
}
const image: MetadataImage = {
  ...emptyImage,
  scram: new Map([
    [scramKey('alice', ScramMechanism.SCRAM_SHA_256), credential(ScramMechanism.SCRAM_SHA_256, 'alice-secret')],
    [scramKey('alice', ScramMechanism.SCRAM_SHA_512), credential(ScramMechanism.SCRAM_SHA_512, 'alice-secret')],
  ]),
};

/** Handlers that answer ApiVersions, and Metadata with the principal in cluster_id (so a test can see it). */
function handlers(): KafkaApiRegistry {
  const apis = new KafkaApiRegistry();
  apis.register(apiVersionsApi, () => apiVersionsResponse(0, () => true));
  apis.register(metadataApi, (_req, rc) => ({ brokers: [], clusterId: rc.principal, controllerId: -1, topics: [] }));
  return apis;
}

/** A listener of `protocol` with extra properties; resolves to its port. */
async function listen(protocol: string, props: Record<string, string>): Promise<number> {
  const all = new Map(Object.entries({ 'ssl.keystore.location': join(certs, 'node-0.pem'), ...props }));
  const security = parseListenerSecurity(all, [protocol], new Map([[protocol, protocol]]), (m) => {
    throw new Error(m);
  }).get(protocol)!;
  const apis = handlers();
  const server = new KafkaServer({
    listener: { name: protocol, host: '127.0.0.1', port: 0 },
    logger: pino({ level: 'silent' }),
    metrics: new KafkaRequestMetrics(new Registry(), apis.apiNames()),
    requestBytesMax: 1 << 20,
    handlers: apis,
    auth: new ListenerAuthenticator(
      protocol,
      security,
      join(root, 'x.properties'),
      () => image,
      authMetrics,
      () => clock,
    ),
  });
  servers.push(server);
  return server.start();
}

function client(props: Record<string, string>): ClientSecurity {
  return clientSecurityFromProperties(new Map(Object.entries(props)), certs);
}

async function principalOver(port: number, security: ClientSecurity): Promise<string> {
  const c = await KafkaConnection.open({ host: '127.0.0.1', port }, 'sec-test', 5000, security);
  try {
    const md = await c.send(metadataApi, { topics: [] }, 5000);
    return md.clusterId ?? '';
  } finally {
    c.close();
  }
}

const jaas = (module: string, user: string, password: string): string =>
  `org.apache.kafka.common.security.${module} required username="${user}" password="${password}";`;
const scram = (mechanism: string, user: string, password: string): Record<string, string> => ({
  'sasl.mechanism': mechanism,
  'sasl.jaas.config': jaas('scram.ScramLoginModule', user, password),
});

let saslSsl = 0;
let saslPlain = 0;
let sslRequired = 0;
let sslRequested = 0;

before(async () => {
  await createCertificates({ dir: certs, names: ['node-0', 'client'] });
  saslSsl = await listen('SASL_SSL', { 'ssl.truststore.location': join(certs, 'ca.pem') });
  const trust = { 'ssl.truststore.location': join(certs, 'ca.pem') };
  sslRequired = await listen('SSL', {
    ...trust,
    'ssl.client.auth': 'required',
    'ssl.principal.mapping.rules': 'RULE:^CN=([^,]+),O=other$/$1/,RULE:^CN=([^,]+),O=raftka$/$1/U,DEFAULT',
  });
  sslRequested = await listen('SSL', { ...trust, 'ssl.client.auth': 'requested', 'ssl.enabled.protocols': 'TLSv1.3' });
  saslPlain = await listen('SASL_PLAINTEXT', {
    'connections.max.reauth.ms': '60000',
    'connection.failed.authentication.delay.ms': '0',
    'plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret";`,
  });
});

after(async () => {
  for (const s of servers) await s.close();
  rmSync(root, { recursive: true, force: true });
});

test('SASL_SSL with SCRAM-SHA-256 and -512 and PLAIN: the handler sees User:<name>', async () => {
  const tls = { 'security.protocol': 'SASL_SSL', 'ssl.truststore.location': 'ca.pem' };
  assert.equal(
    await principalOver(saslSsl, client({ ...tls, ...scram('SCRAM-SHA-256', 'alice', 'alice-secret') })),
    'User:alice',
  );
  assert.equal(
    await principalOver(saslSsl, client({ ...tls, ...scram('SCRAM-SHA-512', 'alice', 'alice-secret') })),
    'User:alice',
  );
  // PLAIN against the SCRAM credential in the image (no JAAS users on this listener).
  const plain = {
    'sasl.mechanism': 'PLAIN',
    'sasl.jaas.config': jaas('plain.PlainLoginModule', 'alice', 'alice-secret'),
  };
  assert.equal(await principalOver(saslSsl, client({ ...tls, ...plain })), 'User:alice');
});

test('a wrong password and an unknown user get error 58 with one message; the listener stays up', async () => {
  const refused = async (props: Record<string, string>): Promise<KafkaAuthenticationError> => {
    const err = await principalOver(saslPlain, client({ 'security.protocol': 'SASL_PLAINTEXT', ...props })).then(
      () => assert.fail('logged in'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof KafkaAuthenticationError, String(err));
    assert.equal(err.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    return err;
  };
  const wrong = await refused(scram('SCRAM-SHA-256', 'alice', 'not-it'));
  const unknown = await refused(scram('SCRAM-SHA-256', 'mallory', 'alice-secret'));
  assert.equal(wrong.message, unknown.message);
  assert.match(wrong.message, /Authentication failed/);
  const plainWrong = await refused({
    'sasl.mechanism': 'PLAIN',
    'sasl.jaas.config': jaas('plain.PlainLoginModule', 'admin', 'x'),
  });
  const plainUnknown = await refused({
    'sasl.mechanism': 'PLAIN',
    'sasl.jaas.config': jaas('plain.PlainLoginModule', 'x', 'admin-secret'),
  });
  assert.equal(plainWrong.message, 'SASL_AUTHENTICATION_FAILED: Authentication failed: Invalid username or password');
  assert.equal(plainUnknown.message, plainWrong.message);
  // PLAIN with the JAAS user, right after.
  const plain = {
    'sasl.mechanism': 'PLAIN',
    'sasl.jaas.config': jaas('plain.PlainLoginModule', 'admin', 'admin-secret'),
  };
  assert.equal(
    await principalOver(saslPlain, client({ 'security.protocol': 'SASL_PLAINTEXT', ...plain })),
    'User:admin',
  );
  const text = await registry.metrics();
  assert.match(
    text,
    /raftka_sasl_authentications_total\{listener="SASL_PLAINTEXT",mechanism="SCRAM-SHA-256",result="failure"\} 2/,
  );
  assert.match(
    text,
    /raftka_sasl_authentications_total\{listener="SASL_PLAINTEXT",mechanism="PLAIN",result="success"\} 1/,
  );
});

test('SSL: a client certificate gives the mapped subject; required refuses a client without one', async () => {
  const withCert = {
    'security.protocol': 'SSL',
    'ssl.truststore.location': 'ca.pem',
    'ssl.keystore.location': 'client.pem',
  };
  const noCert = { 'security.protocol': 'SSL', 'ssl.truststore.location': 'ca.pem' };
  assert.equal(await principalOver(sslRequired, client(withCert)), 'User:CLIENT');
  await assert.rejects(principalOver(sslRequired, client(noCert)));
  assert.equal(await principalOver(sslRequested, client(noCert)), 'User:ANONYMOUS');
  assert.equal(await principalOver(sslRequested, client(withCert)), 'User:CN=client,O=raftka');
  // An untrusted server certificate is refused by the client (no truststore: Node's public roots).
  await assert.rejects(principalOver(sslRequested, client({ 'security.protocol': 'SSL' })), /certificate/);
  assert.match(await registry.metrics(), /raftka_tls_handshake_failures_total\{listener="SSL"\} [1-9]/);
});

/** A raw socket that collects response frames. */
function rawSocket(port: number): { send(b: Buffer): void; next(): Promise<Buffer>; closed: Promise<void> } {
  const s = connect(port, '127.0.0.1');
  const splitter = new FrameSplitter();
  const frames: Buffer[] = [];
  const waiters: ((b: Buffer) => void)[] = [];
  s.on('data', (chunk: Buffer) => {
    for (const f of splitter.push(chunk)) {
      const w = waiters.shift();
      if (w) w(f);
      else frames.push(f);
    }
  });
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  s.on('error', () => undefined);
  return {
    send: (b) => s.write(b),
    next: () => {
      const f = frames.shift();
      return f ? Promise.resolve(f) : new Promise((r) => waiters.push(r));
    },
    closed,
  };
}

test('before the login only ApiVersions and SASL pass: ApiVersions lists them, Metadata closes the connection', async () => {
  const s = rawSocket(saslPlain);
  s.send(encodeRequestFrame(apiVersionsApi, 0, 1, 'raw', {} as never));
  const versions = apiVersionsApi.decodeResponse(0, readerAfterHeader(await s.next(), 0));
  const keys = versions.apiKeys.map((k) => k.apiKey);
  assert.ok(keys.includes(17) && keys.includes(36), String(keys));
  s.send(encodeRequestFrame(metadataApi, 1, 2, 'raw', { topics: [] } as never));
  await s.closed;
});

test('before the login, a request over 512 KiB (sasl.server.max.receive.size) closes the connection', {
  timeout: 10_000,
}, async () => {
  const s = rawSocket(saslPlain);
  const size = Buffer.alloc(4);
  size.writeInt32BE(10 * 1024 * 1024);
  s.send(Buffer.concat([size, Buffer.alloc(600 * 1024)]));
  await s.closed;
});

test('SaslHandshake v0: the PLAIN token follows unframed by a Kafka header', async () => {
  const s = rawSocket(saslPlain);
  s.send(encodeRequestFrame(saslHandshakeApi, 0, 1, 'raw', { mechanism: 'PLAIN' }));
  const hs = saslHandshakeApi.decodeResponse(0, readerAfterHeader(await s.next(), 0));
  assert.equal(hs.errorCode, 0);
  assert.deepEqual(hs.mechanisms, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
  const token = Buffer.from('\u0000admin\u0000admin-secret');
  const size = Buffer.alloc(4);
  size.writeInt32BE(token.length);
  s.send(Buffer.concat([size, token]));
  assert.equal((await s.next()).length, 0, 'an empty server token');
  s.send(encodeRequestFrame(metadataApi, 1, 3, 'raw', { topics: [] } as never));
  const md = metadataApi.decodeResponse(1, readerAfterHeader(await s.next(), 0));
  assert.equal(md.clusterId, null, 'Metadata v1 has no cluster id, but it was answered');
});

/** A reader at the body of a response frame with header v0 (correlation id only). */
function readerAfterHeader(frame: Buffer, _v: number): Reader {
  return new Reader(frame, 4);
}

test('connections.max.reauth.ms: lifetime in SaslAuthenticate v1+, re-authentication, and an expired session closes', async () => {
  const security = client({
    'security.protocol': 'SASL_PLAINTEXT',
    ...scram('SCRAM-SHA-512', 'alice', 'alice-secret'),
  });
  const c = await KafkaConnection.open({ host: '127.0.0.1', port: saslPlain }, 'reauth', 5000, security);
  try {
    // A second login on the same connection (KIP-368 re-authentication), driven by hand to see its answer.
    const reauth = async (): Promise<number> => {
      const hs = await c.send(saslHandshakeApi, { mechanism: 'SCRAM-SHA-512' }, 5000, 1);
      assert.equal(hs.errorCode, 0);
      const exchange = saslClientExchange(security.sasl!);
      let token: Buffer | null = exchange.first();
      let lifetime = -1;
      while (token) {
        const r: { errorCode: number; errorMessage: string | null; authBytes: Buffer; sessionLifetimeMs: number } =
          await c.send(saslAuthenticateApi, { authBytes: token }, 5000, 1);
        assert.equal(r.errorCode, 0, r.errorMessage ?? '');
        lifetime = r.sessionLifetimeMs;
        token = exchange.respond(r.authBytes);
      }
      return lifetime;
    };
    assert.equal(await reauth(), 60_000);
    clock += 59_000;
    assert.equal((await c.send(metadataApi, { topics: [] }, 5000)).clusterId, 'User:alice');
    assert.equal(await reauth(), 60_000, 'the re-authentication restarts the session');
    clock += 59_000;
    assert.equal((await c.send(metadataApi, { topics: [] }, 5000)).clusterId, 'User:alice');
    clock += 2_000;
    await assert.rejects(c.send(metadataApi, { topics: [] }, 5000), /closed/);
    assert.match(await registry.metrics(), /raftka_expired_connections_killed_total\{listener="SASL_PLAINTEXT"\} 1/);
  } finally {
    c.close();
  }
  // Too late to re-authenticate: a SaslHandshake after the session ended closes the connection too.
  const late = await KafkaConnection.open({ host: '127.0.0.1', port: saslPlain }, 'late', 5000, security);
  try {
    clock += 60_000;
    await assert.rejects(late.send(saslHandshakeApi, { mechanism: 'SCRAM-SHA-512' }, 5000, 1), /closed/);
    assert.match(await registry.metrics(), /raftka_expired_connections_killed_total\{listener="SASL_PLAINTEXT"\} 2/);
  } finally {
    late.close();
  }
});
