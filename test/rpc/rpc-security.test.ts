// The mutual-TLS front of a gRPC listener (src/rpc/rpc-security.ts) over real local sockets: a
// client with a certificate of the cluster's CA is served, one with a certificate of another CA,
// one without a certificate and a plaintext one are answered UNAUTHENTICATED with the reason and
// never reach the handler, a principal check can refuse a trusted certificate, every refusal is
// reported with its reason once per connection, and the client side reports what it was refused.
// The same listener carries replica fetch over TCP (replica-link.ts, told apart by ALPN or its
// first byte): the same peers are served or refused with the same reasons, in a REFUSED frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { serviceImplementation, startRpcServer } from '../../src/rpc/grpc-plumbing.js';
import { ReplicaClient, replicaService } from '../../src/rpc/replica-rpc.js';
import { ReplicaLink, refuseReplicaConnection, serveReplicaConnection } from '../../src/rpc/replica-link.js';
import { replicaAlpn, replicaPreface } from '../../src/rpc/replica-wire.js';
import { plaintextRpc, type RpcClientSecurity, type RpcRefusal, tlsRpcClient } from '../../src/rpc/rpc-security.js';
import { createCertificates } from '../../src/security/certs.js';

test('mutual TLS front: trusted peers are served, the others refused with the reason', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-rpc-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [cluster, other] = [join(dir, 'cluster'), join(dir, 'other')];
  await Promise.all([
    createCertificates({ dir: cluster, names: ['server', 'peer', 'outsider'] }),
    createCertificates({ dir: other, names: ['stranger'] }),
  ]);
  const pem = (d: string, f: string): Buffer => readFileSync(join(d, f));
  let handled = 0;
  const service = serviceImplementation(
    replicaService(),
    {
      VerifyTxnPartitions: () => {
        handled++;
        return { partitions: [] };
      },
      WriteTxnMarkers: () => ({ markers: [] }),
    },
    { status: grpc.status.INTERNAL },
  );
  const refusals: RpcRefusal[] = [];
  const { server, port } = await startRpcServer(
    { host: '127.0.0.1', port: 0 },
    [service],
    {
      tls: { key: pem(cluster, 'server.key'), cert: pem(cluster, 'server.crt'), ca: pem(cluster, 'ca.pem') },
      name: 'node 1 (REPLICATION listener)',
      // The principal check: CN=outsider has a good certificate but is not let in.
      checkPeer: (socket: TLSSocket) =>
        socket.getPeerX509Certificate()?.subject.includes('CN=outsider') ? 'outsider is not a node' : null,
      onRefused: (r) => refusals.push(r),
    },
    {
      firstByte: replicaPreface[0]!,
      alpn: replicaAlpn,
      accept: (socket) =>
        serveReplicaConnection(socket, async () => {
          handled++;
          return { errorCode: 0, sessionId: 0, partitions: [] };
        }),
      refuse: refuseReplicaConnection,
    },
  );
  t.after(() => server.forceShutdown());
  const clientRefusals: string[] = [];
  const tlsAs = (d: string, name: string | null): RpcClientSecurity =>
    tlsRpcClient(
      {
        ca: pem(cluster, 'ca.pem'),
        ...(name ? { key: pem(d, `${name}.key`), cert: pem(d, `${name}.crt`) } : {}),
      },
      (target, detail) => clientRefusals.push(`${target} ${detail}`),
    );
  const grpcAs = async (security: RpcClientSecurity): Promise<string> => {
    const client = new ReplicaClient(`127.0.0.1:${port}`, security);
    try {
      await client.verifyTxnPartitions({ producerId: 2 }, 5_000);
      await client.verifyTxnPartitions({ producerId: 2 }, 5_000);
      return 'served';
    } catch (err) {
      const e = err as grpc.ServiceError;
      return `${grpc.status[e.code]}: ${e.details}`;
    } finally {
      client.close();
    }
  };
  const fetch = { replicaId: 2, brokerEpoch: 1, maxWaitMs: 0, maxBytes: 1, sessionId: 0, sessionEpoch: -1 };
  const rawAs = async (security: RpcClientSecurity): Promise<string> => {
    const link = new ReplicaLink(`127.0.0.1:${port}`, security);
    try {
      await link.fetch({ ...fetch, partitions: [], forgotten: [] }, 5_000);
      await link.fetch({ ...fetch, partitions: [], forgotten: [] }, 5_000);
      return 'served';
    } catch (err) {
      // A REFUSED frame from the listener, or this client's own TLS verdict on the server.
      const message = (err as Error).message;
      return `${message.startsWith('replica link to') ? 'UNAVAILABLE' : 'UNAUTHENTICATED'}: ${message}`;
    } finally {
      link.close();
    }
  };
  /** The same answer over gRPC and over the replica link; each makes one connection. */
  const fetchAs = async (security: RpcClientSecurity): Promise<string> => {
    const viaGrpc = await grpcAs(security);
    const viaRaw = await rawAs(security);
    assert.equal(
      viaRaw.replace(/^UNAVAILABLE: .*certificate.*/, 'bad certificate'),
      viaGrpc.replace(/^UNAVAILABLE: .*certificate.*/, 'bad certificate'),
    );
    return viaGrpc;
  };

  assert.equal(await fetchAs(tlsAs(cluster, 'peer')), 'served');
  assert.equal(handled, 4);
  assert.match(
    await fetchAs(tlsAs(other, 'stranger')),
    /^UNAUTHENTICATED: node 1 \(REPLICATION listener\) refused this connection: client certificate "O=raftka, CN=stranger" is not signed by this cluster's CA/,
  );
  assert.match(
    await fetchAs(tlsAs(cluster, null)),
    /^UNAUTHENTICATED: node 1 \(REPLICATION listener\) refused this connection: no client certificate/,
  );
  assert.match(await fetchAs(tlsAs(cluster, 'outsider')), /^UNAUTHENTICATED: .*outsider is not a node$/);
  assert.match(
    await fetchAs(plaintextRpc),
    /^UNAUTHENTICATED: node 1 \(REPLICATION listener\) refused this connection: this listener takes TLS connections/,
  );
  assert.equal(handled, 4, 'no refused call reached the handler');
  // One report per refused connection (each client above made one connection for its calls).
  assert.deepEqual(
    refusals.map((r) => r.reason),
    [
      'untrusted_certificate',
      'untrusted_certificate',
      'no_certificate',
      'no_certificate',
      'principal',
      'principal',
      'plaintext',
      'plaintext',
    ],
  );
  assert.equal(clientRefusals.length, 6, 'the TLS clients reported their refusals');
  assert.match(clientRefusals[0]!, new RegExp(`^127\\.0\\.0\\.1:${port} node 1 `));

  // A server whose certificate is not of the client's CA is refused by the client.
  const untrusted = await fetchAs(
    tlsRpcClient({ ca: pem(other, 'ca.pem'), key: pem(other, 'stranger.key'), cert: pem(other, 'stranger.crt') }),
  );
  assert.match(untrusted, /^UNAVAILABLE: .*certificate/);
});
