import type Database from "better-sqlite3";

// Retention: keep at most `keep` messages in the runs (the oldest runs go first), as many
// tracked and seed messages and events, and the newest acks. Loss ranges stay (one row per gap:
// a message's fate must not change with retention). Counters and the series aggregates are not
// rows of history: retention never touches them.

/** The rowid at and below which the oldest rows go so that the newest ones hold at most `keep` messages. */
function cutOff(db: Database.Database, table: string, keep: number): number | undefined {
  return db
    .prepare(`SELECT rowid FROM (SELECT rowid, SUM(n) OVER (ORDER BY rowid DESC) AS c FROM ${table}) WHERE c > ? ORDER BY rowid DESC LIMIT 1`)
    .pluck()
    .get(keep) as number | undefined;
}

/** Deletes what is past `keep`; answers how many rows went. */
export function enforceRetention(db: Database.Database, keep: number): number {
  let changes = 0;
  db.transaction(() => {
    for (const table of ["sent_runs", "recv_runs"]) {
      const cut = cutOff(db, table, keep);
      if (cut !== undefined) changes += db.prepare(`DELETE FROM ${table} WHERE rowid <= ?`).run(cut).changes;
    }
    for (const [table, key, n] of [["messages", "seq", keep], ["events", "seq", keep], ["acks", "rowid", Math.max(10_000, keep / 10)]] as const) {
      changes += db.prepare(`DELETE FROM ${table} WHERE ${key} <= (SELECT MAX(${key}) FROM ${table}) - ?`).run(n).changes;
    }
  })();
  return changes;
}
