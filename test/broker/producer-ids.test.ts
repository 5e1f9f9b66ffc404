import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ErrorCode } from '../../src/common/errors.js';
import { ProducerIdManager, ProducerIdUnavailableError } from '../../src/broker/producer-ids.js';

const logger = pino({ level: 'silent' });

function blocks(length: number) {
  let next = 0;
  const calls: number[] = [];
  return {
    calls,
    source: {
      allocate: async () => {
        calls.push(next);
        const start = next;
        next += length;
        return { errorCode: ErrorCode.NONE, start, length };
      },
    },
  };
}

test('ids come from successive blocks, each id once, the next block fetched before the current runs out', async () => {
  const b = blocks(10);
  const ids = new ProducerIdManager(b.source, logger);
  const got: number[] = [];
  for (let i = 0; i < 35; i++) got.push(await ids.nextProducerId());
  assert.deepEqual(
    got,
    Array.from({ length: 35 }, (_, i) => i),
  );
  assert.deepEqual(b.calls, [0, 10, 20, 30]);
});

test('concurrent callers share one block request and still get distinct ids', async () => {
  const b = blocks(1000);
  const ids = new ProducerIdManager(b.source, logger);
  const got = await Promise.all(Array.from({ length: 50 }, () => ids.nextProducerId()));
  assert.equal(new Set(got).size, 50);
  assert.deepEqual(b.calls, [0]);
});

test('a refused block is a retriable error, and a later call succeeds', async () => {
  let now = 0;
  let refuse = true;
  const ids = new ProducerIdManager(
    {
      allocate: async () =>
        refuse
          ? { errorCode: ErrorCode.STALE_BROKER_EPOCH, start: -1, length: 0 }
          : { errorCode: ErrorCode.NONE, start: 5000, length: 1000 },
    },
    logger,
    () => now,
  );
  await assert.rejects(ids.nextProducerId(), (err: unknown) => {
    assert.ok(err instanceof ProducerIdUnavailableError);
    assert.equal(err.errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    return true;
  });
  refuse = false;
  // Within the backoff the controller is not asked again.
  await assert.rejects(ids.nextProducerId(), ProducerIdUnavailableError);
  now += 1000;
  assert.equal(await ids.nextProducerId(), 5000);
});
