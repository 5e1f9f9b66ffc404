// The worker loop both workloads share: `concurrency` workers, each running one logical process
// at a time with a client of its own. A process performs operations until one ends with an
// unknown outcome (`info`), then retires: its client is closed and a fresh process with a fresh
// client takes its place (Jepsen's rule: a process never has two operations open).
// stop() lets the current operations finish; close() drops every client (the run is ending).

/**
 * Pause before a process replaces a retired one: while the cluster is down every op fails at
 * once, and without it a worker would spin through hundreds of one-op processes, swelling the
 * history with indeterminate sends.
 */
const replacementDelayMs = 250;

interface Closeable {
  close(): void;
}

export abstract class ProcessPool<C extends Closeable, S> {
  private running = false;
  private workers: Promise<void>[] = [];
  private readonly clients = new Set<C>();
  /** The next logical process id. */
  protected nextProcess = 0;

  constructor(
    private readonly concurrency: number,
    private readonly opIntervalMs: number,
  ) {}

  /** A client for a new process. */
  protected abstract newClient(process: number): C;
  /** Per-process state, made when the process starts (it may record ops, e.g. an assign). */
  protected abstract beginProcess(process: number, client: C): S;
  /** One operation; false when its outcome is unknown (the process retires). */
  protected abstract operate(process: number, client: C, state: S): Promise<boolean>;
  /** Called when a process retires or the pool stops (before its client is closed). */
  protected async endProcess(_process: number, _state: S): Promise<void> {}

  start(): void {
    this.running = true;
    this.workers = Array.from({ length: this.concurrency }, () => this.worker());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  close(): void {
    for (const c of this.clients) c.close();
    this.clients.clear();
  }

  /** A client kept in the pool's set (closed by close()); release it with dropClient. */
  protected openClient(process: number): C {
    const c = this.newClient(process);
    this.clients.add(c);
    return c;
  }

  protected dropClient(c: C): void {
    c.close();
    this.clients.delete(c);
  }

  private async worker(): Promise<void> {
    for (let first = true; this.running; first = false) {
      if (!first) await new Promise((r) => setTimeout(r, replacementDelayMs));
      if (!this.running) break;
      const process = this.nextProcess++;
      const client = this.openClient(process);
      const state = this.beginProcess(process, client);
      let alive = true;
      while (this.running && alive) {
        alive = await this.operate(process, client, state);
        if (alive) await new Promise((r) => setTimeout(r, this.opIntervalMs));
      }
      await this.endProcess(process, state);
      this.dropClient(client);
    }
  }
}
