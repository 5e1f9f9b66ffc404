import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partitionKey, topicNameProblem } from '../../src/protocol/topic-partition.js';

test("topic names follow Kafka's rule", () => {
  assert.equal(topicNameProblem('orders.v1_x-2'), null);
  assert.equal(topicNameProblem('a'.repeat(249)), null);
  for (const bad of ['', '.', '..', 'a'.repeat(250), 'has space', 'ünï', 'slash/x'])
    assert.ok(topicNameProblem(bad), bad);
});

test('partition keys are <topic>-<partition> and tell topics with dashes apart', () => {
  assert.equal(partitionKey('orders', 3), 'orders-3');
  assert.notEqual(partitionKey('a-1', 0), partitionKey('a', 10));
});
