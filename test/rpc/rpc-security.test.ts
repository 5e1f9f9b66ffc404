// The mutual-TLS front of a gRPC listener (src/rpc/rpc-security.ts) over real local sockets: a
// client with a certificate of the cluster's CA is served, one with a certificate of another CA,
// one without a certificate and a plaintext one are answered UNAUTHENTICATED with the reason and
// never reach the handler, a principal check can refuse a trusted certificate, every refusal is
// reported with its reason once per connection, and the client side reports what it was refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { serviceImplementation, startRpcServer } from '../../src/rpc/grpc-plumbing.js';
import { ReplicaClient, replicaService } from '../../src/rpc/replica-rpc.js';
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
      Fetch: () => {
        handled++;
        return { errorCode: 0 };
      },
      VerifyTxnPartitions: () => ({ partitions: [] }),
      WriteTxnMarkers: () => ({ markers: [] }),
    },
    { status: grpc.status.INTERNAL },
  );
  const refusals: RpcRefusal[] = [];
  const { server, port } = await startRpcServer({ host: '127.0.0.1', port: 0 }, [service], {
    tls: { key: pem(cluster, 'server.key'), cert: pem(cluster, 'server.crt'), ca: pem(cluster, 'ca.pem') },
    name: 'node 1 (REPLICATION listener)',
    // The principal check: CN=outsider has a good certificate but is not let in.
    checkPeer: (socket: TLSSocket) =>
      socket.getPeerX509Certificate()?.subject.includes('CN=outsider') ? 'outsider is not a node' : null,
    onRefused: (r) => refusals.push(r),
  });
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
  const fetchAs = async (security: RpcClientSecurity): Promise<string> => {
    const client = new ReplicaClient(`127.0.0.1:${port}`, security);
    try {
      await client.fetch({ replicaId: 2 }, 5_000);
      await client.fetch({ replicaId: 2 }, 5_000);
      return 'served';
    } catch (err) {
      const e = err as grpc.ServiceError;
      return `${grpc.status[e.code]}: ${e.details}`;
    } finally {
      client.close();
    }
  };

  assert.equal(await fetchAs(tlsAs(cluster, 'peer')), 'served');
  assert.equal(handled, 2);
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
  assert.equal(handled, 2, 'no refused call reached the handler');
  // One report per refused connection (each client above made one connection for its calls).
  assert.deepEqual(
    refusals.map((r) => r.reason),
    ['untrusted_certificate', 'no_certificate', 'principal', 'plaintext'],
  );
  assert.equal(clientRefusals.length, 3, 'the TLS clients reported their refusals');
  assert.match(clientRefusals[0]!, new RegExp(`^127\\.0\\.0\\.1:${port} node 1 `));

  // A server whose certificate is not of the client's CA is refused by the client.
  const untrusted = await fetchAs(
    tlsRpcClient({ ca: pem(other, 'ca.pem'), key: pem(other, 'stranger.key'), cert: pem(other, 'stranger.crt') }),
  );
  assert.match(untrusted, /^UNAVAILABLE: .*certificate/);
});
