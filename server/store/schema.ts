import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";

// Opening the SQLite file: the tables, their indexes, and the migrations of older files.
// The books are kept as runs (docs/ACCOUNTING.md, "What is stored"): a row per run of
// consecutive seqs of a pair, its times and latencies as varint BLOBs; one row per message
// only for tracked and seed messages. Counters and per-second series aggregates are kept apart
// from the retained rows, so retention never changes them.

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
    created_at REAL NOT NULL,
    pair INTEGER, pair_seq INTEGER, from_inc INTEGER, final INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS messages_created ON messages(created_at);
  CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL, kind TEXT NOT NULL, node TEXT, text TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS events_kind ON events(kind, at);

  CREATE TABLE IF NOT EXISTS pairs (
    id INTEGER PRIMARY KEY,
    from_node TEXT NOT NULL, from_inc INTEGER NOT NULL, to_node TEXT NOT NULL,
    state TEXT NOT NULL,
    UNIQUE (from_node, from_inc, to_node)
  );
  CREATE TABLE IF NOT EXISTS sent_runs (
    pair INTEGER NOT NULL, seq0 INTEGER NOT NULL, n INTEGER NOT NULL,
    t0_first INTEGER NOT NULL, t0_last INTEGER NOT NULL, deltas BLOB
  );
  CREATE INDEX IF NOT EXISTS sent_runs_pair ON sent_runs(pair, seq0);
  CREATE TABLE IF NOT EXISTS recv_runs (
    pair INTEGER NOT NULL, to_inc INTEGER NOT NULL, seq0 INTEGER NOT NULL, n INTEGER NOT NULL,
    t1_first INTEGER NOT NULL, t1_last INTEGER NOT NULL, deltas BLOB, lat BLOB
  );
  CREATE INDEX IF NOT EXISTS recv_runs_pair ON recv_runs(pair, seq0);
  CREATE TABLE IF NOT EXISTS losses (
    pair INTEGER NOT NULL, seq0 INTEGER NOT NULL, seq1 INTEGER NOT NULL, reason TEXT NOT NULL, at REAL NOT NULL
  );
  CREATE INDEX IF NOT EXISTS losses_pair ON losses(pair, seq0);
  CREATE TABLE IF NOT EXISTS acks (
    pair INTEGER NOT NULL, up_to INTEGER NOT NULL, t2 INTEGER NOT NULL, t0 INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS acks_pair ON acks(pair, up_to);
  CREATE TABLE IF NOT EXISTS applied (
    node TEXT NOT NULL, inc INTEGER NOT NULL, rseq INTEGER NOT NULL, PRIMARY KEY (node, inc)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS series (
    sec INTEGER PRIMARY KEY, sent INTEGER NOT NULL DEFAULT 0, received INTEGER NOT NULL DEFAULT 0, lost INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE IF NOT EXISTS series_lat (
    sec INTEGER NOT NULL, bin INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (sec, bin)
  ) WITHOUT ROWID;
`;

/** Opens (or creates) the database file with its schema, migrated to the current version. */
export function openDatabase(file: string): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL"); // readers (exports, series) never block the writer
  db.pragma("synchronous = NORMAL");
  migrateColumns(db);
  db.exec(SCHEMA);
  db.exec(`DROP INDEX IF EXISTS messages_sent_status; DROP INDEX IF EXISTS messages_lost_time; DROP INDEX IF EXISTS messages_received;`);
  return db;
}

/** Columns added since the first version (a file from before has a messages table without them). */
function migrateColumns(db: Database.Database): void {
  const cols = new Set((db.prepare(`PRAGMA table_info(messages)`).all() as { name: string }[]).map((c) => c.name));
  if (cols.size === 0) return;
  const add = (name: string, type: string) => {
    if (!cols.has(name)) db.exec(`ALTER TABLE messages ADD COLUMN ${name} ${type}`);
  };
  add("latency_kind", "TEXT");
  add("pair", "INTEGER");
  add("pair_seq", "INTEGER");
  add("from_inc", "INTEGER");
  add("final", "INTEGER NOT NULL DEFAULT 0");
}
