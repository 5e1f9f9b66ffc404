// PLAIN messages, JAAS configs, client properties (--command-config files) and the listener
// security settings a node config accepts or refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlainMessage, PlainParseError, plainClientMessage } from '../../src/security/sasl-plain.js';
import { jaasUsers, parseJaasConfig } from '../../src/security/jaas.js';
import { clientSecurityFromProperties } from '../../src/security/client-security.js';
import { parseNodeConfig } from '../../src/common/config.js';

test('PLAIN: [authzid] NUL user NUL password; an authzid other than the user, or empty parts, are refused', () => {
  assert.deepEqual(parsePlainMessage(plainClientMessage('alice', 'pw')), {
    authzid: '',
    username: 'alice',
    password: 'pw',
  });
  assert.equal(parsePlainMessage(Buffer.from('alice\u0000alice\u0000pw')).username, 'alice');
  assert.throws(() => parsePlainMessage(Buffer.from('bob\u0000alice\u0000pw')), PlainParseError);
  assert.throws(() => parsePlainMessage(Buffer.from('\u0000alice')), PlainParseError);
  assert.throws(() => parsePlainMessage(Buffer.from('\u0000\u0000pw')), PlainParseError);
  assert.throws(() => parsePlainMessage(Buffer.from('\u0000alice\u0000')), PlainParseError);
});

test('JAAS: login module, flag, quoted and bare options, user_ entries', () => {
  const e = parseJaasConfig(
    'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="a \\"quoted\\" secret" user_admin="x" user_bob=y;',
  );
  assert.equal(e.loginModule, 'org.apache.kafka.common.security.plain.PlainLoginModule');
  assert.equal(e.options.get('password'), 'a "quoted" secret');
  assert.deepEqual(
    [...jaasUsers(e)],
    [
      ['admin', 'x'],
      ['bob', 'y'],
    ],
  );
  assert.throws(() => parseJaasConfig('Module required username="a"'), /;/);
  assert.throws(() => parseJaasConfig('Module sometimes;'), /control flag/);
});

test('client properties: protocol, mechanism, JAAS or librdkafka credentials; mistakes are named', () => {
  const props = (o: Record<string, string>) => clientSecurityFromProperties(new Map(Object.entries(o)), '/');
  assert.equal(props({}).protocol, 'PLAINTEXT');
  const s = props({
    'security.protocol': 'sasl_plaintext',
    'sasl.mechanism': 'SCRAM-SHA-512',
    'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";',
  });
  assert.deepEqual(s.sasl, { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' });
  assert.equal(s.tls, null);
  assert.equal(
    props({
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanisms': 'PLAIN',
      'sasl.username': 'a',
      'sasl.password': 'b',
    }).sasl?.username,
    'a',
  );
  assert.throws(
    () => props({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.username': 'a', 'sasl.password': 'b' }),
    /GSSAPI/,
  );
  assert.throws(() => props({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN' }), /username/);
  assert.throws(() => props({ 'security.protocol': 'TLS' }), /security.protocol/);
  assert.throws(
    () => props({ 'security.protocol': 'SSL', 'ssl.truststore.location': '/nonexistent/ca.pem' }),
    /cannot read/,
  );
});

const base = {
  'node.id': '1',
  'process.roles': 'broker,controller',
  'controller.quorum.voters': '1@127.0.0.1:9093',
  'controller.listener.names': 'CONTROLLER',
};
const node = (o: Record<string, string>) => parseNodeConfig(new Map(Object.entries({ ...base, ...o })), 'n.properties');

test('node configs: per-listener ssl.* and sasl.* with listener.name prefixes; bad ones are refused', () => {
  const c = node({
    listeners: 'SASL_SSL://127.0.0.1:9092,INTERNAL://127.0.0.1:9094,CONTROLLER://127.0.0.1:9093',
    'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,INTERNAL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
    'ssl.keystore.location': 'certs/node.pem',
    'listener.name.sasl_ssl.ssl.client.auth': 'requested',
    'ssl.truststore.location': 'certs/ca.pem',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
    'listener.name.internal.sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.internal.plain.sasl.jaas.config': 'M required user_a="b";',
    'connections.max.reauth.ms': '3600000',
  });
  const ext = c.listenerSecurity.get('SASL_SSL')!;
  assert.equal(ext.protocol, 'SASL_SSL');
  assert.equal(ext.ssl?.clientAuth, 'requested');
  assert.deepEqual(ext.sasl?.enabledMechanisms, ['SCRAM-SHA-512']);
  assert.equal(ext.connectionsMaxReauthMs, 3600000);
  const internal = c.listenerSecurity.get('INTERNAL')!;
  assert.equal(internal.ssl, null);
  assert.deepEqual(internal.sasl?.enabledMechanisms, ['PLAIN']);
  assert.equal(internal.sasl?.jaasConfigs.get('PLAIN'), 'M required user_a="b";');
  const bad = (o: Record<string, string>, re: RegExp) =>
    assert.throws(() => node({ listeners: 'SSL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093', ...o }), re);
  bad({}, /ssl.keystore.location/);
  bad({ 'ssl.keystore.location': 'k.pem', 'ssl.keystore.type': 'JKS' }, /PEM/);
  bad({ 'ssl.keystore.location': 'k.pem', 'ssl.client.auth': 'required' }, /truststore/);
  bad({ 'ssl.keystore.location': 'k.pem', 'ssl.client.auth': 'maybe' }, /ssl.client.auth/);
  bad({ 'ssl.keystore.location': 'k.pem', 'ssl.enabled.protocols': 'TLSv1.1' }, /TLSv1.1/);
  assert.throws(
    () =>
      node({
        listeners: 'SASL_PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
        'sasl.enabled.mechanisms': 'GSSAPI',
      }),
    /GSSAPI/,
  );
  assert.throws(() => node({ listeners: 'EXTERNAL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093' }), /EXTERNAL/);
  assert.throws(
    () => node({ listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093', 'ssl.keystore.nonsense': 'x' }),
    /unknown property/,
  );
});
