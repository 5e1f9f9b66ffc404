// Test helpers: copy the sample data directory to a scratch directory and damage or compress
// its files, so reader tests can check what happens with real bytes gone wrong.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import snappy from 'snappy';
import { sampleDir } from './expected.js';

export function scratchCopy(t: { after: (fn: () => void) => void }, keep?: (name: string) => boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'raftka-zk-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(sampleDir, 'version-2'), join(dir, 'version-2'), {
    recursive: true,
    filter: (src) => !keep || src.endsWith('version-2') || keep(src.slice(src.lastIndexOf('/') + 1)),
  });
  return dir;
}

export function v2(dir: string, name: string): string {
  return join(dir, 'version-2', name);
}

export function flipByte(file: string, offset: number): void {
  const b = readFileSync(file);
  b[offset] = b[offset]! ^ 0xff;
  writeFileSync(file, b);
}

export function truncate(file: string, length: number): void {
  writeFileSync(file, readFileSync(file).subarray(0, length));
}

export function gzipFile(from: string, to: string): void {
  writeFileSync(to, gzipSync(readFileSync(from)));
}

/** snappy-java's SnappyOutputStream framing, as ZooKeeper writes snapshot.<zxid>.snappy. */
export function snappyFile(from: string, to: string, blockBytes = 4096): void {
  const raw = readFileSync(from);
  const parts: Buffer[] = [Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])];
  for (let i = 0; i < raw.length; i += blockBytes) {
    const block = snappy.compressSync(raw.subarray(i, i + blockBytes));
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length);
    parts.push(len, block);
  }
  writeFileSync(to, Buffer.concat(parts));
}
