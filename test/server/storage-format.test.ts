import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNodeConfig } from '../../src/common/config.js';
import { repoPath } from '../../src/common/paths.js';
import {
  FormatError,
  formatStorage,
  isValidUuid,
  randomUuid,
  readMetaProperties,
} from '../../src/server/storage-format.js';

function configIn(dir: string) {
  return parseNodeConfig(
    new Map([
      ['node.id', '1'],
      ['process.roles', 'controller'],
      ['controller.quorum.voters', '1@127.0.0.1:9093'],
      ['listeners', 'CONTROLLER://127.0.0.1:9093'],
      ['controller.listener.names', 'CONTROLLER'],
      ['log.dirs', `${join(dir, 'a')},${join(dir, 'b')}`],
      ['metadata.log.dir', join(dir, 'meta')],
    ]),
    'test.properties',
  );
}

test('random-uuid makes 22-character base64url ids of 16 bytes, never starting with -', () => {
  for (let i = 0; i < 200; i++) {
    const id = randomUuid();
    assert.ok(isValidUuid(id), id);
    assert.ok(!id.startsWith('-'));
  }
  assert.equal(isValidUuid('not-a-uuid'), false);
});

test('format writes meta.properties in every log dir and the metadata dir, and refuses to reformat', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-format-'));
  try {
    const config = configIn(dir);
    const id = randomUuid();
    const r = formatStorage(config, id, { ignoreFormatted: false });
    assert.equal(r.formatted.length, 3);
    for (const d of ['a', 'b', 'meta']) {
      const meta = readMetaProperties(join(dir, d));
      assert.equal(meta?.clusterId, id);
      assert.equal(meta?.nodeId, 1);
      assert.ok(meta?.directoryId && isValidUuid(meta.directoryId));
      assert.match(readFileSync(join(dir, d, 'meta.properties'), 'utf8'), /^version=1$/m);
    }
    assert.throws(() => formatStorage(config, id, { ignoreFormatted: false }), FormatError);
    // --ignore-formatted formats only what is missing.
    rmSync(join(dir, 'b'), { recursive: true });
    const again = formatStorage(config, id, { ignoreFormatted: true });
    assert.deepEqual(again.formatted, [join(dir, 'b')]);
    assert.equal(again.alreadyFormatted.length, 2);
    // A directory of another cluster is never adopted.
    assert.throws(() => formatStorage(config, randomUuid(), { ignoreFormatted: true }), /belongs to cluster/);
    assert.throws(() => formatStorage(config, 'bad', { ignoreFormatted: true }), /not a 22-character/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI: storage random-uuid and storage format, as a user runs them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-format-cli-'));
  try {
    const raftka = (...args: string[]) =>
      spawnSync(process.execPath, [repoPath('bin', 'raftka.js'), ...args], { encoding: 'utf8' });
    const uuid = raftka('storage', 'random-uuid');
    assert.equal(uuid.status, 0);
    const id = uuid.stdout.trim();
    assert.ok(isValidUuid(id));
    const file = join(dir, 'node.properties');
    writeFileSync(
      file,
      [
        'node.id=1',
        'process.roles=controller',
        'controller.quorum.voters=1@127.0.0.1:9093',
        'listeners=CONTROLLER://127.0.0.1:9093',
        'controller.listener.names=CONTROLLER',
        `log.dirs=${join(dir, 'logs')}`,
      ].join('\n'),
    );
    const ok = raftka('storage', 'format', '--config', file, '--cluster-id', id);
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(existsSync(join(dir, 'logs', 'meta.properties')));
    const refused = raftka('storage', 'format', '--config', file, '--cluster-id', id);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^raftka: .*already formatted/);
    const skipped = raftka('storage', 'format', '--config', file, '--cluster-id', id, '--ignore-formatted');
    assert.equal(skipped.status, 0);
    writeFileSync(file, 'node.id=1\nbogus.key=1\n');
    const bad = raftka('storage', 'format', '--config', file, '--cluster-id', id);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, new RegExp(`raftka: ${file}: unknown property bogus\\.key`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
