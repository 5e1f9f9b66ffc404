// The security of the gRPC links between nodes as a node config gives it
// (listener.security.protocol.map for the controller listener and REPLICATION, ssl.* plain or
// listener-prefixed): PLAINTEXT by default, SSL as mutual TLS, SASL and weaker client auth refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeConfig } from '../../src/common/config.js';

const base: Record<string, string> = {
  'node.id': '1',
  'process.roles': 'broker,controller',
  'controller.quorum.voters': '1@127.0.0.1:9093',
  listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
  'controller.listener.names': 'CONTROLLER',
};
const node = (o: Record<string, string>) => parseNodeConfig(new Map(Object.entries({ ...base, ...o })), 'n.properties');

test('gRPC links: PLAINTEXT unless mapped to SSL', () => {
  const c = node({});
  assert.deepEqual(c.controllerLinkSecurity, { listener: 'CONTROLLER', protocol: 'PLAINTEXT', ssl: null });
  assert.deepEqual(c.replicationLinkSecurity, { listener: 'REPLICATION', protocol: 'PLAINTEXT', ssl: null });
});

test('gRPC links: SSL is mutual TLS with the plain or listener-prefixed ssl.* settings', () => {
  const c = node({
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:SSL,REPLICATION:SSL',
    'ssl.keystore.location': 'certs/node-0.pem',
    'ssl.truststore.location': 'certs/ca.pem',
    // The Kafka listeners' client auth does not weaken the links.
    'ssl.client.auth': 'none',
    'listener.name.replication.ssl.keystore.location': 'certs/replication.pem',
  });
  assert.equal(c.controllerLinkSecurity.protocol, 'SSL');
  assert.equal(c.controllerLinkSecurity.ssl?.clientAuth, 'required');
  assert.equal(c.controllerLinkSecurity.ssl?.keystoreLocation, 'certs/node-0.pem');
  assert.equal(c.replicationLinkSecurity.ssl?.clientAuth, 'required');
  assert.equal(c.replicationLinkSecurity.ssl?.keystoreLocation, 'certs/replication.pem');
  assert.equal(c.replicationLinkSecurity.ssl?.truststoreLocation, 'certs/ca.pem');
});

test('gRPC links: SASL, a prefixed client auth other than required, or a missing store are refused', () => {
  const ssl = { 'ssl.keystore.location': 'k.pem', 'ssl.truststore.location': 'ca.pem' };
  assert.throws(
    () => node({ 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_SSL', ...ssl }),
    /CONTROLLER:SASL_SSL: the gRPC links between nodes are PLAINTEXT or SSL/,
  );
  assert.throws(
    () =>
      node({
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:SSL',
        'listener.name.controller.ssl.client.auth': 'requested',
        ...ssl,
      }),
    /the CONTROLLER listener is mutual TLS/,
  );
  assert.throws(
    () =>
      node({
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,REPLICATION:SSL',
        'ssl.keystore.location': 'k.pem',
      }),
    /REPLICATION: ssl.client.auth=required needs ssl.truststore.location/,
  );
});
