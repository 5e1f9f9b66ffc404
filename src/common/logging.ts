// Structured logs (pino JSON, one object per line). A node logs to stdout; `raftka cluster up`
// sends each node's stdout to its own file under the data dir. RAFTKA_LOG_LEVEL sets the level.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(bindings: Record<string, unknown>): Logger {
  return pino({ level: process.env['RAFTKA_LOG_LEVEL'] ?? 'info', base: { pid: process.pid, ...bindings } });
}
