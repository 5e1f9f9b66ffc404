// Reads one ZooKeeper transaction log file (FORMAT.md §4) into typed transactions. Each record
// is [long Adler-32 of the txn bytes][int length][txn bytes][byte 'B']; the file is zero padded
// to its preallocated size. Reading stops cleanly at a zero length (the padding) or at EOF; a
// record cut short (length past EOF, or no 'B') is a torn end; a checksum mismatch, a bad file
// header, an undecodable txn or stray bytes in the padding is a corrupt end. Both are returned
// with the transactions read before them (never thrown): data-dir-reader.ts decides what they
// cost. peekRecord() reads what can still be read of a damaged record (its zxid, time and
// znodes), for the report. Called by data-dir-reader.ts. Pure: takes bytes, does no I/O.
import { MigrationInputError } from '../errors.js';
import { adler32, JuteReader } from './jute.js';
import { readAclList } from './snapshot-reader.js';
import type { AclEntryZk } from './znode-tree.js';

const txnLogMagic = 0x5a4b4c47; // "ZKLG"
const headerBytes = 16;
const endOfRecordMarker = 0x42; // 'B'

/** ZooDefs.OpCode values that appear in transaction logs. */
const OpCode = {
  error: -1,
  create: 1,
  delete: 2,
  setData: 5,
  setACL: 7,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  createSession: -10,
  closeSession: -11,
} as const;

export type TxnBody =
  | {
      readonly kind: 'create';
      readonly path: string;
      readonly data: Uint8Array | null;
      readonly acl: readonly AclEntryZk[];
      readonly ephemeral: boolean;
      readonly parentCVersion: number;
      readonly ephemeralType: 'normal' | 'container' | 'ttl';
      readonly ttl: bigint;
    }
  | { readonly kind: 'delete'; readonly path: string }
  | { readonly kind: 'setData'; readonly path: string; readonly data: Uint8Array | null; readonly version: number }
  | { readonly kind: 'setACL'; readonly path: string; readonly acl: readonly AclEntryZk[]; readonly version: number }
  | { readonly kind: 'check'; readonly path: string; readonly version: number }
  | { readonly kind: 'multi'; readonly txns: readonly TxnBody[] }
  | { readonly kind: 'createSession'; readonly timeoutMs: number }
  | { readonly kind: 'closeSession'; readonly paths: readonly string[] | null }
  | { readonly kind: 'error'; readonly err: number };

export interface TxnHeader {
  readonly clientId: bigint;
  readonly cxid: number;
  readonly zxid: bigint;
  readonly time: bigint;
  readonly type: number;
}

export interface TxnEntry {
  readonly header: TxnHeader;
  readonly body: TxnBody;
  /** Tree digest after this txn, when the log carries one. */
  readonly treeDigest: bigint | null;
  /** Byte offset of the record (its checksum field) in the file. */
  readonly offset: number;
}

export type LogEnd =
  | { readonly reason: 'padding' | 'eof'; readonly offset: number }
  | { readonly reason: 'torn'; readonly offset: number; readonly detail: string }
  | {
      readonly reason: 'corrupt';
      readonly offset: number;
      readonly detail: string;
      /** Where the damaged record starts (0: the file header). */
      readonly record: number;
      /** Where the record after the damaged one starts, when the damaged one's framing is intact. */
      readonly next: number | null;
    };

interface ReadTxnLog {
  readonly entries: TxnEntry[];
  readonly end: LogEnd;
}

function readBody(r: JuteReader, type: number, inMulti: boolean): TxnBody {
  switch (type) {
    case OpCode.create:
    case OpCode.create2: {
      const path = r.path();
      const data = r.buffer('data');
      const acl = readAclList(r);
      const ephemeral = r.bool('ephemeral');
      return {
        kind: 'create',
        path,
        data: data && Uint8Array.from(data),
        acl,
        ephemeral,
        parentCVersion: r.int('parentCVersion'),
        ephemeralType: 'normal',
        ttl: 0n,
      };
    }
    case OpCode.createContainer:
    case OpCode.createTTL: {
      const path = r.path();
      const data = r.buffer('data');
      const acl = readAclList(r);
      const parentCVersion = r.int('parentCVersion');
      const ttl = type === OpCode.createTTL ? r.long('ttl') : 0n;
      return {
        kind: 'create',
        path,
        data: data && Uint8Array.from(data),
        acl,
        ephemeral: false,
        parentCVersion,
        ephemeralType: type === OpCode.createTTL ? 'ttl' : 'container',
        ttl,
      };
    }
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { kind: 'delete', path: r.path() };
    case OpCode.setData:
    case OpCode.reconfig: {
      const path = r.path();
      const data = r.buffer('data');
      return { kind: 'setData', path, data: data && Uint8Array.from(data), version: r.int('version') };
    }
    case OpCode.setACL: {
      const path = r.path();
      const acl = readAclList(r);
      return { kind: 'setACL', path, acl, version: r.int('version') };
    }
    case OpCode.check:
      return { kind: 'check', path: r.path(), version: r.int('version') };
    case OpCode.error:
      return { kind: 'error', err: r.int('error code') };
    case OpCode.createSession:
      if (!inMulti) return { kind: 'createSession', timeoutMs: r.int('session timeout') };
      break;
    case OpCode.closeSession:
      // 3.6+ lists the session's ephemerals; older logs have an empty body.
      if (!inMulti)
        return {
          kind: 'closeSession',
          paths: r.remaining >= 4 ? (r.vector('paths2Delete', () => r.path()) ?? []) : null,
        };
      break;
    case OpCode.multi:
      if (!inMulti) {
        const txns =
          r.vector('multi sub-txns', () => {
            const subType = r.int('sub-txn type');
            const bodyAt = r.offset;
            const data = r.buffer('sub-txn data') ?? new Uint8Array(0);
            const sub: JuteReader = new JuteReader(data, r.file, r.base + bodyAt + 4);
            const body = readBody(sub, subType, true);
            if (sub.remaining !== 0) sub.fail(`${sub.remaining} unexpected bytes after a sub-txn of type ${subType}`);
            return body;
          }) ?? [];
        return { kind: 'multi', txns };
      }
      break;
    default:
      break;
  }
  return r.fail(`unknown transaction type ${type}${inMulti ? ' inside a multi' : ''}`);
}

/** Parses the txn bytes of one record (TxnHeader, body, optional TxnDigest). */
function readTxn(bytes: Uint8Array, file: string, base: number, recordOffset: number): TxnEntry {
  const r: JuteReader = new JuteReader(bytes, file, base);
  const header: TxnHeader = {
    clientId: r.long('clientId'),
    cxid: r.int('cxid'),
    zxid: r.long('zxid'),
    time: r.long('time'),
    type: r.int('txn type'),
  };
  const body = readBody(r, header.type, false);
  let treeDigest: bigint | null = null;
  if (r.remaining > 0) {
    const version = r.int('digest version');
    if (version !== 2) r.fail(`unsupported txn digest version ${version}`, r.offset - 4);
    treeDigest = r.long('tree digest');
  }
  if (r.remaining > 0) r.fail(`${r.remaining} unexpected bytes after txn zxid 0x${header.zxid.toString(16)}`);
  return { header, body, treeDigest, offset: recordOffset };
}

/**
 * The transactions of one log file and how it ends. `from` starts reading at that record offset
 * instead of after the file header (to read on past a damaged record whose framing is intact).
 */
export function readTxnLog(bytes: Uint8Array, file: string, from?: number): ReadTxnLog {
  const entries: TxnEntry[] = [];
  let recordAt = from ?? 0;
  try {
    return readRecords(bytes, file, entries, from, (at) => (recordAt = at));
  } catch (err) {
    if (!(err instanceof MigrationInputError)) throw err;
    const next = framedEnd(bytes, recordAt);
    return { entries, end: { reason: 'corrupt', offset: err.offset, detail: err.reason, record: recordAt, next } };
  }
}

/** The offset after the record at `at` when its length and 'B' marker are intact, else null. */
function framedEnd(bytes: Uint8Array, at: number): number | null {
  if (at < headerBytes || at + 12 > bytes.length) return null;
  const len = new DataView(bytes.buffer, bytes.byteOffset + at + 8, 4).getInt32(0);
  const end = at + 12 + len;
  return len > 0 && end < bytes.length && bytes[end] === endOfRecordMarker ? end + 1 : null;
}

function readRecords(
  bytes: Uint8Array,
  file: string,
  entries: TxnEntry[],
  from: number | undefined,
  recordStart: (at: number) => void,
): ReadTxnLog {
  const r: JuteReader = new JuteReader(bytes, file);
  if (from === undefined) {
    if (bytes.length < headerBytes) r.fail(`too short for a transaction log (${bytes.length} bytes)`, 0);
    const magic = r.int('magic');
    if (magic !== txnLogMagic) r.fail(`bad magic 0x${(magic >>> 0).toString(16)}, expected 0x5a4b4c47 ("ZKLG")`, 0);
    const version = r.int('version');
    if (version !== 2) r.fail(`unsupported transaction log version ${version}`, 4);
    r.long('dbid');
  } else r.offset = from;

  for (;;) {
    recordStart(r.offset);
    const at = r.offset;
    if (r.remaining === 0) return { entries, end: { reason: 'eof', offset: at } };
    if (r.remaining < 12) {
      const tail = bytes.subarray(at);
      if (tail.every((b) => b === 0)) return { entries, end: { reason: 'padding', offset: at } };
      return {
        entries,
        end: { reason: 'torn', offset: at, detail: `${r.remaining} bytes, too few for a record header` },
      };
    }
    const checksum = r.long('checksum');
    const len = r.int('length');
    if (len === 0) {
      // Preallocated space. Anything but zeros after it means a record was written past a hole.
      const rest = bytes.subarray(at);
      const stray = rest.findIndex((b) => b !== 0);
      if (stray >= 0) r.fail('non-zero bytes in the zero-padded tail of the log', at + stray);
      return { entries, end: { reason: 'padding', offset: at } };
    }
    if (len < 0) r.fail(`bad record length ${len}`, at + 8);
    if (r.remaining < len + 1)
      return {
        entries,
        end: { reason: 'torn', offset: at, detail: `record of ${len} bytes runs past the end of the file` },
      };
    const txnAt = r.offset;
    const txnBytes = bytes.subarray(txnAt, txnAt + len);
    // Like FileTxnIterator: a missing 'B' is a partial last write (end of log), checked before the checksum.
    if (bytes[txnAt + len] !== endOfRecordMarker)
      return { entries, end: { reason: 'torn', offset: at, detail: "record not followed by the 'B' marker" } };
    const computed = adler32(txnBytes);
    if (checksum !== BigInt(computed))
      r.fail(`record checksum mismatch: file says ${checksum.toString(16)}, bytes give ${computed.toString(16)}`, at);
    r.offset = txnAt + len + 1;
    entries.push(readTxn(txnBytes, file, txnAt, at));
  }
}

/** What can still be read of a damaged record: its zxid and time, and the znodes it touches. */
export interface RecordPeek {
  readonly zxid: bigint | null;
  readonly time: bigint | null;
  readonly paths: readonly string[];
}

/** The znodes a transaction creates, changes or deletes. */
export function txnPaths(body: TxnBody): string[] {
  switch (body.kind) {
    case 'create':
    case 'delete':
    case 'setData':
    case 'setACL':
    case 'check':
      return [body.path];
    case 'multi':
      return body.txns.flatMap(txnPaths);
    case 'closeSession':
      return [...(body.paths ?? [])];
    case 'createSession':
    case 'error':
      return [];
  }
}

/**
 * Reads the record at `at` as far as its bytes allow (no checksum check): a torn record often
 * still holds its header (zxid, time) and the path its body starts with. Never throws.
 */
export function peekRecord(bytes: Uint8Array, at: number, file: string): RecordPeek {
  const txnAt = at + 12;
  const r: JuteReader = new JuteReader(bytes.subarray(0, Math.min(bytes.length, txnAt + lengthAt(bytes, at))), file);
  r.offset = txnAt;
  let zxid: bigint | null = null;
  let time: bigint | null = null;
  let bodyAt = -1;
  try {
    r.long('clientId');
    r.int('cxid');
    zxid = r.long('zxid');
    time = r.long('time');
    const type = r.int('txn type');
    bodyAt = r.offset;
    return { zxid, time, paths: txnPaths(readBody(r, type, false)) };
  } catch {
    // The body is cut short: most bodies start with their path, which may still be whole.
    if (bodyAt < 0) return { zxid, time, paths: [] };
    try {
      r.offset = bodyAt;
      const path = r.path();
      return { zxid, time, paths: path.startsWith('/') ? [path] : [] };
    } catch {
      return { zxid, time, paths: [] };
    }
  }
}

function lengthAt(bytes: Uint8Array, at: number): number {
  if (at + 12 > bytes.length) return 0;
  const len = new DataView(bytes.buffer, bytes.byteOffset + at + 8, 4).getInt32(0);
  return Math.max(len, 0);
}
