import type Database from "better-sqlite3";
import type { ClusterEventDTO, MessageDTO, SeriesDTO, StoreStatus } from "../../lib/contracts/http-replies";
import type { TrackedMessage } from "../messages/tracker";
import { type ExportRange, ExportReader } from "./export-reader";
import { type Recovered, recover } from "./recovery";
import { eventRowToDTO, type EventRow, type MessageRow, rowToDTO } from "./rows";
import { openDatabase } from "./schema";
import type { SeriesRequest } from "./series";
import { SeriesQuery } from "./series-sql";
import { StoreWriter, type WriterOptions } from "./writer";

/**
 * The embedded SQLite file: messages and cluster events, so history survives a restart. One
 * object for the rest of the server over the parts of this folder: the schema (schema.ts), the
 * batched writer (writer.ts), restart recovery (recovery.ts), the series (series-sql.ts) and the
 * export reader (export-reader.ts). Writes are batched by the caller (one transaction per flush)
 * and never throw: a failed batch stays queued and is retried (see `writerStatus()`).
 */
export class Store {
  private readonly db: Database.Database;
  private readonly writer: StoreWriter;
  private readonly seriesQuery: SeriesQuery;

  constructor(private readonly file: string, private readonly retention: number, writer: WriterOptions = {}) {
    this.db = openDatabase(file);
    this.writer = new StoreWriter(this.db, writer);
    this.seriesQuery = new SeriesQuery(this.db);
  }

  /** Queues these message updates and writes what is queued (unless a retry is pending). */
  saveMessages(ms: TrackedMessage[]): void {
    this.writer.add(ms);
    this.writer.flush();
  }

  /** Queues these events and writes what is queued (unless a retry is pending). */
  saveEvents(es: ClusterEventDTO[]): void {
    this.writer.add([], es);
    this.writer.flush();
  }

  /** Whether writes work, the last error, and what waits to be written. */
  writerStatus(): StoreStatus {
    return this.writer.status();
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
    const rows = this.db.prepare(`SELECT at, kind, node, text FROM events ORDER BY seq DESC LIMIT ?`).all(limit) as EventRow[];
    return rows.map(eventRowToDTO);
  }

  /** After a restart: unfinished messages closed, counters rebuilt from the rows (recovery.ts). */
  recover(): Recovered {
    return recover(this.db);
  }

  /** Throughput, losses, latency and nodes up per time bucket (series-sql.ts). */
  series(req: SeriesRequest, now: number, pause: () => Promise<void> = async () => {}, sliceMs = 40): Promise<SeriesDTO> {
    return this.seriesQuery.read(req, now, pause, sliceMs);
  }

  /** Keep at most `retention` messages and events (the oldest go first); never throws. */
  enforceRetention(): number {
    try {
      const r = this.db.prepare(`DELETE FROM messages WHERE seq <= (SELECT MAX(seq) FROM messages) - ?`).run(this.retention);
      this.db.prepare(`DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?`).run(this.retention);
      this.writer.reportSuccess();
      return r.changes;
    } catch (err) {
      this.writer.reportError(err);
      return 0;
    }
  }

  /** Writes what is still queued (one last attempt), then closes the file. */
  close(): void {
    this.writer.close();
    this.db.close();
  }

  /**
   * A read-only view of the history for an export, on its own connection (export-reader.ts).
   * Call `close()` when done (also after an error).
   */
  openExport(range: ExportRange = {}): ExportReader {
    return new ExportReader(this.file, range);
  }
}
