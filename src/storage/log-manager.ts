// All partition logs of one broker across its `log.dirs`: opens (and recovers) them at start,
// creates a log when the broker first hosts a partition, removes it when the topic is deleted,
// and keeps Kafka's per-directory checkpoint files (`recovery-point-offset-checkpoint`,
// `log-start-offset-checkpoint`, `replication-offset-checkpoint` (high watermarks),
// `cleaner-offset-checkpoint` (first dirty offsets of compacted logs): a version line "0", a
// count, then "<topic> <partition> <offset>") and each partition's `partition.metadata` (its topic
// id), read at start so a log dir a ZooKeeper-mode Kafka broker left is adopted at its offsets.
// A partition directory whose topic id is not the topic's (the topic was deleted and made again
// while this broker was away) is renamed `<topic>-<partition>.<id>-stray`, as Kafka does, and the
// partition starts empty. Background work — flush.ms, retention, checkpoints, compaction — runs
// on timers from start(). A write that fails for lack of space (or an I/O error) is reported to
// the dir's state (log-dir-health.ts): appends are refused with KAFKA_STORAGE_ERROR while it lasts.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { partitionKey } from '../protocol/topic-partition.js';
import { Log, type FlushObserver } from './log.js';
import { defaultLogConfig, type LogConfig } from './log-config.js';
import { isStorageError, LogDirHealth, type LogDirStatus } from './log-dir-health.js';

/** Kafka's checkpoint files of a log dir, and what each holds per partition. */
const checkpointFiles = {
  recovery: 'recovery-point-offset-checkpoint',
  logStart: 'log-start-offset-checkpoint',
  highWatermark: 'replication-offset-checkpoint',
  firstDirty: 'cleaner-offset-checkpoint',
} as const;
type CheckpointKind = keyof typeof checkpointFiles;
const checkpointKinds = Object.keys(checkpointFiles) as CheckpointKind[];

const partitionMetadataName = 'partition.metadata';

/** The topic id in a partition dir's `partition.metadata` ("version: 0", "topic_id: <id>"); null if none. */
export function readPartitionMetadata(dir: string): string | null {
  const path = join(dir, partitionMetadataName);
  if (!existsSync(path)) return null;
  const m = /^topic_id:\s*(\S+)\s*$/m.exec(readFileSync(path, 'utf8'));
  return m ? m[1]! : null;
}

function writePartitionMetadata(dir: string, topicId: string): void {
  writeFileSync(join(dir, `${partitionMetadataName}.tmp`), `version: 0\ntopic_id: ${topicId}\n`);
  renameSync(join(dir, `${partitionMetadataName}.tmp`), join(dir, partitionMetadataName));
}

/** `<topic>-<partition>` → its parts (topic names may contain '-'); null for other names. */
function parsePartitionDir(name: string): { topic: string; partition: number } | null {
  const m = /^(.+)-(\d+)$/.exec(name);
  return m ? { topic: m[1]!, partition: Number(m[2]) } : null;
}

function readCheckpoint(path: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync(path)) return out;
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  if (lines[0] !== '0') return out;
  for (const line of lines.slice(2)) {
    const parts = line.trim().split(/\s+/);
    if (parts.length !== 3) continue;
    out.set(partitionKey(parts[0]!, Number(parts[1])), Number(parts[2]));
  }
  return out;
}

function writeCheckpoint(path: string, entries: readonly [string, number, number][]): void {
  const text = `${['0', String(entries.length), ...entries.map(([t, p, o]) => `${t} ${p} ${o}`)].join('\n')}\n`;
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

interface LogManagerOptions {
  readonly logDirs: readonly string[];
  readonly logger: Logger;
  readonly retentionCheckIntervalMs: number;
  readonly flushCheckIntervalMs: number;
  /** How often recovery points are checkpointed. */
  readonly checkpointIntervalMs: number;
  /** How often compacted logs are looked at by the cleaner (log.cleaner.backoff.ms); null: no cleaner. */
  readonly cleanerIntervalMs: number | null;
  /** Told the duration of every partition log flush (fsync), in seconds. */
  readonly onFlush?: FlushObserver;
}

interface Hosted {
  readonly topic: string;
  readonly partition: number;
  /** The partition's directory, and the log dir (of `log.dirs`) it is in. */
  readonly dir: string;
  readonly logDir: string;
  readonly log: Log;
  /** The topic id for `partition.metadata`, until that file is written (a full disk delays it). */
  pendingTopicId?: string;
}

export class LogManager {
  private readonly logs = new Map<string, Hosted>();
  private readonly timers: NodeJS.Timeout[] = [];
  /** What the checkpoint files said at start (and still say of partitions not opened yet). */
  private readonly checkpointed: Record<CheckpointKind, Map<string, number>> = {
    recovery: new Map(),
    logStart: new Map(),
    highWatermark: new Map(),
    firstDirty: new Map(),
  };
  /** Partition directories found at start (key → its log dir), opened on first use with the topic's config. */
  private readonly found = new Map<string, string>();
  /** Hosted logs per log dir: a new partition goes to the emptiest (kept as counts, not recounted per log). */
  private readonly hostedPerDir = new Map<string, number>();
  private cleaner: ((log: Log, nowMs: number) => void) | null = null;
  /** Whether each log dir takes writes (full disk, I/O errors). */
  private readonly health: LogDirHealth;

  constructor(private readonly options: LogManagerOptions) {
    this.health = new LogDirHealth(options.logDirs, options.logger);
    for (const dir of options.logDirs) {
      mkdirSync(dir, { recursive: true });
      this.hostedPerDir.set(dir, 0);
      for (const kind of checkpointKinds)
        for (const [k, v] of readCheckpoint(join(dir, checkpointFiles[kind]))) this.checkpointed[kind].set(k, v);
      for (const name of readdirSync(dir)) {
        if (!parsePartitionDir(name) || name.startsWith('__cluster_metadata')) continue;
        if (statSync(join(dir, name)).isDirectory()) this.found.set(name, dir);
      }
    }
  }

  /** Partitions with data on this broker's disks (hosted now or found at start). */
  knownPartitions(): { topic: string; partition: number }[] {
    const keys = new Set([...this.found.keys(), ...this.logs.keys()]);
    return [...keys].map((k) => parsePartitionDir(k)!).filter((p) => p !== null);
  }

  /** The log dir (of `log.dirs`) holding the partition's data, hosted or found at start. */
  logDirOf(topic: string, partition: number): string | undefined {
    const key = partitionKey(topic, partition);
    return this.logs.get(key)?.logDir ?? this.found.get(key);
  }

  get(topic: string, partition: number): Log | undefined {
    return this.logs.get(partitionKey(topic, partition))?.log;
  }

  /**
   * The partition's log, opened (and recovered) or created with `config`. With `topicId`, a
   * directory found on disk must belong to that topic (its partition.metadata), else it is set
   * aside as stray; the id is written for a directory that has none.
   */
  getOrCreate(topic: string, partition: number, config: LogConfig, topicId?: string): Log {
    const key = partitionKey(topic, partition);
    const hosted = this.logs.get(key);
    if (hosted) {
      if (hosted.log.config !== config) hosted.log.updateConfig(config);
      return hosted.log;
    }
    const logDir = this.found.get(key) ?? this.emptiestDir();
    const dir = join(logDir, key);
    if (this.found.delete(key) && topicId !== undefined) this.setAsideIfStray(dir, key, topicId);
    const at = (kind: CheckpointKind): number | undefined => this.checkpointed[kind].get(key);
    const log = Log.open(dir, config, {
      recoveryPoint: at('recovery') ?? 0,
      logStartOffset: at('logStart') ?? 0,
      highWatermark: at('highWatermark'),
      firstDirtyOffset: at('firstDirty'),
      nowMs: Date.now(),
      logger: this.options.logger,
      onFlush: this.options.onFlush,
      writeState: this.health.of(logDir),
    });
    const opened: Hosted = { topic, partition, dir, logDir, log };
    if (topicId !== undefined && readPartitionMetadata(dir) === null) {
      opened.pendingTopicId = topicId;
      this.writePendingMetadata(opened);
    }
    this.logs.set(key, opened);
    this.hostedPerDir.set(logDir, this.hostedPerDir.get(logDir)! + 1);
    return log;
  }

  /** Writes the partition's `partition.metadata`; on a full disk, again at the next checkpoint. */
  private writePendingMetadata(h: Hosted): void {
    if (h.pendingTopicId === undefined) return;
    try {
      writePartitionMetadata(h.dir, h.pendingTopicId);
      h.pendingTopicId = undefined;
    } catch (err) {
      if (!isStorageError(err)) throw err;
      this.health.of(h.logDir).writeFailed(err, `${partitionMetadataName} of ${h.topic}-${h.partition}`);
    }
  }

  /** A found directory of another topic incarnation is renamed aside, and its checkpoints forgotten. */
  private setAsideIfStray(dir: string, key: string, topicId: string): void {
    const onDisk = readPartitionMetadata(dir);
    if (onDisk === null || onDisk === topicId) return;
    const stray = `${dir}.${onDisk}-stray`;
    renameSync(dir, stray);
    for (const kind of checkpointKinds) this.checkpointed[kind].delete(key);
    this.options.logger.warn(
      { dir, stray, onDiskTopicId: onDisk, topicId },
      'partition directory belongs to another topic with this name; set aside as stray',
    );
  }

  /** The log dir hosting the fewest partitions (the first of them on a tie). */
  private emptiestDir(): string {
    let best = this.options.logDirs[0]!;
    for (const d of this.options.logDirs) if (this.hostedPerDir.get(d)! < this.hostedPerDir.get(best)!) best = d;
    return best;
  }

  /** Remove a partition's data (its topic was deleted). */
  delete(topic: string, partition: number): void {
    const key = partitionKey(topic, partition);
    const hosted = this.logs.get(key);
    if (hosted) {
      hosted.log.delete();
      this.hostedPerDir.set(hosted.logDir, this.hostedPerDir.get(hosted.logDir)! - 1);
    } else {
      const logDir = this.found.get(key);
      if (logDir) {
        // Opened only to be removed: no recovery needed.
        Log.open(join(logDir, key), defaultLogConfig, {
          recoveryPoint: Number.MAX_SAFE_INTEGER,
          logStartOffset: 0,
          nowMs: Date.now(),
          logger: this.options.logger,
        }).delete();
      }
    }
    this.logs.delete(key);
    this.found.delete(key);
    for (const kind of checkpointKinds) this.checkpointed[kind].delete(key);
  }

  /** Each log dir: full or failing, since when, how many writes it refused. */
  logDirStatus(): LogDirStatus[] {
    return this.health.status();
  }

  /**
   * `fn` on every hosted log; a storage error (a full disk) is reported to the log's dir, logged
   * once per change of state there, and the other logs still get their turn.
   */
  private forEachLog(what: string, fn: (log: Log) => void): void {
    for (const h of this.logs.values()) {
      try {
        fn(h.log);
      } catch (err) {
        if (!isStorageError(err)) throw err;
        this.health.of(h.logDir).writeFailed(err, what);
      }
    }
  }

  setCleaner(cleaner: (log: Log, nowMs: number) => void): void {
    this.cleaner = cleaner;
  }

  start(): void {
    const every = (ms: number, fn: () => void): void => {
      const t = setInterval(() => {
        try {
          fn();
        } catch (err) {
          this.options.logger.error({ err }, 'log background task failed');
        }
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.options.flushCheckIntervalMs, () => {
      const now = Date.now();
      this.forEachLog('flush', (log) => log.maybeFlush(now));
    });
    every(this.options.retentionCheckIntervalMs, () => this.runRetention(Date.now()));
    every(this.options.checkpointIntervalMs, () => this.checkpoint());
    if (this.options.cleanerIntervalMs !== null)
      every(this.options.cleanerIntervalMs, () => this.runCleaner(Date.now()));
  }

  /** Compaction of every hosted compacted log. */
  runCleaner(nowMs: number): void {
    if (!this.cleaner) return;
    const cleaner = this.cleaner;
    this.forEachLog('compaction', (log) => {
      if (log.config.compact) cleaner(log, nowMs);
    });
  }

  /** Time and size retention over every hosted log; returns segments deleted. */
  runRetention(nowMs: number): number {
    let deleted = 0;
    this.forEachLog('retention', (log) => {
      deleted += log.enforceRetention(nowMs);
      // Kafka checks producer expiry every 10 minutes; the retention check's interval serves here.
      log.removeExpiredProducers(nowMs);
    });
    if (deleted > 0) this.options.logger.info({ deleted }, 'retention deleted log segments');
    return deleted;
  }

  /** Write every log dir's checkpoint files. */
  checkpoint(): void {
    for (const h of this.logs.values()) this.writePendingMetadata(h);
    const checkpointValue: Record<CheckpointKind, (log: Log) => number | null> = {
      recovery: (log) => log.recoveryPoint,
      logStart: (log) => log.logStartOffset,
      highWatermark: (log) => log.highWatermark,
      firstDirty: (log) => (log.config.compact ? log.firstDirtyOffset : null),
    };
    for (const dir of this.options.logDirs) {
      for (const kind of checkpointKinds) {
        const entries: [string, number, number][] = [];
        for (const h of this.logs.values()) {
          const v = h.logDir === dir ? checkpointValue[kind](h.log) : null;
          if (v !== null) entries.push([h.topic, h.partition, v]);
        }
        // Partitions found on disk but not opened yet keep their old entries.
        for (const [key, logDir] of this.found) {
          const v = this.checkpointed[kind].get(key);
          if (logDir !== dir || v === undefined) continue;
          const p = parsePartitionDir(key)!;
          entries.push([p.topic, p.partition, v]);
        }
        try {
          writeCheckpoint(join(dir, checkpointFiles[kind]), entries);
        } catch (err) {
          // The old file stays (the new one is renamed over it only once written): a full disk
          // delays the checkpoint, it does not lose the previous one.
          if (!isStorageError(err)) throw err;
          this.health.of(dir).writeFailed(err, `checkpoint ${checkpointFiles[kind]}`);
        }
      }
    }
  }

  /** Flush and close every log, then checkpoint (a clean shutdown needs no recovery). */
  close(): void {
    for (const t of this.timers) clearInterval(t);
    const now = Date.now();
    this.forEachLog('close', (log) => log.close(now));
    this.checkpoint();
  }
}
