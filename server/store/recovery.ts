import type Database from "better-sqlite3";
import type { MessageStatus } from "../../lib/contracts/common";
import type { NodeCountsDTO } from "../../lib/contracts/http-replies";

// Restart recovery: what the previous run left unfinished, and the counters rebuilt from the rows.

export interface Recovered {
  totals: NodeCountsDTO & { failed: number };
  perNode: Record<string, NodeCountsDTO>;
  inbound: Record<string, number>;
}

/**
 * After a restart: messages still in flight were never seen arriving, and can no longer be:
 * they are marked lost, with that reason. Then the counters are rebuilt from the rows.
 */
export function recover(db: Database.Database): Recovered {
  closeUnfinished(db);
  const rows = db
    .prepare(`SELECT from_node AS node, status, COUNT(*) AS n FROM messages GROUP BY from_node, status`)
    .all() as { node: string; status: MessageStatus; n: number }[];
  const totals = { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0, failed: 0 };
  const perNode: Record<string, NodeCountsDTO> = {};
  for (const r of rows) {
    const c = (perNode[r.node] ??= { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0 });
    if (r.status === "failed") {
      totals.failed += r.n;
      continue;
    }
    addCounts(totals, r.status, r.n);
    addCounts(c, r.status, r.n);
  }
  return { totals, perNode, inbound: inboundCounts(db) };
}

function closeUnfinished(db: Database.Database): void {
  db.prepare(`UPDATE messages SET status = 'lost', reason = 'the dashboard restarted before its reception was seen' WHERE status = 'sent'`).run();
  db.prepare(`UPDATE messages SET status = 'failed', reason = 'the dashboard restarted before the sender reported it' WHERE status = 'pending'`).run();
}

/** Rows of one status (not failed) into counters: every one of them was sent. */
function addCounts(c: NodeCountsDTO, status: MessageStatus, n: number): void {
  c.sent += n;
  if (status === "received" || status === "acked") c.received += n;
  if (status === "acked") c.acked += n;
  if (status === "lost") c.lost += n;
}

/** Messages received, per receiving node. */
function inboundCounts(db: Database.Database): Record<string, number> {
  const rows = db
    .prepare(`SELECT to_node AS node, COUNT(*) AS n FROM messages WHERE status IN ('received','acked') GROUP BY to_node`)
    .all() as { node: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.node, r.n]));
}
