// Bad input gets a clear answer and loses nothing: a truncated snapshot, a flipped byte in a
// snapshot or a log, malformed JSON, a missing log and a torn record followed by newer logs
// are each a MigrationInputError naming the file and the byte offset. The CLI turns them into
// exit code 2 and writes no report (see cli.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MigrationInputError } from '../../migration/src/errors.js';
import { readDataDir } from '../../migration/src/zk/data-dir-reader.js';
import { readJsonDump } from '../../migration/src/zk/json-dump-reader.js';
import { sampleTree } from './expected.js';
import { flipByte, scratchCopy, truncate, v2 } from './zk-files.js';

async function inputError(p: Promise<unknown>): Promise<MigrationInputError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof MigrationInputError, `expected a MigrationInputError, got ${String(err)}`);
    assert.ok(err.message.includes(err.file), 'the message names the file');
    assert.ok(err.offset < 0 || err.message.includes(`byte offset ${err.offset}`), 'the message gives the offset');
    return err;
  }
  assert.fail('expected the read to fail');
}

const onlySnapshotDe = (name: string): boolean => !name.startsWith('snapshot.') || name === 'snapshot.de';

test('a truncated snapshot (the only one) is an error at the offset where it stops', async (t) => {
  const dir = scratchCopy(t, onlySnapshotDe);
  truncate(v2(dir, 'snapshot.de'), 9000);
  const err = await inputError(readDataDir(dir));
  assert.equal(err.file, v2(dir, 'snapshot.de'));
  assert.ok(err.offset > 8500 && err.offset <= 9000, `offset ${err.offset}`);
  assert.match(err.reason, /truncated/);
});

test('a flipped byte in a snapshot fails its checksum seal', async (t) => {
  const dir = scratchCopy(t, onlySnapshotDe);
  const file = v2(dir, 'snapshot.de');
  const at = readFileSync(file).indexOf('min.insync.replicas');
  assert.ok(at > 0);
  flipByte(file, at + 3);
  const err = await inputError(readDataDir(dir));
  assert.equal(err.file, file);
  assert.match(err.reason, /first seal checksum mismatch/);
  assert.ok(err.offset > at);
});

test('a flipped byte in a transaction log fails that record checksum, at the record offset', async (t) => {
  const dir = scratchCopy(t);
  flipByte(v2(dir, 'log.df'), 0x6e + 40); // inside log.df's second record (a multi)
  const err = await inputError(readDataDir(dir));
  assert.equal(err.file, v2(dir, 'log.df'));
  assert.equal(err.offset, 0x6e);
  assert.match(err.reason, /record checksum mismatch/);
});

test('a flipped byte in the zero padding of a log is reported, not skipped', async (t) => {
  const dir = scratchCopy(t);
  flipByte(v2(dir, 'log.df'), 60000);
  const err = await inputError(readDataDir(dir));
  assert.equal(err.offset, 60000);
  assert.match(err.reason, /zero-padded tail/);
});

test('a torn record in a log followed by newer logs is an error', async (t) => {
  const dir = scratchCopy(t);
  truncate(v2(dir, 'log.bd'), 200);
  const err = await inputError(readDataDir(dir));
  assert.equal(err.file, v2(dir, 'log.bd'));
  assert.match(err.reason, /torn record/);
});

test('a missing log (a zxid gap) is an error naming where the gap shows', async (t) => {
  const dir = scratchCopy(t);
  rmSync(v2(dir, 'log.bd'));
  const err = await inputError(readDataDir(dir, { snapshot: 'snapshot.bb' }));
  assert.equal(err.file, v2(dir, 'log.df'));
  assert.match(err.reason, /transactions 0xbd\.\.0xde are missing/);
});

test('malformed JSON in a dump is an error at the byte offset of the syntax error', async (t) => {
  const dir = scratchCopy(t, () => false);
  const text = readFileSync(sampleTree, 'utf8');
  const cut = text.indexOf('"/brokers/ids/1"') + 40;
  const file = join(dir, 'tree.json');
  writeFileSync(file, text.slice(0, cut) + text.slice(cut + 1)); // drop one character
  const err = await inputError(readJsonDump(file));
  assert.equal(err.file, file);
  assert.match(err.reason, /malformed JSON/);
  assert.ok(Math.abs(err.offset - cut) < 20, `offset ${err.offset} near ${cut}`);
});

test('a dump entry whose parent is missing is an error at that entry', async (t) => {
  const dir = scratchCopy(t, () => false);
  const file = join(dir, 'tree.json');
  writeFileSync(
    file,
    JSON.stringify({ '/': { data: '', data_encoding: 'utf8' }, '/a/b': { data: null, data_encoding: null } }),
  );
  const err = await inputError(readJsonDump(file));
  assert.match(err.reason, /parent \/a is not in the dump/);
  assert.equal(err.offset, JSON.stringify({ '/': { data: '', data_encoding: 'utf8' } }).length - 1 + 1);
});
