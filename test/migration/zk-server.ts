// A standalone Debian ZooKeeper server for migration tests, started the way
// ../shared/zk-fixtures/generate.py starts it (ZooKeeperServerMain from the `zookeeper` package's
// jars, 127.0.0.1 only, admin server off, `srvr` allowed) on a data directory the test gives it,
// and stopped by the pid it started. `zookeeperInstalled` tells a test to skip when it is absent.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePorts, waitFor } from '../../src/testing/cluster-fixture.js';

function debianJar(pkg: string, jar: string): string | null {
  const r = spawnSync('dpkg', ['-L', pkg], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return r.stdout.split('\n').find((p) => p.endsWith(`/${jar}`) && existsSync(p)) ?? null;
}

export function zookeeperInstalled(): boolean {
  return debianJar('libzookeeper-java', 'zookeeper.jar') !== null && spawnSync('java', ['-version']).status === 0;
}

/** The server's answer to a four-letter word (`srvr`, `dump`), or null when it does not answer. */
function fourLetterWord(port: number, word: 'srvr' | 'dump'): Promise<string | null> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    s.setTimeout(2_000, () => s.destroy());
    s.on('connect', () => s.write(word));
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.on('close', () => resolve(out === '' ? null : out));
    s.on('error', () => resolve(null));
  });
}

export class ZkServer {
  private constructor(
    private readonly proc: ChildProcess,
    readonly port: number,
  ) {}

  /** Starts a server whose dataDir is `dataDir` (holding version-2/) and waits until it answers. */
  static async start(workDir: string, dataDir: string): Promise<ZkServer> {
    const [port] = await freePorts(1);
    const cfg = join(workDir, 'zoo.cfg');
    writeFileSync(
      cfg,
      [
        'tickTime=2000',
        `dataDir=${dataDir}`,
        `clientPort=${port}`,
        'clientPortAddress=127.0.0.1',
        'admin.enableServer=false',
        'autopurge.purgeInterval=0',
        '4lw.commands.whitelist=srvr,dump',
        '',
      ].join('\n'),
    );
    const jars = [debianJar('libzookeeper-java', 'zookeeper.jar'), debianJar('libslf4j-java', 'slf4j-simple.jar')];
    const log = createWriteStream(join(workDir, 'zookeeper.log'));
    const proc = spawn(
      'java',
      [
        '-Xmx256m',
        '-Dzookeeper.admin.enableServer=false',
        '-Dzookeeper.jmx.log4j.disable=true',
        '-cp',
        jars.filter((j) => j !== null).join(':'),
        'org.apache.zookeeper.server.ZooKeeperServerMain',
        cfg,
      ],
      { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout!.pipe(log);
    proc.stderr!.pipe(log);
    const server = new ZkServer(proc, port!);
    try {
      await waitFor(
        `ZooKeeper on 127.0.0.1:${port}`,
        async () => {
          if (proc.exitCode !== null)
            throw new Error(`ZooKeeper exited (${proc.exitCode}); see ${workDir}/zookeeper.log`);
          const answer = await fourLetterWord(port!, 'srvr');
          return answer?.includes('Zookeeper version') ? answer : undefined;
        },
        60_000,
        200,
      );
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  /**
   * Waits until no session holds ephemeral znodes (`dump`): sessions restored from a snapshot
   * whose clients are gone expire one session timeout after the server loaded its data, and
   * their ephemeral znodes go with them.
   */
  async waitForNoEphemerals(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      'the restored sessions to expire',
      async () => {
        const m = /Sessions with Ephemerals \((\d+)\)/.exec((await fourLetterWord(this.port, 'dump')) ?? '');
        return m && m[1] === '0' ? true : undefined;
      },
      timeoutMs,
      250,
    );
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** SIGTERM, then SIGKILL after 20 s; resolves when the process has exited. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}
