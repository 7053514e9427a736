import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import { COUNTED_LOST, COUNTED_RECEIVED, LOST_TIME, SENT_TIME } from "./series-sql";

// Opening the SQLite file: the tables, their indexes, and the migrations of older files.

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    from_node TEXT NOT NULL,
    to_node TEXT NOT NULL,
    content TEXT NOT NULL,
    status TEXT NOT NULL,
    sent_at REAL, received_at REAL, acked_at REAL, latency_ms REAL, latency_kind TEXT,
    reason TEXT,
    seed INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
  );
  CREATE INDEX IF NOT EXISTS messages_created ON messages(created_at);
  CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL, kind TEXT NOT NULL, node TEXT, text TEXT NOT NULL
  );
  -- For the time series (series-sql.ts): each bucket's counts are index range scans. Partial
  -- indexes whose rows change status on every update (sent → received → acked) are costly to
  -- write; that one holds the status instead.
  CREATE INDEX IF NOT EXISTS messages_sent_status ON messages(${SENT_TIME}, status);
  CREATE INDEX IF NOT EXISTS messages_lost_time ON messages(${LOST_TIME}) WHERE ${COUNTED_LOST};
  CREATE INDEX IF NOT EXISTS messages_received ON messages(received_at, latency_ms) WHERE ${COUNTED_RECEIVED};
  CREATE INDEX IF NOT EXISTS events_kind ON events(kind, at);
`;

/** Opens (or creates) the database file with its schema, migrated to the current version. */
export function openDatabase(file: string): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL"); // readers (exports, series) never block the writer
  db.pragma("synchronous = NORMAL");
  db.exec(SCHEMA);
  migrate(db);
  return db;
}

/** Columns added since the first version. */
function migrate(db: Database.Database): void {
  const cols = db.prepare(`PRAGMA table_info(messages)`).all() as { name: string }[];
  if (!cols.some((c) => c.name === "latency_kind")) db.exec(`ALTER TABLE messages ADD COLUMN latency_kind TEXT`);
}
