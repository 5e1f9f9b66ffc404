// When `cluster up` counts a node as ready: a quorum leader, and on a broker an unfenced broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notReadyBecause } from '../../src/server/node-probes.js';

test('a node is ready once it knows a quorum leader and, as a broker, runs unfenced', () => {
  const combined = ['broker', 'controller'] as const;
  assert.equal(notReadyBecause(['controller'], { quorumLeaderId: 1, brokerState: null }), null);
  assert.equal(notReadyBecause(combined, { quorumLeaderId: 1, brokerState: 'running' }), null);
  assert.match(notReadyBecause(combined, null) ?? '', /does not answer/);
  assert.match(notReadyBecause(['controller'], { quorumLeaderId: null, brokerState: null }) ?? '', /no leader/);
  assert.match(notReadyBecause(combined, { quorumLeaderId: 2, brokerState: 'fenced' }) ?? '', /broker is fenced/);
  assert.match(notReadyBecause(['broker'], { quorumLeaderId: 2, brokerState: 'registering' }) ?? '', /registering/);
  assert.match(notReadyBecause(['broker'], { quorumLeaderId: 2, brokerState: null }) ?? '', /not started/);
});
