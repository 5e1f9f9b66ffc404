// The SCRAM maths and message flow against the RFCs' own examples: RFC 5802 §5 (SCRAM-SHA-1) and
// RFC 7677 §3 (SCRAM-SHA-256), each run through raftka's client and server exchanges with the
// example's nonces and salt, byte for byte; then SHA-512 round trips, refusals (wrong password,
// unknown user, tampered nonce, channel binding, authzid) and saslname escaping.
import { test } from 'node:test';
import { createHash, createHmac } from 'node:crypto';
import assert from 'node:assert/strict';
import {
  escapeSaslName,
  ScramClientExchange,
  scramCredentialFor,
  ScramError,
  scramSaltedPassword,
  type ScramHash,
  ScramServerExchange,
  type ScramStoredCredential,
} from '../../src/security/scram-exchange.js';
import { saltedPassword, scramKeys } from '../../src/security/scram.js';

interface Vector {
  readonly hash: ScramHash;
  readonly clientNonce: string;
  readonly serverNonce: string;
  readonly salt: string;
  readonly clientFirst: string;
  readonly serverFirst: string;
  readonly clientFinal: string;
  readonly serverFinal: string;
}

const rfc5802: Vector = {
  hash: 'sha1',
  clientNonce: 'fyko+d2lbbFgONRv9qkxdawL',
  serverNonce: '3rfcNHYJY1ZVvWVs7j',
  salt: 'QSXCR+Q6sek8bf92',
  clientFirst: 'n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL',
  serverFirst: 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
  clientFinal: 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
  serverFinal: 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
};

const rfc7677: Vector = {
  hash: 'sha256',
  clientNonce: 'rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  salt: 'W22ZaJ0SNY7soEsUEjb6gQ==',
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

function server(hash: ScramHash, stored: ScramStoredCredential | null, nonce?: string): ScramServerExchange {
  return new ScramServerExchange({
    hash,
    iterationsMin: 4096,
    credentialOf: (name) => (name === 'user' ? stored : null),
    ...(nonce ? { nonce: () => nonce } : {}),
  });
}

for (const v of [rfc5802, rfc7677]) {
  test(`${v.hash === 'sha1' ? 'RFC 5802 SCRAM-SHA-1' : 'RFC 7677 SCRAM-SHA-256'} example, both sides, byte for byte`, () => {
    const stored = scramCredentialFor(v.hash, 'pencil', Buffer.from(v.salt, 'base64'), 4096);
    const c = new ScramClientExchange(v.hash, 'user', 'pencil', v.clientNonce);
    const s = server(v.hash, stored, v.serverNonce);
    const first = c.first();
    assert.equal(first.toString(), v.clientFirst);
    const r1 = s.evaluate(first);
    assert.equal(r1.response.toString(), v.serverFirst);
    assert.equal(r1.done, false);
    const final = c.final(r1.response, 4096);
    assert.equal(final.toString(), v.clientFinal);
    const r2 = s.evaluate(final);
    assert.equal(r2.response.toString(), v.serverFinal);
    assert.equal(r2.done, true);
    assert.equal(s.username, 'user');
    c.verify(r2.response);
  });
}

test('the controller-side credential maths (scram.ts) agrees with the exchange', () => {
  const salt = Buffer.from(rfc7677.salt, 'base64');
  const viaIds = scramKeys(1, saltedPassword(1, 'pencil', salt, 4096));
  const direct = scramCredentialFor('sha256', 'pencil', salt, 4096);
  assert.deepEqual(viaIds.storedKey, direct.storedKey);
  assert.deepEqual(viaIds.serverKey, direct.serverKey);
});

function login(hash: ScramHash, stored: ScramStoredCredential | null, user: string, password: string): void {
  const c = new ScramClientExchange(hash, user, password);
  const s = server(hash, stored);
  const r1 = s.evaluate(c.first());
  const r2 = s.evaluate(c.final(r1.response, 4096));
  c.verify(r2.response);
}

test('SHA-512 logs in; a wrong password and an unknown user fail alike, at the proof', () => {
  const stored = scramCredentialFor('sha512', 'secret', Buffer.from('0123456789abcdef'), 8192);
  login('sha512', stored, 'user', 'secret');
  assert.throws(
    () => login('sha512', stored, 'user', 'wrong'),
    (e) => e instanceof ScramError && e.message === 'Invalid credentials',
  );
  assert.throws(
    () => login('sha512', stored, 'nobody', 'secret'),
    (e) => e instanceof ScramError && e.message === 'Invalid credentials',
  );
  // An unknown user still gets a salt and the minimum iterations, stable across tries.
  const first = (): string => server('sha512', stored).evaluate(Buffer.from('n,,n=nobody,r=abc')).response.toString();
  assert.equal(first().split(',')[1], first().split(',')[1]);
  assert.match(first(), /,i=4096$/);
});

test('a tampered nonce, channel binding, a foreign authzid and a weak iteration count are refused', () => {
  const stored = scramCredentialFor('sha256', 'pw', Buffer.from('salt-salt-salt!!'), 4096);
  const s = server('sha256', stored);
  const c = new ScramClientExchange('sha256', 'user', 'pw', 'cnonce');
  const r1 = s.evaluate(c.first());
  const final = c
    .final(r1.response, 4096)
    .toString()
    .replace(/(r=[^,]+)/, '$1XYZ');
  assert.throws(() => s.evaluate(Buffer.from(final)), /nonce/);
  assert.throws(() => server('sha256', stored).evaluate(Buffer.from('p=tls-unique,,n=user,r=x')), /channel binding/);
  assert.throws(() => server('sha256', stored).evaluate(Buffer.from('n,a=admin,n=user,r=x')), /authorization id/);
  const weak = new ScramClientExchange('sha256', 'user', 'pw', 'cn');
  weak.first();
  assert.throws(() => weak.final(Buffer.from('r=cnSERVER,s=c2FsdA==,i=1024'), 4096), /iterations/);
  // A server that does not know the credential cannot forge the final signature.
  const c2 = new ScramClientExchange('sha256', 'user', 'pw', 'n2');
  c2.first();
  c2.final(Buffer.from(`r=n2S,s=${Buffer.from('x').toString('base64')},i=4096`), 4096);
  assert.throws(() => c2.verify(Buffer.from('v=AAAA')), /signature/);
});

test("librdkafka 2.0's client final nonce (client nonce + combined nonce) is accepted, as Kafka does", () => {
  const salt = Buffer.from(rfc7677.salt, 'base64');
  const s = server('sha256', scramCredentialFor('sha256', 'pencil', salt, 4096), 'SRV');
  const serverFirst = s.evaluate(Buffer.from('n,,n=user,r=CLI')).response.toString();
  assert.match(serverFirst, /^r=CLISRV,/);
  // The proof librdkafka computes, over the client-final-without-proof it sends.
  const withoutProof = 'c=biws,r=CLICLISRV';
  const authMessage = `n=user,r=CLI,${serverFirst},${withoutProof}`;
  const salted = scramSaltedPassword('sha256', 'pencil', salt, 4096);
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const signature = createHmac('sha256', createHash('sha256').update(clientKey).digest()).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
  const r2 = s.evaluate(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`));
  assert.equal(r2.done, true);
  assert.equal(s.username, 'user');
});

test('saslname escaping: , and = in user names', () => {
  assert.equal(escapeSaslName('a,b=c'), 'a=2Cb=3Dc');
  const stored = scramCredentialFor('sha256', 'pw', Buffer.from('0123456789abcdef'), 4096);
  const s = new ScramServerExchange({
    hash: 'sha256',
    iterationsMin: 4096,
    credentialOf: (n) => (n === 'a,b=c' ? stored : null),
  });
  const c = new ScramClientExchange('sha256', 'a,b=c', 'pw');
  const r1 = s.evaluate(c.first());
  c.verify(s.evaluate(c.final(r1.response, 4096)).response);
  assert.equal(s.username, 'a,b=c');
});
