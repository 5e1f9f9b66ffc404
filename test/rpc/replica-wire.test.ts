// The replica fetch frames (src/rpc/replica-wire.ts) and both ends of a connection
// (src/rpc/replica-link.ts): requests and answers survive a round trip field for field, record
// bytes are sent as the caller's buffers (not copied into the frame), frames torn at any byte
// reassemble, an oversize or malformed frame is refused, and over a real local socket several
// fetches are in flight on one connection and answered out of order; a plaintext gRPC listener
// with the replica protocol beside it serves both on one port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import {
  decodeFetchRequest,
  decodeFetchResponse,
  encodeFetchRequest,
  encodeFetchResponse,
  encodeTextFrame,
  FrameKind,
  FrameReader,
  type ReplicaFetchRequest,
  type ReplicaFetchResponse,
  ReplicaWireError,
} from '../../src/rpc/replica-wire.js';
import {
  ReplicaLink,
  ReplicaLinkError,
  refuseReplicaConnection,
  serveReplicaConnection,
} from '../../src/rpc/replica-link.js';
import * as grpc from '@grpc/grpc-js';
import { serviceImplementation, startRpcServer } from '../../src/rpc/grpc-plumbing.js';
import { ReplicaClient, replicaService } from '../../src/rpc/replica-rpc.js';
import { replicaAlpn, replicaPreface } from '../../src/rpc/replica-wire.js';

const request: ReplicaFetchRequest = {
  replicaId: 2,
  brokerEpoch: 2 ** 40 + 7,
  maxWaitMs: 500,
  maxBytes: 1_048_576,
  sessionId: 99,
  sessionEpoch: 3,
  partitions: [
    { topic: 'orders', partition: 0, fetchOffset: 2 ** 45 + 3, lastFetchedEpoch: -1, currentLeaderEpoch: 4 },
    { topic: 'tópico-ü', partition: 7, fetchOffset: 0, lastFetchedEpoch: 2, currentLeaderEpoch: 5 },
  ],
  forgotten: [{ topic: 'gone', partition: 1 }],
};

const records = Buffer.from('pretend these are record batches');
const response: ReplicaFetchResponse = {
  errorCode: 0,
  sessionId: 99,
  partitions: [
    {
      topic: 'orders',
      partition: 0,
      errorCode: 0,
      highWatermark: 2 ** 45,
      logStartOffset: 0,
      logEndOffset: 2 ** 45 + 10,
      records,
      diverged: false,
      divergingEpoch: -1,
      divergingEndOffset: -1,
    },
    {
      topic: 'tópico-ü',
      partition: 7,
      errorCode: 0,
      highWatermark: 12,
      logStartOffset: 3,
      logEndOffset: 20,
      records: Buffer.alloc(0),
      diverged: true,
      divergingEpoch: 1,
      divergingEndOffset: 9,
    },
    {
      topic: 'x',
      partition: 1,
      errorCode: 6,
      highWatermark: -1,
      logStartOffset: -1,
      logEndOffset: -1,
      records: Buffer.from('more'),
      diverged: false,
      divergingEpoch: -1,
      divergingEndOffset: -1,
    },
  ],
};

/** The one frame in `bytes`, read through a FrameReader fed `step` bytes at a time. */
function readAll(bytes: Buffer, step: number): ReturnType<FrameReader['push']> {
  const reader = new FrameReader();
  const frames = [];
  for (let at = 0; at < bytes.length; at += step) frames.push(...reader.push(bytes.subarray(at, at + step)));
  assert.equal(reader.pendingBytes, 0);
  return frames;
}

test('a fetch request and its answer round-trip field for field; records are the given buffers', () => {
  const [req] = readAll(encodeFetchRequest(41, request), 1 << 20);
  assert.equal(req?.kind, FrameKind.fetch);
  assert.equal(req?.correlationId, 41);
  assert.deepEqual(decodeFetchRequest(req!.body), request);

  const chunks = encodeFetchResponse(42, response);
  assert.ok(chunks.includes(records), 'the record buffer is written as given, not copied into the frame');
  const [res] = readAll(Buffer.concat(chunks), 1 << 20);
  assert.equal(res?.kind, FrameKind.fetched);
  assert.equal(res?.correlationId, 42);
  const decoded = decodeFetchResponse(res!.body);
  assert.deepEqual(decoded, response);
  assert.equal(decoded.partitions[0]!.records.buffer, res!.body.buffer, 'decoded records are a view of the frame');
});

test('frames torn at every byte reassemble, several per chunk too', () => {
  const stream = Buffer.concat([
    encodeFetchRequest(1, request),
    ...encodeFetchResponse(2, response),
    encodeTextFrame(FrameKind.failed, 3, 'boom'),
  ]);
  for (const step of [1, 2, 3, 7, 64, stream.length]) {
    const frames = readAll(stream, step);
    assert.deepEqual(
      frames.map((f) => [f.kind, f.correlationId]),
      [
        [FrameKind.fetch, 1],
        [FrameKind.fetched, 2],
        [FrameKind.failed, 3],
      ],
      `step ${step}`,
    );
    assert.deepEqual(decodeFetchResponse(frames[1]!.body), response, `step ${step}`);
    assert.equal(frames[2]!.body.toString(), 'boom');
  }
});

test('an oversize frame is refused from its size field alone; a truncated body does not decode', () => {
  const frame = encodeFetchRequest(1, request);
  const small = new FrameReader(frame.length - 5);
  assert.throws(() => small.push(frame.subarray(0, 4)), ReplicaWireError);
  const negative = Buffer.alloc(4);
  negative.writeInt32BE(-1);
  assert.throws(() => new FrameReader().push(negative), ReplicaWireError);
  const [whole] = new FrameReader().push(frame);
  assert.throws(() => decodeFetchRequest(whole!.body.subarray(0, whole!.body.length - 3)), ReplicaWireError);
  assert.throws(() => decodeFetchRequest(Buffer.concat([whole!.body, Buffer.from([0])])), ReplicaWireError);
});

test('over a socket, fetches pipeline on one connection and are answered out of order', async (t) => {
  const order: number[] = [];
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    serveReplicaConnection(socket, async (r) => {
      // The first fetch waits for the second: only pipelining lets both finish.
      if (r.replicaId === 1) await new Promise((done) => setTimeout(done, 50));
      order.push(r.replicaId);
      if (r.replicaId === 3) throw new Error('no such replica');
      return { ...response, sessionId: r.replicaId };
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const link = new ReplicaLink(`127.0.0.1:${port}`);
  t.after(() => link.close());
  const first = link.fetch({ ...request, replicaId: 1 }, 5_000);
  const second = link.fetch({ ...request, replicaId: 2 }, 5_000);
  const [a, b] = await Promise.all([first, second]);
  assert.deepEqual(order, [2, 1], 'the second fetch was answered first');
  assert.equal(a.sessionId, 1);
  assert.equal(b.sessionId, 2);
  assert.deepEqual(b.partitions, response.partitions);
  await assert.rejects(link.fetch({ ...request, replicaId: 3 }, 5_000), /no such replica/);
  assert.equal((await link.fetch({ ...request, replicaId: 4 }, 5_000)).sessionId, 4, 'a failed fetch keeps the link');
  assert.equal(connections, 1);
});

test('a plaintext listener serves gRPC and replica fetch on one port, told apart by the first byte', async (t) => {
  const service = serviceImplementation(
    replicaService(),
    {
      VerifyTxnPartitions: () => ({ partitions: [{ topic: 'grpc', partition: 1, errorCode: 0 }] }),
      WriteTxnMarkers: () => ({ markers: [] }),
    },
    { status: grpc.status.INTERNAL },
  );
  const { server, port } = await startRpcServer({ host: '127.0.0.1', port: 0 }, [service], null, {
    firstByte: replicaPreface[0]!,
    alpn: replicaAlpn,
    accept: (socket) =>
      serveReplicaConnection(socket, async (r, signal) => {
        // A long poll that ends only when its connection does.
        if (r.maxWaitMs === 60_000) await new Promise((done) => signal.addEventListener('abort', done));
        return { ...response, sessionId: r.replicaId };
      }),
    refuse: refuseReplicaConnection,
  });
  t.after(() => server.forceShutdown());
  const link = new ReplicaLink(`127.0.0.1:${port}`);
  const client = new ReplicaClient(`127.0.0.1:${port}`);
  t.after(() => {
    link.close();
    client.close();
  });
  const [fetched, verified] = await Promise.all([
    link.fetch({ ...request, replicaId: 5 }, 5_000),
    client.verifyTxnPartitions({ producerId: 1 }, 5_000),
  ]);
  assert.equal(fetched.sessionId, 5);
  assert.deepEqual(fetched.partitions, response.partitions);
  assert.equal(verified.partitions[0]?.topic, 'grpc');
  // Closing the listener closes its replica connections: a fetch in flight fails, it does not hang.
  const slow = link.fetch({ ...request, maxWaitMs: 60_000 }, 30_000);
  server.forceShutdown();
  await assert.rejects(slow, (err: Error) => err instanceof ReplicaLinkError && !/timed out/.test(err.message));
});
