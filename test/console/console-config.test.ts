// The web console's node configs: console.lag.sample.ms, console.migration.reports.dir and
// console.jepsen.store.dir (defaults, values, bad values).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseNodeConfig } from '../../src/common/config.js';

const controller = {
  'node.id': '1',
  'process.roles': 'controller',
  'controller.quorum.voters': '1@127.0.0.1:9093',
  listeners: 'CONTROLLER://127.0.0.1:9093',
  'controller.listener.names': 'CONTROLLER',
};
const parse = (extra: Record<string, string>) =>
  parseNodeConfig(new Map(Object.entries({ ...controller, ...extra })), 'node.properties');

test('console configs: defaults, values, blank folders, bad sample intervals', () => {
  const d = parse({});
  assert.equal(d.consoleLagSampleMs, 5000);
  assert.equal(d.consoleMigrationReportsDir, null);
  assert.equal(d.consoleJepsenStoreDir, null);
  const c = parse({
    'console.lag.sample.ms': '0',
    'console.migration.reports.dir': '/var/reports',
    'console.jepsen.store.dir': ' ',
  });
  assert.equal(c.consoleLagSampleMs, 0);
  assert.equal(c.consoleMigrationReportsDir, '/var/reports');
  assert.equal(c.consoleJepsenStoreDir, null);
  assert.throws(() => parse({ 'console.lag.sample.ms': '-1' }), ConfigError);
  assert.throws(() => parse({ 'console.lag.sample.ms': 'often' }), ConfigError);
});
