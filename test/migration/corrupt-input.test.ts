// Bad input gets a clear answer and loses nothing: a truncated snapshot, a flipped byte in a
// snapshot and malformed JSON are each a MigrationInputError naming the file and the byte
// offset (the CLI turns them into exit code 2 and writes no report, see cli.test.ts). A damaged
// transaction log or a zxid gap stops replay with an error problem (exit 3 unless --force)
// naming the file, the zxids not applied and their znodes; a torn older log that the next one
// carries on without a gap is a warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MigrationInputError } from '../../migration/src/errors.js';
import type { Problem } from '../../migration/src/problems.js';
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

function onlyError(notes: readonly Problem[]): Problem {
  assert.deepEqual(
    notes.map((n) => n.severity),
    ['error'],
    JSON.stringify(notes),
  );
  return notes[0]!;
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

test('a flipped byte in the newest transaction log stops replay there: txn_log_corrupt names the record and what is not applied', async (t) => {
  const dir = scratchCopy(t);
  flipByte(v2(dir, 'log.df'), 0x6e + 40); // inside log.df's second record (a multi)
  const r = await readDataDir(dir);
  assert.equal(r.source.lastZxid, 0xdfn);
  const p = onlyError(r.notes);
  assert.deepEqual([p.code, p.path], ['txn_log_corrupt', v2(dir, 'log.df')]);
  assert.match(p.message, /corrupt at byte offset 110 \(record checksum mismatch/);
  assert.match(p.message, /Not applied either: 95 readable transaction\(s\) after it, 0xe1 \(.*\) to 0x13f/);
  assert.match(p.message, /\/brokers\/topics\/orders\/partitions\/0\/state/);
});

test('a flipped byte in the zero padding of the newest log is reported, not skipped', async (t) => {
  const dir = scratchCopy(t);
  flipByte(v2(dir, 'log.df'), 60000);
  const p = onlyError((await readDataDir(dir)).notes);
  assert.equal(p.code, 'txn_log_corrupt');
  assert.match(p.message, /byte offset 60000 \(non-zero bytes in the zero-padded tail/);
});

test('a torn record in an older log that the next log carries on without a gap is a warning', async (t) => {
  const dir = scratchCopy(t);
  truncate(v2(dir, 'log.bd'), 200); // snapshot.de holds everything log.bd had
  const r = await readDataDir(dir);
  assert.equal(r.source.lastZxid, 0x13fn);
  assert.deepEqual(
    r.notes.map((n) => [n.severity, n.code]),
    [['warning', 'txn_log_truncated']],
  );
  assert.match(r.notes[0]!.message, /log\.df continues at 0xdf without a gap/);
});

test('a torn record in an older log followed by a gap is an error with the lost range', async (t) => {
  const dir = scratchCopy(t);
  truncate(v2(dir, 'log.bd'), 200);
  const r = await readDataDir(dir, { snapshot: 'snapshot.bb' });
  const p = onlyError(r.notes);
  assert.equal(p.code, 'txn_log_truncated');
  assert.equal(p.path, v2(dir, 'log.bd'));
  assert.match(p.message, /The next log \(log\.df\) continues only at 0xdf: transactions 0x[0-9a-f]+\.\.0xde are lost/);
});

test('a missing log (a zxid gap) stops replay: zxid_gap names where the gap shows and what is not applied', async (t) => {
  const dir = scratchCopy(t);
  rmSync(v2(dir, 'log.bd'));
  const r = await readDataDir(dir, { snapshot: 'snapshot.bb' });
  assert.equal(r.source.lastZxid, 0xbcn);
  const p = onlyError(r.notes);
  assert.deepEqual([p.code, p.path], ['zxid_gap', v2(dir, 'log.df')]);
  assert.match(p.message, /transactions 0xbd\.\.0xde are missing/);
  assert.match(p.message, /Replay stopped after transaction 0xbc/);
  assert.match(p.message, /97 readable transaction\(s\) after it, 0xdf .* to 0x13f/);
  assert.match(p.message, /\/controller/);
});

test('a log with a bad header is corrupt from its first byte', async (t) => {
  const dir = scratchCopy(t);
  flipByte(v2(dir, 'log.df'), 0);
  const p = onlyError((await readDataDir(dir)).notes);
  assert.equal(p.code, 'txn_log_corrupt');
  assert.match(p.message, /at byte offset 0 \(bad magic/);
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
