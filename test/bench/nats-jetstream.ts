// A three-server NATS JetStream cluster on 127.0.0.1 (Debian's `nats-server`, installed with apt
// when missing and running as root) and the least of a NATS client needed to compare raftka with
// it: CONNECT, PING/PONG, request/reply through one inbox subscription, and JetStream publishes
// whose acknowledgement is the stream's reply. Used by test/bench/compare.bench.ts only.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePorts, waitFor } from '../../src/testing/cluster-fixture.js';

/** Makes sure `nats-server` is on the PATH, installing Debian's package when root. */
export function ensureNatsServer(): void {
  const has = (): boolean => {
    try {
      execFileSync('nats-server', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (has()) return;
  if (process.getuid?.() !== 0) throw new Error('nats-server is missing: apt-get install nats-server (needs root)');
  execFileSync('apt-get', ['install', '-y', '-qq', 'nats-server'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (!has()) throw new Error('apt-get installed nats-server but it does not run');
}

/** One decoded MSG from the server. */
interface NatsMessage {
  subject: string;
  payload: Buffer;
}

/** A NATS connection: publish, request/reply with pipelining. */
export class NatsClient {
  private buf: Buffer = Buffer.alloc(0);
  private readonly inbox = `_INBOX.${Math.random().toString(36).slice(2)}`;
  private readonly pending = new Map<string, (m: NatsMessage) => void>();
  private nextId = 0;
  private pongs: (() => void)[] = [];
  private failure: Error | undefined;

  private constructor(private readonly sock: Socket) {
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('error', (e) => (this.failure = e));
  }

  static async connect(port: number): Promise<NatsClient> {
    const sock = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const c = new NatsClient(sock);
    sock.write('CONNECT {"verbose":false,"pedantic":false,"headers":false,"name":"raftka-bench"}\r\n');
    sock.write(`SUB ${c.inbox}.* 1\r\n`);
    await c.ping();
    return c;
  }

  ping(): Promise<void> {
    return new Promise((resolve) => {
      this.pongs.push(resolve);
      this.sock.write('PING\r\n');
    });
  }

  /** Sends `payload` to `subject` with a reply subject; resolves with the reply. */
  request(subject: string, payload: Buffer | string): Promise<NatsMessage> {
    if (this.failure) return Promise.reject(this.failure);
    const reply = `${this.inbox}.${this.nextId++}`;
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    return new Promise((resolve) => {
      this.pending.set(reply, resolve);
      this.sock.write(`PUB ${subject} ${reply} ${body.length}\r\n`);
      this.sock.write(body);
      this.sock.write('\r\n');
    });
  }

  /** Holds writes until uncork, so a burst of publishes leaves in few packets. */
  cork(): void {
    this.sock.cork();
  }

  uncork(): void {
    this.sock.uncork();
  }

  close(): void {
    this.sock.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const eol = this.buf.indexOf('\r\n');
      if (eol < 0) return;
      const line = this.buf.subarray(0, eol).toString('latin1');
      if (line.startsWith('MSG ')) {
        // MSG <subject> <sid> [reply-to] <#bytes>
        const parts = line.split(' ');
        const size = Number(parts.at(-1));
        if (this.buf.length < eol + 2 + size + 2) return;
        const payload = this.buf.subarray(eol + 2, eol + 2 + size);
        this.buf = this.buf.subarray(eol + 2 + size + 2);
        const subject = parts[1]!;
        const done = this.pending.get(subject);
        if (done) {
          this.pending.delete(subject);
          done({ subject, payload });
        }
        continue;
      }
      this.buf = this.buf.subarray(eol + 2);
      if (line === 'PING') this.sock.write('PONG\r\n');
      else if (line === 'PONG') this.pongs.shift()?.();
      else if (line.startsWith('-ERR')) this.failure = new Error(`nats: ${line}`);
    }
  }
}

/** Throws if a JetStream API or publish reply carries an error. */
export function checkJsReply(m: NatsMessage): void {
  const text = m.payload.toString();
  if (text.includes('"error"')) throw new Error(`jetstream: ${text}`);
}

/** Three JetStream servers in one cluster with file storage under `dir`. */
export class NatsCluster {
  private constructor(
    readonly clientPorts: number[],
    private readonly children: ChildProcess[],
  ) {}

  static async start(dir: string): Promise<NatsCluster> {
    const ports = await freePorts(6);
    const clientPorts = ports.slice(0, 3);
    const routePorts = ports.slice(3);
    const children = clientPorts.map((port, i) => {
      const store = join(dir, `nats-${i}`);
      mkdirSync(store, { recursive: true });
      const routes = routePorts.filter((_, j) => j !== i).map((p) => `nats://127.0.0.1:${p}`);
      return spawn(
        'nats-server',
        [
          '-a',
          '127.0.0.1',
          '-p',
          String(port),
          '-js',
          '-sd',
          store,
          '--server_name',
          `n${i}`,
          '--cluster_name',
          'raftka-bench',
          '--cluster',
          `nats://127.0.0.1:${routePorts[i]}`,
          '--routes',
          routes.join(','),
        ],
        { stdio: 'ignore' },
      );
    });
    return new NatsCluster(clientPorts, children);
  }

  /** Creates an R3 file-backed stream on `subject`, retrying until JetStream's meta leader answers. */
  async createStream(c: NatsClient, name: string, subject: string): Promise<void> {
    const config = JSON.stringify({
      name,
      subjects: [subject],
      num_replicas: 3,
      storage: 'file',
      retention: 'limits',
      discard: 'old',
    });
    await waitFor(
      `JetStream to create stream ${name}`,
      async () => {
        const reply = await Promise.race([
          c.request(`$JS.API.STREAM.CREATE.${name}`, config),
          new Promise<undefined>((r) => setTimeout(() => r(undefined), 2_000)), // per-try timeout
        ]);
        if (!reply) return undefined;
        const text = reply.payload.toString();
        return text.includes('"config"') ? true : undefined;
      },
      60_000,
      250,
    );
  }

  stop(): void {
    for (const c of this.children) c.kill('SIGKILL');
  }
}

/**
 * Publishes `count` messages of `payload` to `subject`, at most `window` unacknowledged at once;
 * resolves with the wall seconds until the last acknowledgement.
 */
export function publishWindowed(
  c: NatsClient,
  subject: string,
  payload: Buffer,
  count: number,
  window: number,
): Promise<number> {
  const started = performance.now();
  let sent = 0;
  let acked = 0;
  return new Promise((resolve, reject) => {
    const onAck = (m: NatsMessage): void => {
      try {
        checkJsReply(m);
      } catch (e) {
        reject(e);
        return;
      }
      acked++;
      if (acked === count) resolve((performance.now() - started) / 1000);
      else if (sent - acked <= window / 2) pump();
    };
    const pump = (): void => {
      c.cork();
      while (sent < count && sent - acked < window) {
        sent++;
        c.request(subject, payload).then(onAck, reject);
      }
      c.uncork();
    };
    pump();
  });
}
