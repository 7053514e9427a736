import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import type { ClusterEventDTO, MessageDTO, MessageStatus, NodeCountsDTO } from "../../lib/types";
import type { TrackedMessage } from "../messages/tracker";

interface MessageRow {
  id: string;
  from_node: string;
  to_node: string;
  content: string;
  status: MessageStatus;
  sent_at: number | null;
  received_at: number | null;
  acked_at: number | null;
  latency_ms: number | null;
  reason: string | null;
  seed: number;
}

function rowToDTO(r: MessageRow): MessageDTO {
  return {
    id: r.id,
    from: r.from_node,
    to: r.to_node,
    content: r.content,
    status: r.status,
    sentAt: r.sent_at,
    receivedAt: r.received_at,
    ackedAt: r.acked_at,
    latencyMs: r.latency_ms,
    reason: r.reason,
    seed: r.seed === 1,
  };
}

/**
 * The embedded SQLite file: messages and cluster events, so history survives a restart.
 * Writes are batched by the caller (one transaction per flush); WAL keeps readers unblocked.
 */
export class Store {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly insertEvent: Database.Statement;

  constructor(file: string, private readonly retention: number) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        from_node TEXT NOT NULL,
        to_node TEXT NOT NULL,
        content TEXT NOT NULL,
        status TEXT NOT NULL,
        sent_at REAL, received_at REAL, acked_at REAL, latency_ms REAL,
        reason TEXT,
        seed INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
      );
      CREATE INDEX IF NOT EXISTS messages_created ON messages(created_at);
      CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL, kind TEXT NOT NULL, node TEXT, text TEXT NOT NULL
      );
    `);
    this.upsert = this.db.prepare(`
      INSERT INTO messages (id, from_node, to_node, content, status, sent_at, received_at, acked_at, latency_ms, reason, seed, created_at)
      VALUES (@id, @from, @to, @content, @status, @sentAt, @receivedAt, @ackedAt, @latencyMs, @reason, @seed, @createdAt)
      ON CONFLICT(id) DO UPDATE SET status = excluded.status, sent_at = excluded.sent_at,
        received_at = excluded.received_at, acked_at = excluded.acked_at,
        latency_ms = excluded.latency_ms, reason = excluded.reason`);
    this.insertEvent = this.db.prepare(`INSERT INTO events (at, kind, node, text) VALUES (@at, @kind, @node, @text)`);
  }

  saveMessages(ms: TrackedMessage[]): void {
    if (ms.length === 0) return;
    const tx = this.db.transaction((rows: TrackedMessage[]) => {
      for (const m of rows) {
        this.upsert.run({
          id: m.id, from: m.from, to: m.to, content: m.content, status: m.status,
          sentAt: m.sentAt, receivedAt: m.receivedAt, ackedAt: m.ackedAt, latencyMs: m.latencyMs,
          reason: m.reason, seed: m.seed ? 1 : 0, createdAt: m.createdAt,
        });
      }
    });
    tx(ms);
  }

  saveEvents(es: ClusterEventDTO[]): void {
    if (es.length === 0) return;
    const tx = this.db.transaction((rows: ClusterEventDTO[]) => {
      for (const e of rows) this.insertEvent.run({ at: e.at, kind: e.kind, node: e.node ?? null, text: e.text });
    });
    tx(es);
  }

  /** Newest first; with `after` (ms epoch), those created after it, oldest first. */
  listMessages(limit: number, after?: number): MessageDTO[] {
    const rows =
      after === undefined
        ? this.db.prepare(`SELECT * FROM messages ORDER BY seq DESC LIMIT ?`).all(limit)
        : this.db.prepare(`SELECT * FROM messages WHERE created_at > ? ORDER BY seq ASC LIMIT ?`).all(after, limit);
    return (rows as MessageRow[]).map(rowToDTO);
  }

  getMessage(id: string): MessageDTO | undefined {
    const r = this.db.prepare(`SELECT * FROM messages WHERE id = ?`).get(id) as MessageRow | undefined;
    return r ? rowToDTO(r) : undefined;
  }

  listEvents(limit: number): ClusterEventDTO[] {
    const rows = this.db.prepare(`SELECT at, kind, node, text FROM events ORDER BY seq DESC LIMIT ?`).all(limit) as {
      at: number; kind: string; node: string | null; text: string;
    }[];
    return rows.map((r) => ({ at: r.at, kind: r.kind, text: r.text, ...(r.node ? { node: r.node } : {}) }));
  }

  /**
   * After a restart: messages still in flight were never seen arriving, and can no longer be:
   * they are marked lost, with that reason. Then the counters are rebuilt from the rows.
   */
  recover(): { totals: NodeCountsDTO & { failed: number }; perNode: Record<string, NodeCountsDTO>; inbound: Record<string, number> } {
    this.db
      .prepare(`UPDATE messages SET status = 'lost', reason = 'the dashboard restarted before its reception was seen' WHERE status = 'sent'`)
      .run();
    this.db
      .prepare(`UPDATE messages SET status = 'failed', reason = 'the dashboard restarted before the sender reported it' WHERE status = 'pending'`)
      .run();
    const rows = this.db
      .prepare(`SELECT from_node AS node, status, COUNT(*) AS n FROM messages GROUP BY from_node, status`)
      .all() as { node: string; status: MessageStatus; n: number }[];
    const totals = { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0, failed: 0 };
    const perNode: Record<string, NodeCountsDTO> = {};
    for (const r of rows) {
      const c = (perNode[r.node] ??= { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0 });
      for (const target of [totals, c]) {
        if (r.status === "failed") {
          if (target === totals) totals.failed += r.n;
          continue;
        }
        target.sent += r.n;
        if (r.status === "received" || r.status === "acked") target.received += r.n;
        if (r.status === "acked") target.acked += r.n;
        if (r.status === "lost") target.lost += r.n;
      }
    }
    const inboundRows = this.db
      .prepare(`SELECT to_node AS node, COUNT(*) AS n FROM messages WHERE status IN ('received','acked') GROUP BY to_node`)
      .all() as { node: string; n: number }[];
    const inbound = Object.fromEntries(inboundRows.map((r) => [r.node, r.n]));
    return { totals, perNode, inbound };
  }

  /** Keep at most `retention` messages (the oldest go first). */
  enforceRetention(): number {
    const r = this.db
      .prepare(`DELETE FROM messages WHERE seq <= (SELECT MAX(seq) FROM messages) - ?`)
      .run(this.retention);
    this.db.prepare(`DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?`).run(this.retention);
    return r.changes;
  }

  close(): void {
    this.db.close();
  }
}
