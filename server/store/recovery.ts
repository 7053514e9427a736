import type Database from "better-sqlite3";
import type { TallyRows } from "../books/tally";
import type { TrackedMessage } from "../books/tracked-message";
import { type MessageRow, rowToTracked } from "./rows";

// After a restart: the counters as they were stored (never recounted from the retained rows,
// which retention may have thinned), and the tracked messages still unfinished. Nothing is
// closed: the nodes' outboxes send again every report not yet stored, so the books go on where
// they stopped.

export interface Recovered {
  tally: TallyRows | null;
  unfinished: TrackedMessage[];
}

export function recover(db: Database.Database): Recovered {
  migrateLegacy(db);
  return { tally: readCounters(db), unfinished: unfinished(db) };
}

export function readCounters(db: Database.Database): TallyRows | null {
  const rows = db.prepare(`SELECT name, value FROM counters`).all() as { name: string; value: string }[];
  if (rows.length === 0) return null;
  const out: TallyRows = { totals: { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0, failed: 0 }, perNode: {}, inbound: {}, seedSenders: [] };
  for (const { name, value } of rows) {
    if (name === "#totals") out.totals = JSON.parse(value) as TallyRows["totals"];
    else if (name === "#seed") out.seedSenders = JSON.parse(value) as string[];
    else if (name.startsWith("node:")) out.perNode[name.slice(5)] = JSON.parse(value) as TallyRows["perNode"][string];
    else if (name.startsWith("in:")) out.inbound[name.slice(3)] = Number(value);
  }
  return out;
}

function unfinished(db: Database.Database): TrackedMessage[] {
  const rows = db
    .prepare(
      `SELECT * FROM messages WHERE seed = 0 AND (status IN ('pending','sent','received') OR (status = 'lost' AND final = 0))
       ORDER BY seq DESC LIMIT 20000`,
    )
    .all() as MessageRow[];
  return rows.reverse().map(rowToTracked);
}

/**
 * A file from before the books in runs: one row per message, no counters. Its rows are counted
 * once into the counters and the series (in flight then: lost, the dashboard restarted), then
 * kept as they are (their ids still answer).
 */
function migrateLegacy(db: Database.Database): void {
  const hasCounters = db.prepare(`SELECT 1 FROM counters LIMIT 1`).get();
  const legacy = db.prepare(`SELECT 1 FROM messages WHERE pair IS NULL AND seed = 0 AND status <> 'pending' LIMIT 1`).get();
  if (hasCounters || !legacy) return;
  db.transaction(() => {
    db.prepare(`UPDATE messages SET status = 'lost', reason = 'the dashboard restarted before its reception was seen', final = 1 WHERE status = 'sent'`).run();
    const rows = db.prepare(`SELECT from_node AS node, to_node AS "to", status, COUNT(*) AS n FROM messages WHERE status <> 'pending' GROUP BY 1, 2, 3`).all() as { node: string; to: string; status: string; n: number }[];
    const t: TallyRows = { totals: { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0, failed: 0 }, perNode: {}, inbound: {} };
    for (const r of rows) {
      if (r.status === "failed") {
        t.totals.failed += r.n;
        continue;
      }
      const c = (t.perNode[r.node] ??= { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0 });
      for (const x of [t.totals, c]) {
        x.sent += r.n;
        if (r.status === "received" || r.status === "acked") x.received += r.n;
        if (r.status === "acked") x.acked += r.n;
        if (r.status === "lost") x.lost += r.n;
      }
      if (r.status === "received" || r.status === "acked") t.inbound[r.to] = (t.inbound[r.to] ?? 0) + r.n;
    }
    const put = db.prepare(`INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)`);
    put.run("#totals", JSON.stringify(t.totals));
    for (const [n, c] of Object.entries(t.perNode)) put.run(`node:${n}`, JSON.stringify(c));
    for (const [n, c] of Object.entries(t.inbound)) put.run(`in:${n}`, String(c));
    db.exec(`
      INSERT INTO series (sec, sent, received, lost)
      SELECT sec, SUM(s), SUM(r), SUM(l) FROM (
        SELECT CAST(COALESCE(sent_at, received_at, created_at) / 1000 AS INTEGER) AS sec, 1 AS s, 0 AS r, 0 AS l FROM messages WHERE status IN ('sent','received','acked','lost')
        UNION ALL SELECT CAST(received_at / 1000 AS INTEGER), 0, 1, 0 FROM messages WHERE status IN ('received','acked') AND received_at IS NOT NULL
        UNION ALL SELECT CAST(COALESCE(sent_at, created_at) / 1000 AS INTEGER), 0, 0, 1 FROM messages WHERE status = 'lost'
      ) GROUP BY sec
      ON CONFLICT(sec) DO UPDATE SET sent = sent + excluded.sent, received = received + excluded.received, lost = lost + excluded.lost;
    `);
  })();
}
