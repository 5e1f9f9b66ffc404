// `raftka cluster up | status | down`: run every node of a cluster-config folder (one
// `<name>.properties` per node) as its own OS process, found again through pid files.
//
// Per cluster, under the data dir (default ./data/<folder name>):
//   cluster.id          one id for every node, made on first `up`
//   <name>/logs/        the node's log.dirs and metadata.log.dir (set with --override, so the
//                       config files stay free of paths)
//   <name>.log          the node's stdout+stderr (pino JSON)
//   <name>.pid          its pid while it runs
//
// Only pids that a pid file names AND that /proc shows running `server start` for that very
// config file are ever signalled: a reused pid is never killed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadNodeConfig } from '../common/config.js';
import type { Endpoint, Listener, NodeConfig, ProcessRole } from '../common/node-config.js';
import { repoPath } from '../common/paths.js';
import { processIsAlive } from '../common/processes.js';
import { formatStorage, isValidUuid, randomUuid } from './storage-format.js';

export interface ClusterPaths {
  readonly configDir: string;
  readonly dataDir: string;
}

export interface ClusterNode {
  readonly name: string;
  readonly configPath: string;
  readonly config: NodeConfig;
  readonly nodeDir: string;
  readonly logFile: string;
  readonly pidFile: string;
}

export interface NodeStatus {
  readonly name: string;
  readonly nodeId: number;
  readonly roles: readonly ProcessRole[];
  readonly pid: number | null;
  readonly state: 'running' | 'stopped';
  readonly healthy: boolean;
  readonly listeners: readonly Listener[];
  readonly adminListener: Endpoint | null;
  readonly logFile: string;
}

export class ClusterError extends Error {
  override readonly name = 'ClusterError';
}

const startTimeoutMs = 30_000;
const stopTimeoutMs = 10_000;
const pollIntervalMs = 50;
const healthTimeoutMs = 1_000;

export function defaultDataDir(configDir: string): string {
  return resolve('data', basename(resolve(configDir)));
}

export function resolvePaths(configDir: string, dataDir?: string): ClusterPaths {
  return { configDir: resolve(configDir), dataDir: resolve(dataDir ?? defaultDataDir(configDir)) };
}

/** The overrides that put a node's data under the cluster's data dir. */
export function dataOverrides(nodeDir: string): Map<string, string> {
  const logs = join(nodeDir, 'logs');
  return new Map([
    ['log.dirs', logs],
    ['metadata.log.dir', logs],
  ]);
}

/** Every node of the folder, configs loaded and validated (a bad one stops everything). */
export function loadClusterNodes(paths: ClusterPaths): ClusterNode[] {
  if (!existsSync(paths.configDir)) throw new ClusterError(`no such config folder: ${paths.configDir}`);
  const files = readdirSync(paths.configDir).filter((f) => f.endsWith('.properties')).sort();
  if (files.length === 0) throw new ClusterError(`${paths.configDir} holds no .properties files`);
  const nodes = files.map((file) => {
    const name = file.slice(0, -'.properties'.length);
    const configPath = join(paths.configDir, file);
    const nodeDir = join(paths.dataDir, name);
    return {
      name,
      configPath,
      config: loadNodeConfig(configPath, dataOverrides(nodeDir)),
      nodeDir,
      logFile: join(paths.dataDir, `${name}.log`),
      pidFile: join(paths.dataDir, `${name}.pid`),
    };
  });
  const ids = nodes.map((n) => n.config.nodeId);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined) throw new ClusterError(`node.id ${dup} is used by two nodes in ${paths.configDir}`);
  return nodes;
}

/** The pid the pid file names, if that process is alive and is this node's server. */
export function runningPid(node: ClusterNode): number | null {
  if (!existsSync(node.pidFile)) return null;
  const pid = Number(readFileSync(node.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return isOurServer(pid, node.configPath) ? pid : null;
}

export function isOurServer(pid: number, configPath: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('server') && argv.includes('start') && argv.includes(configPath);
  } catch {
    return false;
  }
}

async function healthy(admin: Endpoint | null): Promise<boolean> {
  if (!admin) return true;
  try {
    const res = await fetch(`http://${admin.host}:${admin.port}/healthz`, { signal: AbortSignal.timeout(healthTimeoutMs) });
    return res.status === 200;
  } catch {
    return false;
  }
}

function clusterId(paths: ClusterPaths): string {
  const file = join(paths.dataDir, 'cluster.id');
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (!isValidUuid(id)) throw new ClusterError(`${file} does not hold a valid cluster id`);
    return id;
  }
  const id = randomUuid();
  writeFileSync(file, `${id}\n`);
  return id;
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function spawnNode(node: ClusterNode): number {
  const out = openSync(node.logFile, 'a');
  const args = [repoPath('bin', 'raftka.js'), 'server', 'start', '--config', node.configPath];
  for (const [k, v] of dataOverrides(node.nodeDir)) args.push('--override', `${k}=${v}`);
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  if (child.pid === undefined) throw new ClusterError(`could not start ${node.name}`);
  child.unref();
  writeFileSync(node.pidFile, `${child.pid}\n`);
  return child.pid;
}


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface UpResult {
  readonly clusterId: string;
  readonly started: readonly string[];
  readonly nodes: readonly NodeStatus[];
}

/** Format (first time) and start every node that is not running; wait until all are healthy. */
export async function clusterUp(paths: ClusterPaths): Promise<UpResult> {
  const nodes = loadClusterNodes(paths);
  mkdirSync(paths.dataDir, { recursive: true });
  const id = clusterId(paths);
  const started: string[] = [];
  const pids = new Map<string, number>();
  for (const node of nodes) {
    if (runningPid(node) !== null) continue;
    rmSync(node.pidFile, { force: true });
    formatStorage(node.config, id, { ignoreFormatted: true });
    pids.set(node.name, spawnNode(node));
    started.push(node.name);
  }
  const deadline = Date.now() + startTimeoutMs;
  for (const node of nodes) {
    for (;;) {
      const pid = pids.get(node.name);
      if (pid !== undefined && !processIsAlive(pid)) {
        rmSync(node.pidFile, { force: true });
        throw new ClusterError(`${node.name} exited while starting; the end of ${node.logFile}:\n${tail(node.logFile)}`);
      }
      if (await healthy(node.config.adminListener)) break;
      if (Date.now() > deadline) throw new ClusterError(`${node.name} did not become healthy within ${startTimeoutMs} ms; see ${node.logFile}`);
      await sleep(pollIntervalMs);
    }
  }
  return { clusterId: id, started, nodes: await clusterStatus(paths) };
}

export async function clusterStatus(paths: ClusterPaths): Promise<NodeStatus[]> {
  const nodes = loadClusterNodes(paths);
  return Promise.all(
    nodes.map(async (node) => {
      const pid = runningPid(node);
      return {
        name: node.name,
        nodeId: node.config.nodeId,
        roles: node.config.processRoles,
        pid,
        state: pid === null ? ('stopped' as const) : ('running' as const),
        healthy: pid !== null && (await healthy(node.config.adminListener)),
        listeners: node.config.listeners,
        adminListener: node.config.adminListener,
        logFile: node.logFile,
      };
    }),
  );
}

/** SIGTERM every running node, SIGKILL any still alive after the timeout; remove pid files. */
export async function clusterDown(paths: ClusterPaths, timeoutMs = stopTimeoutMs): Promise<string[]> {
  const nodes = loadClusterNodes(paths);
  return stopNodes(nodes, timeoutMs);
}

export async function stopNodes(nodes: readonly ClusterNode[], timeoutMs = stopTimeoutMs): Promise<string[]> {
  const running = nodes.map((n) => ({ node: n, pid: runningPid(n) })).filter((x): x is { node: ClusterNode; pid: number } => x.pid !== null);
  for (const { pid } of running) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (running.some(({ pid }) => processIsAlive(pid)) && Date.now() < deadline) await sleep(pollIntervalMs);
  for (const { node, pid } of running) {
    if (processIsAlive(pid) && isOurServer(pid, node.configPath)) process.kill(pid, 'SIGKILL');
  }
  for (const node of nodes) if (runningPid(node) === null) rmSync(node.pidFile, { force: true });
  return running.map((x) => x.node.name);
}

/** Describe where each node is, for people. */
export function describeNodes(statuses: readonly NodeStatus[], paths: ClusterPaths): string {
  const lines = statuses.map((s) => {
    const listeners = s.listeners.map((l) => `${l.name}://${l.host}:${l.port}`).join(',');
    const admin = s.adminListener ? `http://${s.adminListener.host}:${s.adminListener.port}` : '-';
    return `  ${s.name}: node.id=${s.nodeId} roles=${s.roles.join(',')} pid=${s.pid ?? '-'} ${s.state} listeners=${listeners} admin=${admin} log=${s.logFile}`;
  });
  return [`cluster ${paths.configDir} (data in ${paths.dataDir}):`, ...lines].join('\n');
}

const watchIntervalMs = 500;

/**
 * Foreground `cluster up`: report nodes that die, and on SIGINT/SIGTERM stop every node of the
 * cluster. Resolves once they are stopped.
 */
export function superviseForeground(paths: ClusterPaths, report: (line: string) => void): Promise<void> {
  const nodes = loadClusterNodes(paths);
  const reported = new Set<string>();
  return new Promise((resolveDone) => {
    const timer = setInterval(() => {
      for (const node of nodes) {
        const up = runningPid(node) !== null;
        if (!up && !reported.has(node.name)) {
          reported.add(node.name);
          report(`${node.name} (node.id=${node.config.nodeId}) is not running; see ${node.logFile}`);
        } else if (up) {
          reported.delete(node.name);
        }
      }
    }, watchIntervalMs);
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      report(`${signal}: stopping every node`);
      void stopNodes(nodes).then((stopped) => {
        report(`stopped ${stopped.length} node(s)`);
        resolveDone();
      });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
