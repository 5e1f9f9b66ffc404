// Faults on the Kafka side of a broker: garbage and mutated frames must close only the
// connection that sent them (the broker keeps serving everyone else), and kill -9 during a
// produce must lose nothing that was acknowledged with flush.messages=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { ClusterFixture, isAlive, waitFor } from '../../src/testing/cluster-fixture.js';
import { kcat } from '../../src/testing/kcat.js';
import { SeededRandom } from '../../src/testing/seeded-random.js';
import { encodeRequestFrame, FrameSplitter } from '../../src/protocol/frame.js';
import { apiVersionsApi } from '../../src/protocol/messages/api-versions.js';
import { metadataApi } from '../../src/protocol/messages/metadata.js';
import { produceApi } from '../../src/protocol/messages/produce.js';
import { fetchApi } from '../../src/protocol/messages/fetch.js';
import { listOffsetsApi } from '../../src/protocol/messages/list-offsets.js';
import { buildRecordBatch } from '../../src/protocol/record-batch.js';

/** Groups that ended on the half-second wait for an answer (the diagnostic says how many). */
let idleEnds = 0;

/** The correlation id of the ApiVersions request closing every group (no fuzzed frame uses it). */
const sentinelId = 0x7ffffff0;
const sentinel = encodeRequestFrame(apiVersionsApi, 3, sentinelId, 'fuzz', {
  clientSoftwareName: 'fuzz',
  clientSoftwareVersion: '1',
});

/**
 * Send `frames` pipelined on one connection, then a valid ApiVersions request: answers come in
 * request order, so its answer says every frame before it was handled (a mutated acks=0 produce
 * has no answer of its own). Resolves with how many frames were answered and whether the broker
 * closed the connection (then the frame after the answered ones is the one it refused).
 */
function sendGroup(port: number, frames: readonly Buffer[]): Promise<{ answered: number; closed: boolean }> {
  return new Promise((resolve) => {
    const s: Socket = connect(port, '127.0.0.1');
    const splitter = new FrameSplitter();
    let answered = 0;
    let settled = false;
    let quiet: NodeJS.Timeout | null = null;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      if (quiet) clearTimeout(quiet);
      s.destroy();
      resolve({ answered, closed });
    };
    // A frame whose answer is held back (a fetch whose wait time was mutated upwards) holds up
    // the sentinel's too: the group ends after half a second without an answer.
    const idle = (): void => {
      if (quiet) clearTimeout(quiet);
      quiet = setTimeout(() => {
        idleEnds++;
        finish(false);
      }, 500);
    };
    s.on('connect', () => {
      s.write(Buffer.concat([...frames, sentinel]));
      idle();
    });
    idle(); // bounded even if the connection is never accepted
    s.on('data', (chunk: Buffer) => {
      for (const answer of splitter.push(chunk)) {
        if (answer.length >= 4 && answer.readInt32BE(0) === sentinelId) return finish(false);
        answered++;
      }
      idle();
    });
    s.on('close', () => finish(true));
    s.on('error', () => finish(true));
  });
}

/** Deliver every frame: after the broker closes a connection on a bad frame, go on with the next one on a new connection. */
async function deliverAll(
  port: number,
  frames: readonly Buffer[],
  every1000: () => Promise<void>,
): Promise<{ connections: number }> {
  let next = 0;
  let connections = 0;
  let checked = 0;
  while (next < frames.length) {
    if (next - checked >= 1000) {
      checked = next;
      await every1000();
    }
    const group = frames.slice(next, next + 50);
    const r = await sendGroup(port, group);
    connections++;
    next += r.closed ? Math.min(group.length, r.answered + 1) : group.length;
  }
  return { connections };
}

// The bound is a hang guard, not a speed target.
test('50,000 random and mutated frames never crash or stall the broker', { timeout: 600_000 }, async (t) => {
  const f = await ClusterFixture.combined({ nodes: 1 });
  t.after(() => f.destroy());
  await f.up();
  const port = f.brokerPorts[0]!;
  const bs = f.bootstrapServers;
  await waitFor(
    'broker up',
    async () => ((await kcat(['-b', bs, '-L', '-m', '3'])).stdout.includes('1 brokers') ? true : undefined),
    30_000,
    200,
  );
  await kcat(['-b', bs, '-L', '-t', 'fuzz', '-m', '5']); // auto-creates the topic the frames name
  const pid = await f.pidOf(1);

  const batch = buildRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1 }]);
  const valid: Buffer[] = [
    encodeRequestFrame(apiVersionsApi, 3, 1, 'fuzz', { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1' }),
    encodeRequestFrame(metadataApi, 4, 2, 'fuzz', { topics: [{ name: 'fuzz' }], allowAutoTopicCreation: false }),
    encodeRequestFrame(produceApi, 7, 3, 'fuzz', {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: 'fuzz', partitionData: [{ index: 0, records: batch }] }],
    }),
    encodeRequestFrame(fetchApi, 11, 4, 'fuzz', {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 16_384,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'fuzz',
          partitions: [
            { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 16_384 },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    }),
    encodeRequestFrame(listOffsetsApi, 2, 5, 'fuzz', {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 'fuzz', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
    }),
  ];
  const seeded = new SeededRandom(20261124);
  const rng = { int: (lo: number, hi: number): number => lo + seeded.nextInt(hi - lo + 1) };
  const frameFor = (i: number): Buffer => {
    const kind = i % 4;
    if (kind === 0) {
      // Random bytes behind a plausible size prefix.
      const body = Buffer.alloc(rng.int(0, 64));
      for (let k = 0; k < body.length; k++) body[k] = rng.int(0, 255);
      const out = Buffer.alloc(4 + body.length);
      out.writeInt32BE(body.length, 0);
      body.copy(out, 4);
      return out;
    }
    // A valid request with a few bytes flipped after the size prefix.
    const base = Buffer.from(valid[rng.int(0, valid.length - 1)]!);
    const flips = kind === 1 ? 1 : rng.int(1, 8);
    for (let k = 0; k < flips; k++) base[rng.int(4, base.length - 1)] = rng.int(0, 255);
    return base;
  };
  const total = 50_000;
  // A healthy client keeps working while the fuzzing goes on.
  const kafka = new Kafka({ clientId: 'healthy', brokers: [bs], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const frames = Array.from({ length: total }, (_, i) => frameFor(i));
  const lanes = 8;
  const perLane = Math.ceil(total / lanes);
  let healthyChecks = 0;
  const healthy = async (): Promise<void> => {
    assert.ok((await admin.listTopics()).includes('fuzz'), 'the healthy connection is still served');
    healthyChecks++;
  };
  const results = await Promise.all(
    Array.from({ length: lanes }, (_, k) => deliverAll(port, frames.slice(k * perLane, (k + 1) * perLane), healthy)),
  );
  const connections = results.reduce((n, r) => n + r.connections, 0);
  t.diagnostic(
    `${total} frames over ${connections} connections (${idleEnds} ended waiting for an answer); ${healthyChecks} healthy metadata calls meanwhile`,
  );
  assert.ok(healthyChecks >= lanes * Math.floor(perLane / 1000), `${healthyChecks} healthy calls`);
  // Oversized and negative size prefixes close the connection without reading on.
  const huge = Buffer.alloc(4);
  huge.writeInt32BE(0x7fffffff, 0);
  const negative = Buffer.alloc(4);
  negative.writeInt32BE(-5, 0);
  assert.deepEqual(await sendGroup(port, [huge]), { answered: 0, closed: true });
  assert.deepEqual(await sendGroup(port, [negative]), { answered: 0, closed: true });
  assert.ok(isAlive(pid), 'the broker process survived');
  const r = await kcat([
    '-b',
    bs,
    '-C',
    '-t',
    'fuzz',
    '-p',
    '0',
    '-o',
    'beginning',
    '-e',
    '-q',
    '-X',
    'check.crcs=true',
    '-f',
    '%s\n',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const metrics = await f.metrics(0);
  assert.match(metrics, /raftka_kafka_connections_closed_on_error_total\{reason="bad-(frame|request)"/);
});

test('kill -9 during produce: every acknowledged record (flush.messages=1) survives recovery', {
  timeout: 300_000,
}, async (t) => {
  const f = await ClusterFixture.combined({ nodes: 1 });
  t.after(() => f.destroy());
  await f.up();
  const bs = f.bootstrapServers;
  await waitFor(
    'broker up',
    async () => ((await kcat(['-b', bs, '-L', '-m', '3'])).stdout.includes('1 brokers') ? true : undefined),
    30_000,
    200,
  );
  const kafka = new Kafka({ clientId: 'durable', brokers: [bs], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      {
        topic: 'durable',
        numPartitions: 1,
        replicationFactor: 1,
        configEntries: [{ name: 'flush.messages', value: '1' }],
      },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
  const acked = new Map<number, string>();
  // kcat produces in the background too, so the kill lands in the middle of a real client's stream.
  const lines = Array.from({ length: 200_000 }, (_, i) => `kcat-${i}`).join('\n');
  const background = kcat(['-b', bs, '-P', '-t', 'durable', '-p', '0', '-X', 'message.timeout.ms=2000'], lines, 60_000);
  let killed = false;
  const killer = (async () => {
    await waitFor('some acknowledged records', async () => (acked.size >= 300 ? true : undefined), 30_000, 5);
    await f.kill9(1);
    killed = true;
  })();
  for (let i = 0; !killed; i++) {
    try {
      const value = `acked-${i}`;
      const res = await producer.send({ topic: 'durable', acks: 1, messages: [{ value }] });
      acked.set(Number(res[0]!.baseOffset), value);
    } catch {
      break;
    }
  }
  await killer;
  await producer.disconnect().catch(() => {});
  await background;
  await f.up(); // restarts the killed node: its log recovers from the last checkpoint
  await waitFor(
    'broker back',
    async () => ((await kcat(['-b', bs, '-L', '-m', '3'])).code === 0 ? true : undefined),
    30_000,
    200,
  );
  const r = await waitFor(
    'the log readable after recovery',
    async () => {
      const out = await kcat([
        '-b',
        bs,
        '-C',
        '-t',
        'durable',
        '-p',
        '0',
        '-o',
        'beginning',
        '-e',
        '-q',
        '-X',
        'check.crcs=true',
        '-f',
        '%o %s\n',
      ]);
      return out.code === 0 ? out : undefined;
    },
    30_000,
    200,
  );
  const read = new Map(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => [Number(l.slice(0, l.indexOf(' '))), l.slice(l.indexOf(' ') + 1)] as const),
  );
  assert.ok(acked.size >= 300);
  for (const [offset, value] of acked) assert.equal(read.get(offset), value, `acknowledged offset ${offset}`);
  const offsets = [...read.keys()];
  assert.deepEqual(
    offsets,
    offsets.map((_, i) => i),
    'offsets 0..N-1 with no hole: nothing after a torn tail is served',
  );
});
