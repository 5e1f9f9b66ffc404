// The test-only storage fault hooks (src/common/fault-hooks.ts) driven through their control
// file, as the jepsen-like slow-disk and kill-snapshot/kill-roll nemeses drive them: a disk
// delay blocks synchronous writes and delays asynchronous ones; an armed pause point writes
// `<file>.hit` and holds the process there once per content of the control file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { configureFaultHooks, maybePauseInside, slowDisk, slowDiskSync } from '../../src/common/fault-hooks.js';

/** Waits (deadline 3 s) until the hooks have read the control file: the delay shows. */
async function untilDelay(atLeastMs: number): Promise<void> {
  const deadline = performance.now() + 3000;
  for (;;) {
    const t = performance.now();
    slowDiskSync();
    if (performance.now() - t >= atLeastMs) return;
    if (performance.now() > deadline) throw new Error('the control file was not read');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('fault hooks: off without a control file; a disk delay and a one-shot pause from it', async (t) => {
  // Off: no control file configured (the default), every hook returns at once.
  let started = performance.now();
  slowDiskSync();
  maybePauseInside('segment-roll');
  assert.equal(slowDisk(), undefined);
  assert.ok(performance.now() - started < 20);

  const dir = mkdtempSync(join(tmpdir(), 'raftka-fault-hooks-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'control.json');
  writeFileSync(file, '');
  configureFaultHooks(file, pino({ level: 'silent' }));

  writeFileSync(file, JSON.stringify({ diskDelayMs: 60 }));
  await untilDelay(55);
  started = performance.now();
  await slowDisk();
  assert.ok(performance.now() - started >= 55, 'the asynchronous delay waits too');

  writeFileSync(file, JSON.stringify({ pauseAt: ['segment-roll'], pauseMs: 80 }));
  await new Promise((r) => setTimeout(r, 450)); // the hooks re-read the file every 200 ms
  maybePauseInside('metadata-snapshot'); // not armed
  assert.equal(existsSync(`${file}.hit`), false);
  started = performance.now();
  maybePauseInside('segment-roll');
  assert.ok(performance.now() - started >= 75, 'held inside the write');
  assert.equal(readFileSync(`${file}.hit`, 'utf8'), 'segment-roll');
  started = performance.now();
  maybePauseInside('segment-roll');
  assert.ok(performance.now() - started < 40, 'once per content of the control file');
});
