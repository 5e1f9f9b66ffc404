// The typed RPC plumbing over a real local gRPC server: received messages have every field (the
// generated "output" types are what arrives), a handler's failure becomes the service's status or
// the answer it maps the error to, and an RpcStatusError keeps its own status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { RpcStatusError, serviceImplementation, startRpcServer } from '../../src/rpc/grpc-plumbing.js';
import { ReplicaClient, replicaService, type VerifyTxnRequest__Output } from '../../src/rpc/replica-rpc.js';
import { ControllerChannel, controllerService, type ControllerHandlers } from '../../src/rpc/controller-rpc.js';

test('a typed call arrives with defaults filled in and answers with the typed response', async () => {
  const received: VerifyTxnRequest__Output[] = [];
  const service = serviceImplementation(
    replicaService(),
    {
      VerifyTxnPartitions: async (request) => {
        received.push(request);
        if (request.producerId === 13) throw new Error('unlucky');
        if (request.producerId === 14) throw new RpcStatusError(grpc.status.INVALID_ARGUMENT, 'bad producer');
        return {
          partitions: request.topics.flatMap((t) =>
            t.partitions.map((partition) => ({ topic: t.topic, partition: partition + 1 })),
          ),
        };
      },
      WriteTxnMarkers: async (request) => ({
        markers: request.markers.map((m) => ({
          producerId: m.producerId,
          partitions: m.topics.flatMap((t) =>
            t.partitions.map((partition) => ({ topic: t.topic, partition, errorCode: 0 })),
          ),
        })),
      }),
    },
    { status: grpc.status.INTERNAL },
  );
  const { server, port } = await startRpcServer({ host: '127.0.0.1', port: 0 }, [service]);
  const client = new ReplicaClient(`127.0.0.1:${port}`);
  try {
    const res = await client.verifyTxnPartitions(
      { transactionalId: 'tx', producerId: 2, topics: [{ topic: 't', partitions: [41] }] },
      5_000,
    );
    assert.deepEqual(received[0], {
      transactionalId: 'tx',
      producerId: 2,
      producerEpoch: 0,
      topics: [{ topic: 't', partitions: [41] }],
      addPartitions: false,
    });
    assert.equal(res.partitions[0]!.partition, 42);
    assert.equal(res.partitions[0]!.errorCode, 0, 'unset fields of the answer arrive as defaults');
    await assert.rejects(
      client.verifyTxnPartitions({ producerId: 13 }, 5_000),
      (err: grpc.ServiceError) => err.code === grpc.status.INTERNAL && err.details === 'unlucky',
    );
    await assert.rejects(
      client.verifyTxnPartitions({ producerId: 14 }, 5_000),
      (err: grpc.ServiceError) => err.code === grpc.status.INVALID_ARGUMENT && err.details === 'bad producer',
    );
    const markers = await client.writeTxnMarkers(
      { markers: [{ producerId: 7, producerEpoch: 1, committed: true, topics: [{ topic: 't', partitions: [0, 2] }] }] },
      5_000,
    );
    assert.deepEqual(markers.markers, [
      {
        producerId: 7,
        partitions: [
          { topic: 't', partition: 0, errorCode: 0 },
          { topic: 't', partition: 2, errorCode: 0 },
        ],
      },
    ]);
  } finally {
    client.close();
    server.forceShutdown();
  }
});

test('a service may answer some errors instead of failing (NOT_CONTROLLER with the hint)', async () => {
  class Refused extends Error {}
  const refuse = async (): Promise<never> => {
    throw new Refused('standby');
  };
  const handlers = Object.fromEntries(
    Object.keys(controllerService().service).map((m) => [m, refuse]),
  ) as unknown as ControllerHandlers;
  const service = serviceImplementation(controllerService(), handlers, {
    status: grpc.status.INTERNAL,
    answer: (err) =>
      err instanceof Refused ? { errorCode: 41, controller: { leaderId: 3, leaderHost: 'h', leaderPort: 9 } } : null,
  });
  const { server, port } = await startRpcServer({ host: '127.0.0.1', port: 0 }, [service]);
  const channel = new ControllerChannel(`127.0.0.1:${port}`);
  try {
    const res = await channel.call('CreateTopics', { topics: [{ name: 't' }] }, 5_000);
    assert.equal(res.errorCode, 41);
    assert.deepEqual(res.controller, { leaderId: 3, leaderHost: 'h', leaderPort: 9, lostLeadership: false });
    assert.deepEqual(res.topics, []);
  } finally {
    channel.close();
    server.forceShutdown();
  }
});
