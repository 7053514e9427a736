import type Database from "better-sqlite3";
import type { ClusterEventDTO, MessageDTO, SeriesDTO, StoreStatus } from "../../lib/contracts/http-replies";
import { BatchHolder } from "../books/batch";
import type { TrackedMessage } from "../books/tracked-message";
import { BooksQueries } from "./books-queries";
import { type ExportRange, ExportReader } from "./export-reader";
import { type Recovered, recover } from "./recovery";
import { enforceRetention } from "./retention";
import { eventRowToDTO, type EventRow, type MessageRow, rowToDTO, rowToTracked } from "./rows";
import { openDatabase } from "./schema";
import type { SeriesRequest } from "./series";
import { SeriesQuery } from "./series-sql";
import { StoreWriter, type WriterOptions } from "./writer";

/**
 * The embedded SQLite file: the books in runs, tracked and seed messages, cluster events, so
 * history survives a restart and can be exported. One object for the rest of the server over the
 * parts of this folder: the schema (schema.ts), the batched writer (writer.ts, batch-sql.ts),
 * what the books ask of it (books-queries.ts), restart recovery (recovery.ts), the series
 * (series-sql.ts), retention (retention.ts) and the export reader (export-reader.ts). Writes
 * never throw: a failed batch stays queued and is retried (see `writerStatus()`).
 */
export class Store {
  private readonly db: Database.Database;
  readonly writer: StoreWriter;
  readonly holder: BatchHolder;
  readonly queries: BooksQueries;
  private readonly seriesQuery: SeriesQuery;

  constructor(private readonly file: string, private readonly retention: number, writer: WriterOptions = {}) {
    this.db = openDatabase(file);
    this.holder = writer.holder ?? new BatchHolder();
    this.writer = new StoreWriter(this.db, { ...writer, holder: this.holder });
    this.queries = new BooksQueries(this.db, this.holder);
    this.seriesQuery = new SeriesQuery(this.db);
  }

  /** Queues these events and writes what is queued (unless a retry is pending). */
  saveEvents(es: ClusterEventDTO[]): void {
    this.writer.add([], es);
    this.writer.flush();
  }

  /** Writes what is queued (unless a retry is pending). */
  flush(): boolean {
    return this.writer.flush();
  }

  /** Whether writes work, the last error, and what waits to be written. */
  writerStatus(): StoreStatus {
    return this.writer.status();
  }

  /** Tracked and seed messages: newest first; with `after` (ms epoch), those created after it, oldest first. */
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

  /** A tracked message as the books hold it (a late event for one no longer in memory). */
  loadTracked(id: string): TrackedMessage | undefined {
    const waiting = this.holder.current.messages.get(id);
    if (waiting) return waiting;
    const r = this.db.prepare(`SELECT * FROM messages WHERE id = ?`).get(id) as MessageRow | undefined;
    return r ? rowToTracked(r) : undefined;
  }

  listEvents(limit: number): ClusterEventDTO[] {
    const rows = this.db.prepare(`SELECT at, kind, node, text FROM events ORDER BY seq DESC LIMIT ?`).all(limit) as EventRow[];
    return rows.map(eventRowToDTO);
  }

  /** After a restart: the stored counters and the unfinished tracked messages (recovery.ts). */
  recover(): Recovered {
    return recover(this.db);
  }

  /** Throughput, losses, latency and nodes up per time bucket (series-sql.ts). */
  series(req: SeriesRequest, now: number, pause: () => Promise<void> = async () => {}): Promise<SeriesDTO> {
    return this.seriesQuery.read(req, now, pause);
  }

  /** Keeps at most `retention` messages in the runs and rows (retention.ts); never throws. */
  enforceRetention(): number {
    try {
      const n = enforceRetention(this.db, this.retention);
      this.writer.reportSuccess();
      return n;
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
