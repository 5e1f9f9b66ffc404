// The jepsen-like harness on a folder whose links between nodes are mutual TLS: a copy of
// cluster-configs/secure-three-node with certificates made by `certs create`'s code. The nodes keep
// CONTROLLER:SSL and REPLICATION:SSL with the folder's certificates (TLS bytes through the
// harness's proxies), and the metadata workload calls the controllers with the client certificate
// of `--command-config clients/controller.properties`: a short run under a partition is valid with
// operations that succeeded (a plaintext controller listener, or a refused certificate, would leave
// none). Without --command-config the run is refused before any node starts, with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../src/common/paths.js';
import { createCertificates } from '../../src/security/certs.js';
import { jepsenRun } from './jepsen-cli.js';

interface LinearizabilityResults {
  readonly valid: boolean;
  readonly stats: { readonly ops: number };
}

test('jepsen-like metadata run on secure-three-node (mutual-TLS links) with --command-config', {
  timeout: 180_000,
}, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'raftka-jepsen-mtls-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const folder = join(root, 'secure-three-node');
  cpSync(repoPath('cluster-configs', 'secure-three-node'), folder, {
    recursive: true,
    filter: (s) => !/certs$/.test(s),
  });
  await createCertificates({ dir: join(folder, 'certs'), names: ['node-0', 'node-1', 'node-2', 'client'] });
  const store = join(root, 'store');
  const common = ['--workload', 'metadata', '--config-dir', folder, '--seed', '5', '--concurrency', '3'];

  // Without a client certificate: refused up front (exit 2), saying what to give.
  const refused = await new Promise<{ code: number; stdout: string }>((resolve) =>
    execFile(
      process.execPath,
      [repoPath('bin', 'raftka.js'), 'jepsen', 'run', '--store', store, ...common, '--time-limit', '1'],
      { timeout: 60_000 },
      (err, stdout) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout }),
    ),
  );
  assert.equal(refused.code, 2, refused.stdout);
  assert.match(refused.stdout, /mutual TLS \(CONTROLLER:SSL\): give --command-config with security\.protocol=SSL/);

  const r = await jepsenRun<LinearizabilityResults>(store, [
    ...common,
    '--command-config',
    join(folder, 'clients', 'controller.properties'),
    '--time-limit',
    '6',
    '--nemesis',
    'partition',
    '--nemesis-interval-ms',
    '2000',
  ]);
  assert.equal(r.code, 0, r.stdout);
  assert.equal(r.results.valid, true);
  const ok = r.history.filter((o) => o.type === 'ok').length;
  assert.ok(ok >= 10, `only ${ok} operations succeeded over the mutual-TLS controller listener`);
});
