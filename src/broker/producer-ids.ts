// Producer ids for InitProducerId (idempotent producers and the transaction coordinator): the
// broker takes blocks of ids from the active controller (AllocateProducerIds, one metadata
// record per block, so an id is never handed out twice even across controller failovers) and
// hands them out one by one. The next block is fetched when the current one is 90% used, so a
// burst of producers rarely waits on the controller (Kafka's RPCProducerIdManager does the same).
// With no block at hand InitProducerId answers COORDINATOR_LOAD_IN_PROGRESS (retriable), as Kafka does.
// Callers: the InitProducerId handler and the transaction coordinator's producer-id source.
import type { Logger } from 'pino';
import { ErrorCode, errorName } from '../common/errors.js';

/** What the broker needs from the controller: one block of ids, or an error code. */
export interface ProducerIdBlockSource {
  allocate(): Promise<{ errorCode: number; start: number; length: number }>;
}

/** Prefetch the next block once this fraction of the current one is handed out. */
const prefetchFraction = 0.9;
/** A failed block request is retried after this long at the earliest. */
const retryBackoffMs = 100;

export class ProducerIdUnavailableError extends Error {
  override readonly name = 'ProducerIdUnavailableError';
  constructor(
    message: string,
    readonly errorCode: number,
  ) {
    super(message);
  }
}

interface Block {
  readonly start: number;
  readonly length: number;
}

export class ProducerIdManager {
  private current: Block | null = null;
  private next: Block | null = null;
  private handedOut = 0;
  private inFlight: Promise<void> | null = null;
  private lastFailureMs = -Infinity;

  constructor(
    private readonly source: ProducerIdBlockSource,
    private readonly logger: Logger,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** The next unused producer id; fetches a block when none is left. */
  async nextProducerId(): Promise<number> {
    for (;;) {
      const block = this.current;
      if (block && this.handedOut < block.length) {
        const id = block.start + this.handedOut++;
        if (this.handedOut >= block.length * prefetchFraction && !this.next) void this.prefetch();
        return id;
      }
      if (this.next) {
        this.current = this.next;
        this.next = null;
        this.handedOut = 0;
        continue;
      }
      await this.fetchBlock(true);
    }
  }

  private async prefetch(): Promise<void> {
    try {
      await this.fetchBlock(false);
    } catch (err) {
      // A failed prefetch is retried by the call that needs the block; say why it failed.
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'producer id block prefetch failed');
    }
  }

  private fetchBlock(needed: boolean): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (needed && this.nowMs() - this.lastFailureMs < retryBackoffMs) {
      return Promise.reject(
        new ProducerIdUnavailableError(
          'no producer id block (the controller refused recently)',
          ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
        ),
      );
    }
    const run = async (): Promise<void> => {
      try {
        const r = await this.source.allocate();
        if (r.errorCode !== ErrorCode.NONE || r.length <= 0) {
          this.lastFailureMs = this.nowMs();
          throw new ProducerIdUnavailableError(
            `the controller refused a producer id block: ${errorName(r.errorCode)}`,
            ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
          );
        }
        const block = { start: r.start, length: r.length };
        if (this.current === null || this.handedOut >= this.current.length) {
          this.current = block;
          this.handedOut = 0;
        } else {
          this.next = block;
        }
        this.logger.info({ start: r.start, length: r.length }, 'producer id block allocated');
      } catch (err) {
        this.lastFailureMs = this.nowMs();
        if (err instanceof ProducerIdUnavailableError) throw err;
        throw new ProducerIdUnavailableError(
          `no producer id block: ${err instanceof Error ? err.message : String(err)}`,
          ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
        );
      } finally {
        this.inFlight = null;
      }
    };
    this.inFlight = run();
    return this.inFlight;
  }
}
