import type Database from "better-sqlite3";
import type { ClusterEventDTO, StoreStatus } from "../../lib/contracts/http-replies";
import { BatchHolder, type StoreBatch } from "../books/batch";
import type { TallyRows } from "../books/tally";
import type { TrackedMessage } from "../books/tracked-message";
import { createLogger, type Logger } from "../log";
import { prepareBatchWrite } from "./batch-sql";

// The batched writer: owns what waits to be written (the books' batch: runs, pairs, counters,
// applied rseqs, series; tracked messages and events), so a failed write (disk full, database
// locked or read-only) keeps its batch and tries again later instead of losing it. Only after a
// write that worked does it say so (`onWritten`): the server then commits those reports to the
// nodes, so a report leaves a node's outbox only once its effect is on disk.

export interface WriterOptions {
  /** Where the producers add what is to be written (shared with the books). */
  holder?: BatchHolder;
  /** The counters' rows and which changed (written with each batch that changed them). */
  counters?: () => { rows: TallyRows; dirty: Set<string> } | null;
  /** A batch was written (committed): its applied rseqs may be committed to the nodes. */
  onWritten?: (batch: StoreBatch) => void;
  /** Writes started failing (false) or work again (true). */
  onHealth?: (ok: boolean) => void;
  /** Crash tests: while this says true the connection refuses writes (query_only), as a read-only disk would. */
  readOnly?: () => boolean;
  /** Tracked messages held while writes fail; past it the oldest queued updates are dropped, counted. */
  maxMessages?: number;
  /** Events held while writes fail, likewise. */
  maxEvents?: number;
  /** Retry delays after a failure: `firstMs`, doubling up to `maxMs`. */
  retry?: { firstMs: number; maxMs: number };
  now?: () => number;
  log?: Logger;
}

type Opts = Required<Omit<WriterOptions, "counters" | "onWritten" | "onHealth" | "readOnly">> & Pick<WriterOptions, "counters" | "onWritten" | "onHealth" | "readOnly">;

/**
 * Writes the batch in one transaction per flush. A flush never throws: on an error the batch
 * stays (and grows), the error is kept for `status()`, and the next attempt waits (250 ms
 * doubling to 10 s by default; flushes asked for meanwhile only queue).
 */
export class StoreWriter {
  readonly holder: BatchHolder;
  private readonly write: (b: StoreBatch, counters: { rows: TallyRows; dirty: Set<string> } | null) => void;
  private readonly opts: Opts;
  private readonly dropped = { messages: 0, events: 0 };
  private since: number;
  private failures = 0;
  private lastError: { text: string; at: number } | null = null;
  private retryAt: number | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private droppingSaid = false;
  private queryOnly = false;

  constructor(private readonly db: Database.Database, opts: WriterOptions = {}) {
    this.opts = {
      maxMessages: 200_000, maxEvents: 50_000, retry: { firstMs: 250, maxMs: 10_000 },
      now: Date.now, log: createLogger("store"), holder: opts.holder ?? new BatchHolder(), ...opts,
    };
    this.holder = this.opts.holder;
    this.since = this.opts.now();
    this.write = prepareBatchWrite(db);
  }

  /** Queues tracked message updates and events; past the bounds the oldest queued ones are dropped and counted. */
  add(ms: TrackedMessage[], es: ClusterEventDTO[] = []): void {
    const b = this.holder.current;
    for (const m of ms) b.message(m);
    for (const e of es) b.events.push(e);
    this.bound();
  }

  /** Writes what is queued, unless a retry is pending. True when nothing is left queued. Never throws. */
  flush(): boolean {
    this.bound();
    if (this.retryAt !== null && this.opts.now() < this.retryAt) return false;
    return this.attempt();
  }

  /** A write made outside the queue (retention) failed: shown like a failed flush, retried by the next one. */
  reportError(err: unknown): void {
    this.failed(err, false);
  }

  /** A write made outside the queue worked: the database takes writes again. */
  reportSuccess(): void {
    if (this.failures > 0 && this.holder.current.empty()) this.recovered(0);
  }

  status(): StoreStatus {
    const b = this.holder.current;
    return {
      ok: this.failures === 0,
      since: this.since,
      lastError: this.lastError?.text ?? null,
      lastErrorAt: this.lastError?.at ?? null,
      failures: this.failures,
      retryAt: this.retryAt,
      queued: { messages: b.messages.size, events: b.events.length, runs: b.sent.length + b.recv.length, reports: b.applied.size },
      dropped: { ...this.dropped },
    };
  }

  /** Stops retrying and makes a last attempt; what is still queued then is logged as lost. */
  close(): boolean {
    this.cancelRetry();
    const done = this.attempt();
    this.cancelRetry();
    if (!done) {
      const b = this.holder.current;
      this.opts.log.error(
        `closing with ${b.messages.size} message update(s), ${b.events.length} event(s) and ${b.sent.length + b.recv.length} run(s) not written ` +
          `(their reports stay in the nodes' outboxes): ${this.lastError?.text}`,
      );
    }
    return done;
  }

  private attempt(): boolean {
    this.testHook();
    const b = this.holder.current;
    const all = this.opts.counters?.() ?? null;
    const counters = all && all.dirty.size > 0 ? all : null;
    if (b.empty() && !counters) return true;
    try {
      this.write(b, counters);
    } catch (err) {
      this.failed(err, true);
      return false;
    }
    // The write is synchronous: nothing was added meanwhile.
    counters?.dirty.clear();
    this.holder.take();
    this.recovered(b.rows());
    this.opts.onWritten?.(b);
    return true;
  }

  private testHook(): void {
    const ro = this.opts.readOnly?.() ?? false;
    if (ro === this.queryOnly) return;
    this.queryOnly = ro;
    this.db.pragma(`query_only = ${ro ? "ON" : "OFF"}`);
  }

  private failed(err: unknown, retry: boolean): void {
    const text = err instanceof Error ? err.message : String(err);
    const now = this.opts.now();
    if (this.failures === 0) {
      this.since = now;
      this.opts.log.error(`writing to the database failed, keeping ${this.holder.current.rows()} row(s) queued: ${text}`);
      this.opts.onHealth?.(false);
    }
    this.failures++;
    this.lastError = { text, at: now };
    if (retry) this.scheduleRetry(now);
  }

  private recovered(written: number): void {
    this.cancelRetry();
    if (this.failures === 0) return;
    const s = ((this.opts.now() - this.since) / 1000).toFixed(1);
    this.opts.log.info(`writing to the database works again after ${s} s; ${written} queued row(s) written`);
    this.failures = 0;
    this.droppingSaid = false;
    this.since = this.opts.now();
    this.opts.onHealth?.(true);
  }

  private scheduleRetry(now: number): void {
    const { firstMs, maxMs } = this.opts.retry;
    const delay = Math.min(maxMs, firstMs * 2 ** Math.min(30, this.failures - 1));
    this.cancelRetry();
    this.retryAt = now + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.attempt();
    }, delay);
    this.retryTimer.unref();
  }

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryAt = null;
  }

  /**
   * Drops the oldest queued message updates and events past the bounds, and says so once per
   * failure streak. Runs are never dropped: the nodes hold their reports until a commit, so what
   * waits here is bounded by their outbox windows.
   */
  private bound(): void {
    const b = this.holder.current;
    const before = this.dropped.messages + this.dropped.events;
    for (const id of b.messages.keys()) {
      if (b.messages.size <= this.opts.maxMessages) break;
      b.messages.delete(id);
      this.dropped.messages++;
    }
    const excess = b.events.length - this.opts.maxEvents;
    if (excess > 0) {
      b.events.splice(0, excess);
      this.dropped.events += excess;
    }
    if (!this.droppingSaid && this.dropped.messages + this.dropped.events > before) {
      this.droppingSaid = true;
      this.opts.log.error(`the database has not taken writes since ${new Date(this.since).toISOString()}: dropping the oldest queued updates (counted in /api/health)`);
    }
  }
}
