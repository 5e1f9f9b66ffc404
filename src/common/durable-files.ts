// Writing files that must survive a crash: the bytes are written in full and fsynced before the
// file is used, and a replaced file is swapped in by rename, then its directory fsynced, so a
// reader finds the old file or the new one, never a torn one. Callers: meta.properties
// (storage format), producer-state snapshots, the log cleaner's segment rewrite.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Create or overwrite `path` with `bytes` and fsync it (not atomic: see replaceFileDurably). */
export function writeFileDurably(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync a directory, so a rename or a new file in it survives a crash. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replace `path` with `bytes` atomically: write `<path>.tmp` durably, rename it over `path`, fsync the directory. */
export function replaceFileDurably(path: string, bytes: Uint8Array): void {
  writeFileDurably(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
  fsyncDirectory(dirname(path));
}
