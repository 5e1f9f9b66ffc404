// `raftka cluster up | status | down`: run every node of a cluster-config folder (one
// `<name>.properties` per node) as its own OS process, found again through pid files.
// Called by src/cli/cluster-command.ts and by tests (a temp config folder and data dir).
//
// Per cluster, under the data dir (default ./data/<folder name>, relative to the cwd):
//   cluster.id          one id for every node; written once every node of the first `up` is
//                       formatted, so it also marks "this cluster was formatted"
//   <name>/logs/        the node's log.dirs and metadata.log.dir (set with --override, so the
//                       config files stay free of paths)
//   <name>.log          the node's stdout+stderr (pino JSON), appended across restarts
//   <name>.pid          its pid while it runs
// An optional `<name>.env` beside `<name>.properties` (KEY=VALUE lines, # comments) adds
// environment variables to that node's process only (the jepsen-like harness preloads
// libfaketime this way, with a clock offset file of each node's own).
//
// Invariants:
// - Every config is loaded and validated, and all storage is checked, before any node starts.
// - Only pids that a pid file names AND that /proc shows running `server start --config <that
//   very file>` are ever signalled: a reused pid is never killed.
// - After the first `up`, a controller whose storage is missing is refused, never reformatted
//   silently: a voter that forgot its log and its vote can let the quorum lose committed
//   metadata. A broker (an observer) with no storage yet is formatted, so brokers can be added.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { loadNodeConfig } from '../common/config.js';
import type { Endpoint, Listener, NodeConfig, ProcessRole } from '../common/node-config.js';
import { repoRoot as defaultRepoRoot } from '../common/paths.js';
import { processIsAlive } from '../common/processes.js';
import { connectHost, notReadyBecause, probeHealthy, probeReadiness } from './node-probes.js';
import { formatStorage, isValidUuid, nodeDirectories, randomUuid, readMetaProperties } from './storage-format.js';

/** Where a cluster's configs and data are; dataDir defaults to ./data/<config folder name>. */
interface ClusterOptions {
  readonly configDir: string;
  readonly dataDir?: string | undefined;
}

interface ClusterPaths {
  readonly configDir: string;
  readonly dataDir: string;
}

interface ClusterNode {
  readonly name: string;
  readonly configPath: string;
  readonly config: NodeConfig;
  readonly nodeDir: string;
  readonly logFile: string;
  readonly pidFile: string;
}

interface NodeStatus {
  readonly name: string;
  readonly nodeId: number;
  readonly roles: readonly ProcessRole[];
  readonly pid: number | null;
  readonly state: 'running' | 'stopped';
  /** /healthz answered 200 (a node without admin.listener counts as healthy while running). */
  readonly healthy: boolean;
  /** The quorum leader the node knows (null: none, stopped, or no admin listener). */
  readonly quorumLeaderId: number | null;
  /** A broker's lifecycle state (registering, fenced, running, shutting-down); null otherwise. */
  readonly brokerState: string | null;
  readonly listeners: readonly Listener[];
  readonly adminListener: Endpoint | null;
  readonly logFile: string;
}

export class ClusterError extends Error {
  override readonly name = 'ClusterError';
}

const startTimeoutMsDefault = 30_000;
const stopTimeoutMsDefault = 10_000;
/** After SIGKILL a process is gone within moments; this only bounds the wait for it. */
const killWaitMs = 5_000;
const pollIntervalMs = 50;
/** How long `up` waits, after every node is healthy, for a quorum leader and every broker unfenced. */
const readyTimeoutMsDefault = 60_000;
/** How long a port must stay busy before `up` calls it taken. */
const portBusyWaitMs = 1_000;
const watchIntervalMs = 500;
const logTailLines = 20;
const logTailBytesMax = 16 * 1024;

// ---------------------------------------------------------------------------------------------
// Folder, paths, overrides (pure apart from reading the config files)

export function defaultDataDir(configDir: string): string {
  return resolve('data', basename(resolve(configDir)));
}

/**
 * Absolute paths. The config folder is resolved through symlinks when it exists, because the
 * config path is how a node process is recognised in /proc: every invocation must spell it alike.
 */
export function resolvePaths(configDir: string, dataDir?: string): ClusterPaths {
  const abs = resolve(configDir);
  const real = existsSync(abs) ? realpathSync(abs) : abs;
  return { configDir: real, dataDir: resolve(dataDir ?? defaultDataDir(configDir)) };
}

/** The overrides that put a node's data under the cluster's data dir. */
export function dataOverrides(nodeDir: string): Map<string, string> {
  const logs = join(nodeDir, 'logs');
  return new Map([
    ['log.dirs', logs],
    ['metadata.log.dir', logs],
  ]);
}

/** The argv (after the node binary) that starts one node; isOurServer recognises it. */
export function serverArgs(node: ClusterNode, repoRoot: string = defaultRepoRoot): string[] {
  const args = [join(repoRoot, 'bin', 'raftka.js'), 'server', 'start', '--config', node.configPath];
  for (const [k, v] of dataOverrides(node.nodeDir)) args.push('--override', `${k}=${v}`);
  return args;
}

/** Node names: the `.properties` files of the folder, without the suffix, sorted. */
export function nodeNames(configDir: string): string[] {
  if (!existsSync(configDir)) throw new ClusterError(`no such config folder: ${configDir}`);
  const names = readdirSync(configDir)
    .filter((f) => f.endsWith('.properties') && f.length > '.properties'.length)
    .map((f) => f.slice(0, -'.properties'.length))
    .sort();
  if (names.length === 0) throw new ClusterError(`${configDir} holds no .properties files`);
  return names;
}

/** Every node of the folder, configs loaded and validated (a bad one stops everything). */
export function loadClusterNodes(paths: ClusterPaths): ClusterNode[] {
  const nodes = nodeNames(paths.configDir).map((name) => {
    const configPath = join(paths.configDir, `${name}.properties`);
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

// ---------------------------------------------------------------------------------------------
// Which process is ours

/** The pid the pid file names, if that process is alive and is this node's server. */
export function runningPid(node: ClusterNode): number | null {
  const pid = pidFromFile(node.pidFile);
  return pid !== null && isOurServer(pid, node.configPath) ? pid : null;
}

function pidFromFile(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/** Whether argv (as /proc/<pid>/cmdline lists it) runs `server start --config <configPath>`. */
export function isServerCommandLine(argv: readonly string[], configPath: string): boolean {
  const start = argv.findIndex((a, i) => a === 'server' && argv[i + 1] === 'start');
  if (start < 0) return false;
  return argv.some(
    (a, i) => i > start && ((a === '--config' && argv[i + 1] === configPath) || a === `--config=${configPath}`),
  );
}

/** Alive (not a zombie) and running this config's server: a zombie's cmdline is empty. */
export function isOurServer(pid: number, configPath: string): boolean {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return false;
  }
  return isServerCommandLine(cmdline.split('\0'), configPath) && processIsAlive(pid);
}

// ---------------------------------------------------------------------------------------------
// Storage: one cluster id, formatted before anything starts

interface StoragePlan {
  readonly clusterId: string;
  /** No cluster.id file yet: it is written once the nodes below are formatted. */
  readonly writeClusterIdFile: boolean;
  readonly toFormat: readonly ClusterNode[];
}

function clusterIdFile(dataDir: string): string {
  return join(dataDir, 'cluster.id');
}

/**
 * Decide the cluster id and which nodes to format, checking every node's meta.properties; throws
 * before anything is written if a node belongs to another cluster or a controller lost its
 * storage. Without a cluster.id file (first `up`, or one interrupted before it finished), the
 * `wantedId` (`cluster up --cluster-id`, e.g. a ZooKeeper cluster's id before a migration) is
 * used, else an id already in the nodes' meta.properties is adopted, else a new one is made.
 */
export function planStorage(nodes: readonly ClusterNode[], dataDir: string, wantedId?: string): StoragePlan {
  const file = clusterIdFile(dataDir);
  let fileId: string | null = null;
  if (existsSync(file)) {
    fileId = readFileSync(file, 'utf8').trim();
    if (!isValidUuid(fileId)) throw new ClusterError(`${file} does not hold a valid cluster id`);
  }
  if (wantedId !== undefined) {
    if (!isValidUuid(wantedId))
      throw new ClusterError(`--cluster-id ${wantedId} is not a cluster id (22 characters of base64url, 16 bytes)`);
    if (fileId !== null && fileId !== wantedId)
      throw new ClusterError(
        `this cluster was formatted with id ${fileId} (${file}); --cluster-id ${wantedId} can only name the id of a cluster started for the first time`,
      );
  }
  const found = new Map<string, string>(); // cluster id → a directory that holds it
  const unformatted: ClusterNode[] = [];
  for (const node of nodes) {
    let formatted = true;
    for (const dir of nodeDirectories(node.config)) {
      const meta = readMetaProperties(dir);
      if (meta === null) {
        formatted = false;
        continue;
      }
      if (meta.nodeId !== node.config.nodeId) {
        throw new ClusterError(
          `${dir} was formatted for node.id ${meta.nodeId}, but ${node.configPath} says ${node.config.nodeId}`,
        );
      }
      if (!found.has(meta.clusterId)) found.set(meta.clusterId, dir);
    }
    if (!formatted) unformatted.push(node);
  }
  const clusterId = fileId ?? wantedId ?? (found.size === 1 ? [...found.keys()][0]! : randomUuid());
  for (const [id, dir] of found) {
    if (id !== clusterId) {
      const why =
        fileId !== null
          ? `${file} says ${fileId}`
          : wantedId !== undefined
            ? `--cluster-id says ${wantedId}`
            : `the nodes disagree (${[...found.keys()].join(', ')})`;
      throw new ClusterError(`${dir} belongs to cluster ${id}, but ${why}`);
    }
  }
  if (fileId !== null) {
    const lost = unformatted.find((n) => n.config.processRoles.includes('controller'));
    if (lost) {
      throw new ClusterError(
        `controller ${lost.name} (node.id=${lost.config.nodeId}) has no formatted storage in ${lost.nodeDir}, but cluster ${fileId} was ` +
          'formatted before. A voter that lost its log can make the quorum lose committed metadata, so it is not reformatted ' +
          `by itself; if that is what you want: raftka storage format --config ${lost.configPath} --cluster-id ${fileId} ` +
          [...dataOverrides(lost.nodeDir)].map(([k, v]) => `--override ${k}=${v}`).join(' '),
      );
    }
  }
  return { clusterId, writeClusterIdFile: fileId === null, toFormat: unformatted };
}

function applyStoragePlan(plan: StoragePlan, dataDir: string): void {
  for (const node of plan.toFormat) formatStorage(node.config, plan.clusterId, { ignoreFormatted: true });
  if (plan.writeClusterIdFile) {
    const file = clusterIdFile(dataDir);
    writeFileSync(`${file}.tmp`, `${plan.clusterId}\n`);
    renameSync(`${file}.tmp`, file);
  }
}

// ---------------------------------------------------------------------------------------------
// Probes

/** /healthz answered 200; a node without admin.listener counts as healthy (the caller checks the process). */
function healthy(admin: Endpoint | null): Promise<boolean> {
  return admin ? probeHealthy(admin) : Promise.resolve(true);
}

function urlHost(host: string): string {
  const h = connectHost(host);
  return h.includes(':') ? `[${h}]` : h;
}

/** Why host:port cannot be bound now (EADDRINUSE, ...), or null if it can; port 0 always can. */
function portProblem(endpoint: Endpoint): Promise<string | null> {
  if (endpoint.port === 0) return Promise.resolve(null);
  return new Promise((resolveProblem) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolveProblem(err.code ?? err.message));
    server.listen({ port: endpoint.port, host: endpoint.host === '' ? undefined : endpoint.host }, () => {
      server.close(() => resolveProblem(null));
    });
  });
}

/** Fail before starting anything if a port a node will bind is taken (say, by another cluster). */
async function checkPortsFree(nodes: readonly ClusterNode[]): Promise<void> {
  for (const node of nodes) {
    const endpoints: (Endpoint & { what: string })[] = node.config.listeners.map((l) => ({
      ...l,
      what: `listener ${l.name}`,
    }));
    if (node.config.adminListener) endpoints.push({ ...node.config.adminListener, what: 'admin.listener' });
    for (const e of endpoints) {
      let problem = await portProblem(e);
      // A node killed a moment ago can leave its port unbindable for a millisecond or so while
      // the kernel tears the sockets down (seen on Linux 6.x); a port someone holds stays held.
      const deadline = Date.now() + portBusyWaitMs;
      while (problem === 'EADDRINUSE' && Date.now() < deadline) {
        await sleep(pollIntervalMs);
        problem = await portProblem(e);
      }
      if (problem === 'EADDRINUSE') {
        throw new ClusterError(
          `${node.name}: ${e.what} ${e.host}:${e.port} is already in use by another process; nothing was started`,
        );
      }
      if (problem !== null)
        throw new ClusterError(
          `${node.name}: cannot bind ${e.what} ${e.host}:${e.port} (${problem}); nothing was started`,
        );
    }
  }
}

/** The last lines of a file, reading at most logTailBytesMax from its end. */
export function tailOfFile(file: string, lines = logTailLines): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '(no log)';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, logTailBytesMax);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// up

interface UpOptions extends ClusterOptions {
  /** The id to format a cluster started for the first time with (default: a new random one). */
  readonly clusterId?: string | undefined;
  /** Leave the nodes running on return (default false: the caller supervises them). */
  readonly detach?: boolean | undefined;
  /** Where bin/raftka.js is (default: this repository). */
  readonly repoRoot?: string | undefined;
  readonly startTimeoutMs?: number | undefined;
  /** After every node is healthy: the bound on the wait for a quorum leader and every broker unfenced. */
  readonly readyTimeoutMs?: number | undefined;
  readonly stopTimeoutMs?: number | undefined;
  /** Aborting it while nodes start (Ctrl-C in the foreground) stops every node and throws. */
  readonly signal?: AbortSignal | undefined;
}

interface UpResult {
  readonly paths: ClusterPaths;
  readonly clusterId: string;
  /** Names of the nodes this call started (the others were running already). */
  readonly started: readonly string[];
  readonly nodes: readonly NodeStatus[];
}

interface Started {
  readonly node: ClusterNode;
  readonly pid: number;
  exit: string | null; // "code 1" / "signal SIGKILL" once it exited
}

/** This process's environment plus the node's `<name>.env` file, when there is one. */
function nodeEnvironment(node: ClusterNode): NodeJS.ProcessEnv {
  const file = node.configPath.replace(/\.properties$/, '.env');
  if (!existsSync(file)) return process.env;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const eq = t.indexOf('=');
    if (eq <= 0) throw new ClusterError(`${file}: not KEY=VALUE: "${t}"`);
    env[t.slice(0, eq).trim()] = t.slice(eq + 1).trim();
  }
  return env;
}

function spawnNode(node: ClusterNode, repoRoot: string): Started {
  const env = nodeEnvironment(node);
  const out = openSync(node.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, serverArgs(node, repoRoot), { detached: true, stdio: ['ignore', out, out], env });
  } finally {
    closeSync(out);
  }
  if (child.pid === undefined)
    throw new ClusterError(
      `could not start ${node.name} (${process.execPath} ${serverArgs(node, repoRoot).join(' ')})`,
    );
  const started: Started = { node, pid: child.pid, exit: null };
  child.once('exit', (code, signal) => (started.exit = signal !== null ? `signal ${signal}` : `code ${code ?? '?'}`));
  child.once('error', (err) => (started.exit ??= err.message));
  child.unref(); // a detached node must not keep this process alive
  writeFileSync(node.pidFile, `${child.pid}\n`);
  return started;
}

/**
 * Check every config and storage, format what the first `up` needs, start every node that is not
 * running, and wait until each answers /healthz. On failure in the foreground the nodes this call
 * started are stopped again (nobody would supervise them); with detach they are left running.
 */
export async function clusterUp(options: UpOptions): Promise<UpResult> {
  const paths = resolvePaths(options.configDir, options.dataDir);
  const nodes = loadClusterNodes(paths);
  const plan = planStorage(nodes, paths.dataDir, options.clusterId);
  const toStart = nodes.filter((n) => runningPid(n) === null);
  await checkPortsFree(toStart);
  mkdirSync(paths.dataDir, { recursive: true });
  applyStoragePlan(plan, paths.dataDir);

  const started: Started[] = [];
  try {
    for (const node of toStart) {
      if (options.signal?.aborted) break; // waitHealthy reports it
      rmSync(node.pidFile, { force: true }); // stale
      started.push(spawnNode(node, options.repoRoot ?? defaultRepoRoot));
    }
    await waitHealthy(nodes, started, options.startTimeoutMs ?? startTimeoutMsDefault, options.signal);
    await waitReady(nodes, started, options.readyTimeoutMs ?? readyTimeoutMsDefault, options.signal);
  } catch (err) {
    const stopTimeoutMs = options.stopTimeoutMs ?? stopTimeoutMsDefault;
    if (options.signal?.aborted) {
      const stopped = await stopNodes(nodes, stopTimeoutMs);
      throw new ClusterError(`interrupted while starting; stopped ${namesOrNone(stopped.map((s) => s.node))}`);
    }
    const message = err instanceof Error ? err.message : String(err);
    if (!options.detach) {
      await stopNodes(
        started.map((s) => s.node),
        stopTimeoutMs,
      );
      throw new ClusterError(
        `${message}\n(stopped the nodes this command started: ${namesOrNone(started.map((s) => s.node))})`,
      );
    }
    const running = nodes.filter((n) => runningPid(n) !== null);
    throw new ClusterError(`${message}\n(still running: ${namesOrNone(running)}; raftka cluster down stops them)`);
  }
  return { paths, clusterId: plan.clusterId, started: started.map((s) => s.node.name), nodes: await statusOf(nodes) };
}

function namesOrNone(nodes: readonly ClusterNode[]): string {
  return nodes.length > 0 ? nodes.map((n) => n.name).join(', ') : 'none';
}

/** Throws when one of the nodes this call started has exited (with the end of its log). */
function checkStartedAlive(started: readonly Started[]): void {
  for (const s of started) {
    if (s.exit !== null) {
      rmSync(s.node.pidFile, { force: true });
      throw new ClusterError(
        `${s.node.name} (node.id=${s.node.config.nodeId}) exited while starting (${s.exit}); the end of ${s.node.logFile}:\n${tailOfFile(s.node.logFile)}`,
      );
    }
  }
}

/**
 * Polls `problem` of each node until none has one (null), failing early when one of the nodes
 * this call started exits and at the deadline naming each node still waited for and why.
 */
async function waitForNodes(
  nodes: readonly ClusterNode[],
  started: readonly Started[],
  wait: { readonly condition: string; readonly timeoutMs: number; readonly signal: AbortSignal | undefined },
  problem: (n: ClusterNode) => Promise<string | null>,
): Promise<void> {
  const deadline = Date.now() + wait.timeoutMs;
  const pending = new Map(nodes.map((n) => [n, 'not asked yet']));
  for (;;) {
    if (wait.signal?.aborted) throw new ClusterError('interrupted');
    // Our own children: their 'exit' event says how (libuv reaps them, so no pid check is needed).
    checkStartedAlive(started);
    const checks = await Promise.all([...pending.keys()].map(async (n) => ({ n, why: await problem(n) })));
    for (const { n, why } of checks) {
      if (why === null) pending.delete(n);
      else pending.set(n, why);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const late = [...pending].map(([n, why]) => `${n.name} (node.id=${n.config.nodeId}): ${why} (see ${n.logFile})`);
      throw new ClusterError(`not ${wait.condition} within ${wait.timeoutMs} ms:\n  ${late.join('\n  ')}`);
    }
    await sleep(pollIntervalMs);
  }
}

/** Every node answers /healthz (a node without admin.listener counts once running). */
function waitHealthy(
  nodes: readonly ClusterNode[],
  started: readonly Started[],
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  return waitForNodes(nodes, started, { condition: 'healthy', timeoutMs, signal }, async (n) =>
    (await healthy(n.config.adminListener)) ? null : 'its admin listener does not answer /healthz',
  );
}

/**
 * The cluster is usable: every node sees a quorum leader and every broker is registered and
 * unfenced, so a topic can be placed on all of them at once. Nodes without an admin listener
 * cannot be asked and are not waited for.
 */
function waitReady(
  nodes: readonly ClusterNode[],
  started: readonly Started[],
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const askable = nodes.filter((n) => n.config.adminListener !== null);
  return waitForNodes(askable, started, { condition: 'ready', timeoutMs, signal }, async (n) =>
    notReadyBecause(n.config.processRoles, await probeReadiness(n.config.adminListener!)),
  );
}

// ---------------------------------------------------------------------------------------------
// status

export async function clusterStatus(options: ClusterOptions): Promise<NodeStatus[]> {
  return statusOf(loadClusterNodes(resolvePaths(options.configDir, options.dataDir)));
}

async function readinessOf(
  pid: number | null,
  admin: Endpoint | null,
): Promise<{ quorumLeaderId: number | null; brokerState: string | null }> {
  const r = pid !== null && admin !== null ? await probeReadiness(admin) : null;
  return { quorumLeaderId: r?.quorumLeaderId ?? null, brokerState: r?.brokerState ?? null };
}

async function statusOf(nodes: readonly ClusterNode[]): Promise<NodeStatus[]> {
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
        ...(await readinessOf(pid, node.config.adminListener)),
        listeners: node.config.listeners,
        adminListener: node.config.adminListener,
        logFile: node.logFile,
      };
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// down

interface DownOptions extends ClusterOptions {
  /** How long SIGTERM gets before SIGKILL (default 10 s). */
  readonly timeoutMs?: number | undefined;
}

interface StoppedNode {
  readonly node: ClusterNode;
  readonly pid: number;
  /** It outlived the timeout and was SIGKILLed. */
  readonly forced: boolean;
}

/** SIGTERM every running node, SIGKILL any still running after the timeout; remove pid files. */
export async function clusterDown(options: DownOptions): Promise<StoppedNode[]> {
  const nodes = loadClusterNodes(resolvePaths(options.configDir, options.dataDir));
  return stopNodes(nodes, options.timeoutMs ?? stopTimeoutMsDefault);
}

/** Stop the given nodes that are running (ours by /proc, see runningPid). */
async function stopNodes(nodes: readonly ClusterNode[], timeoutMs = stopTimeoutMsDefault): Promise<StoppedNode[]> {
  const running = nodes.flatMap((node) => {
    const pid = runningPid(node);
    return pid === null ? [] : [{ node, pid }];
  });
  // Gone means processIsAlive says so, not just that /proc no longer shows our command line: an
  // exiting process loses its cmdline before it closes its sockets. Signals still go only to
  // processes /proc shows to be ours.
  const anyAlive = (): boolean => running.some((x) => processIsAlive(x.pid));
  for (const x of running) signalIfOurs(x.pid, x.node.configPath, 'SIGTERM');
  await waitUntil(() => !anyAlive(), timeoutMs);
  const forced = running.filter((x) => isOurServer(x.pid, x.node.configPath));
  for (const x of forced) signalIfOurs(x.pid, x.node.configPath, 'SIGKILL');
  await waitUntil(() => !anyAlive(), killWaitMs);
  for (const node of nodes) if (runningPid(node) === null) rmSync(node.pidFile, { force: true });
  return running.map((x) => ({ ...x, forced: forced.includes(x) }));
}

function signalIfOurs(pid: number, configPath: string, signal: NodeJS.Signals): void {
  if (!isOurServer(pid, configPath)) return;
  try {
    process.kill(pid, signal);
  } catch {
    // it exited between the check and the signal
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(pollIntervalMs);
}

// ---------------------------------------------------------------------------------------------
// foreground

/** Describe where each node is, for people. */
export function describeNodes(statuses: readonly NodeStatus[], paths: ClusterPaths): string {
  const lines = statuses.map((s) => {
    const listeners = s.listeners.map((l) => `${l.name}://${l.host}:${l.port}`).join(',');
    const admin = s.adminListener ? `http://${urlHost(s.adminListener.host)}:${s.adminListener.port}` : '-';
    return `  ${s.name}: node.id=${s.nodeId} roles=${s.roles.join(',')} pid=${s.pid ?? '-'} ${s.state} listeners=${listeners} admin=${admin} log=${s.logFile}`;
  });
  return [`cluster ${paths.configDir} (data in ${paths.dataDir}):`, ...lines].join('\n');
}

interface SuperviseOptions {
  /** Aborted (SIGINT/SIGTERM) → stop every node of the cluster and resolve. */
  readonly signal: AbortSignal;
  readonly report: (line: string) => void;
  readonly stopTimeoutMs?: number | undefined;
}

/**
 * Foreground `cluster up` after the nodes are up: report nodes that die (the others keep running)
 * or come back (a `cluster up --detach` elsewhere), and once `signal` aborts stop every node of
 * the cluster. Resolves with what was stopped.
 */
export function superviseForeground(paths: ClusterPaths, options: SuperviseOptions): Promise<StoppedNode[]> {
  const nodes = loadClusterNodes(paths);
  const down = new Set<string>();
  return new Promise((resolveDone, reject) => {
    const timer = setInterval(() => {
      for (const node of nodes) {
        const pid = runningPid(node);
        if (pid === null && !down.has(node.name)) {
          down.add(node.name);
          options.report(
            `${node.name} (node.id=${node.config.nodeId}) is not running any more; the end of ${node.logFile}:\n${tailOfFile(node.logFile, 5)}`,
          );
        } else if (pid !== null && down.delete(node.name)) {
          options.report(`${node.name} (node.id=${node.config.nodeId}) is running again (pid ${pid})`);
        }
      }
    }, watchIntervalMs);
    const stop = (): void => {
      clearInterval(timer);
      options.report('stopping every node');
      stopNodes(nodes, options.stopTimeoutMs).then(resolveDone, reject);
    };
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });
  });
}
