import type Database from "better-sqlite3";
import type { ClusterEventDTO, StoreStatus } from "../../lib/contracts/http-replies";
import { createLogger, type Logger } from "../log";
import type { TrackedMessage } from "../messages/tracker";

// The batched writer: owns what waits to be written, so a failed write (disk full, database
// locked or read-only) keeps its batch and tries again later instead of losing it.

export interface WriterOptions {
  /** Messages held while writes fail; past it the oldest queued updates are dropped, counted. */
  maxMessages?: number;
  /** Events held while writes fail, likewise. */
  maxEvents?: number;
  /** Retry delays after a failure: `firstMs`, doubling up to `maxMs`. */
  retry?: { firstMs: number; maxMs: number };
  now?: () => number;
  log?: Logger;
}

const UPSERT_SQL = `
  INSERT INTO messages (id, from_node, to_node, content, status, sent_at, received_at, acked_at, latency_ms, latency_kind, reason, seed, created_at)
  VALUES (@id, @from, @to, @content, @status, @sentAt, @receivedAt, @ackedAt, @latencyMs, @latencyKind, @reason, @seed, @createdAt)
  ON CONFLICT(id) DO UPDATE SET status = excluded.status, sent_at = excluded.sent_at,
    received_at = excluded.received_at, acked_at = excluded.acked_at,
    latency_ms = excluded.latency_ms, latency_kind = excluded.latency_kind, reason = excluded.reason`;

/**
 * Queues message updates (one entry per message id: a newer update of a queued message replaces
 * it) and events, and writes them in one transaction per flush. A flush never throws: on an
 * error the batch stays queued, the error is kept for `status()`, and the next attempt waits
 * (250 ms doubling to 10 s by default; flushes asked for meanwhile only queue).
 */
export class StoreWriter {
  private readonly messages = new Map<string, TrackedMessage>();
  private events: ClusterEventDTO[] = [];
  private readonly write: (ms: TrackedMessage[], es: ClusterEventDTO[]) => void;
  private readonly opts: Required<WriterOptions>;
  private readonly dropped = { messages: 0, events: 0 };
  private since: number;
  private failures = 0;
  private lastError: { text: string; at: number } | null = null;
  private retryAt: number | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private droppingSaid = false;

  constructor(db: Database.Database, opts: WriterOptions = {}) {
    this.opts = {
      maxMessages: 200_000, maxEvents: 50_000, retry: { firstMs: 250, maxMs: 10_000 },
      now: Date.now, log: createLogger("store"), ...opts,
    };
    this.since = this.opts.now();
    const upsert = db.prepare(UPSERT_SQL);
    const insertEvent = db.prepare(`INSERT INTO events (at, kind, node, text) VALUES (@at, @kind, @node, @text)`);
    this.write = db.transaction((ms: TrackedMessage[], es: ClusterEventDTO[]) => {
      for (const m of ms) upsert.run(messageParams(m));
      for (const e of es) insertEvent.run({ at: e.at, kind: e.kind, node: e.node ?? null, text: e.text });
    });
  }

  /** Queues updates; past the bounds the oldest queued ones are dropped and counted. */
  add(ms: TrackedMessage[], es: ClusterEventDTO[] = []): void {
    for (const m of ms) {
      this.messages.delete(m.id); // re-inserted last: the queue stays in order of last update
      this.messages.set(m.id, m);
    }
    for (const e of es) this.events.push(e);
    this.bound();
  }

  /** Writes what is queued, unless a retry is pending. True when nothing is left queued. Never throws. */
  flush(): boolean {
    if (this.retryAt !== null && this.opts.now() < this.retryAt) return false;
    return this.attempt();
  }

  /** A write made outside the queue (retention) failed: shown like a failed flush, retried by the next one. */
  reportError(err: unknown): void {
    this.failed(err, false);
  }

  /** A write made outside the queue worked: the database takes writes again. */
  reportSuccess(): void {
    if (this.failures > 0 && this.queued() === 0) this.recovered(0);
  }

  status(): StoreStatus {
    return {
      ok: this.failures === 0,
      since: this.since,
      lastError: this.lastError?.text ?? null,
      lastErrorAt: this.lastError?.at ?? null,
      failures: this.failures,
      retryAt: this.retryAt,
      queued: { messages: this.messages.size, events: this.events.length },
      dropped: { ...this.dropped },
    };
  }

  /** Stops retrying and makes a last attempt; what is still queued then is logged as lost. */
  close(): boolean {
    this.cancelRetry();
    const done = this.attempt();
    this.cancelRetry();
    if (!done) this.opts.log.error(`closing with ${this.messages.size} message update(s) and ${this.events.length} event(s) not written: ${this.lastError?.text}`);
    return done;
  }

  private queued(): number {
    return this.messages.size + this.events.length;
  }

  private attempt(): boolean {
    if (this.queued() === 0) return true;
    const ms = [...this.messages.values()];
    const es = this.events;
    try {
      this.write(ms, es);
    } catch (err) {
      this.failed(err, true);
      return false;
    }
    // The write is synchronous: nothing was queued meanwhile.
    this.messages.clear();
    this.events = [];
    this.recovered(ms.length + es.length);
    return true;
  }

  private failed(err: unknown, retry: boolean): void {
    const text = err instanceof Error ? err.message : String(err);
    const now = this.opts.now();
    if (this.failures === 0) {
      this.since = now;
      this.opts.log.error(`writing to the database failed, keeping ${this.queued()} update(s) queued: ${text}`);
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

  /** Drops the oldest queued updates past the bounds, and says so once per failure streak. */
  private bound(): void {
    const before = this.dropped.messages + this.dropped.events;
    for (const id of this.messages.keys()) {
      if (this.messages.size <= this.opts.maxMessages) break;
      this.messages.delete(id);
      this.dropped.messages++;
    }
    const excess = this.events.length - this.opts.maxEvents;
    if (excess > 0) {
      this.events.splice(0, excess);
      this.dropped.events += excess;
    }
    if (!this.droppingSaid && this.dropped.messages + this.dropped.events > before) {
      this.droppingSaid = true;
      this.opts.log.error(`the database has not taken writes since ${new Date(this.since).toISOString()}: dropping the oldest queued updates (counted in /api/health)`);
    }
  }
}

function messageParams(m: TrackedMessage) {
  return {
    id: m.id, from: m.from, to: m.to, content: m.content, status: m.status,
    sentAt: m.sentAt, receivedAt: m.receivedAt, ackedAt: m.ackedAt, latencyMs: m.latencyMs, latencyKind: m.latencyKind ?? null,
    reason: m.reason, seed: m.seed ? 1 : 0, createdAt: m.createdAt,
  };
}
