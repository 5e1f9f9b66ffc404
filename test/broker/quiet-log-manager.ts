// A LogManager over one temporary folder whose background timers never fire during a unit test
// (retention, flush and checkpoints every minute, no cleaner): the ReplicaManager tests' logs.
import type { Logger } from 'pino';
import { LogManager } from '../../src/storage/log-manager.js';

export function quietLogManager(dir: string, logger: Logger): LogManager {
  return new LogManager({
    logDirs: [dir],
    logger,
    retentionCheckIntervalMs: 60_000,
    flushCheckIntervalMs: 60_000,
    checkpointIntervalMs: 60_000,
    cleanerIntervalMs: null,
  });
}
