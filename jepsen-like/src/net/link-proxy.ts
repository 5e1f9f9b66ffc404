// One directed network link of the harness as a TCP proxy: connections accepted on its port are
// forwarded to one node listener. Every node-to-node and client-to-node connection goes
// through such a link, so faults are real TCP behaviour, without privileges:
// - forward / backward blocked: bytes in that direction stop flowing (the source socket is
//   paused, so nothing is read or acknowledged past the kernel buffers) and flow again, late,
//   when the block lifts — what a partition does to a TCP stream whose peers keep retrying. A
//   connection opened while the link is blocked forward is accepted but not connected upstream
//   until it lifts (like SYNs retransmitted into a partition). Clients time out on their own.
// - delay: every chunk is held `delayMs` before it is forwarded, in order.
// A blocked link therefore looks like a hang to both ends, never like a refused connection.
import { createServer, connect, type Server, type Socket } from 'node:net';

interface LinkFaults {
  /** Bytes from the connecting side to the listener do not flow. */
  readonly blockForward: boolean;
  /** Bytes from the listener back to the connecting side do not flow. */
  readonly blockBackward: boolean;
  readonly delayMs: number;
}

export const healthyLink: LinkFaults = { blockForward: false, blockBackward: false, delayMs: 0 };

/** One direction of one proxied connection. */
class Pipe {
  private readonly queue: { at: number; chunk: Buffer }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly faults: () => { blocked: boolean; delayMs: number },
  ) {
    from.on('data', (chunk: Buffer) => {
      const { delayMs } = this.faults();
      if (delayMs <= 0 && this.queue.length === 0) this.to.write(chunk);
      else {
        this.queue.push({ at: Date.now() + delayMs, chunk });
        this.schedule();
      }
    });
    this.apply();
  }

  /** Pauses or resumes reading as the link's faults say. */
  apply(): void {
    if (this.faults().blocked) this.from.pause();
    else this.from.resume();
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        const now = Date.now();
        while (this.queue.length > 0 && this.queue[0]!.at <= now) this.to.write(this.queue.shift()!.chunk);
        this.schedule();
      },
      Math.max(0, this.queue[0]!.at - Date.now()),
    );
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.queue.length = 0;
  }
}

export class LinkProxy {
  private server: Server | null = null;
  private faults: LinkFaults = healthyLink;
  private readonly connections = new Set<{
    client: Socket;
    upstream: Socket | null;
    pipes: Pipe[];
    connectUpstream: () => void;
  }>();

  constructor(
    /** Who connects through this link: a node id, or 'client'. */
    readonly from: number | 'client',
    /** The node whose listener this link reaches. */
    readonly to: number,
    readonly target: { readonly host: string; readonly port: number },
    /** Which listener of `to`: controller (Raft, controller RPCs), replica (partition fetches) or kafka (clients). */
    readonly kind: 'controller' | 'replica' | 'kafka' = 'kafka',
  ) {}

  get state(): LinkFaults {
    return this.faults;
  }

  /** Listens on 127.0.0.1:`port` (0: any); returns the port. */
  start(port = 0): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  }

  setFaults(faults: LinkFaults): void {
    this.faults = faults;
    for (const c of this.connections) {
      if (!c.upstream && !faults.blockForward) c.connectUpstream();
      for (const p of c.pipes) p.apply();
    }
  }

  /** Open connections through the link right now. */
  get connectionCount(): number {
    return this.connections.size;
  }

  private accept(client: Socket): void {
    client.setNoDelay(true);
    client.pause();
    const conn = { client, upstream: null as Socket | null, pipes: [] as Pipe[], connectUpstream: () => {} };
    const close = (): void => {
      if (!this.connections.delete(conn)) return;
      for (const p of conn.pipes) p.close();
      client.destroy();
      conn.upstream?.destroy();
    };
    conn.connectUpstream = () => {
      if (conn.upstream) return;
      const upstream = connect(this.target.port, this.target.host);
      upstream.setNoDelay(true);
      conn.upstream = upstream;
      upstream.on('error', close);
      upstream.on('close', close);
      conn.pipes = [
        new Pipe(client, upstream, () => ({ blocked: this.faults.blockForward, delayMs: this.faults.delayMs })),
        new Pipe(upstream, client, () => ({ blocked: this.faults.blockBackward, delayMs: this.faults.delayMs })),
      ];
    };
    client.on('error', close);
    client.on('close', close);
    this.connections.add(conn);
    if (!this.faults.blockForward) conn.connectUpstream();
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const c of [...this.connections]) {
      c.client.destroy();
      c.upstream?.destroy();
    }
    this.connections.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
