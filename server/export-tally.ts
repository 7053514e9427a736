import type { MessageStatus } from "../lib/contracts/common";
import type { NodeCountsDTO, Tally } from "../lib/contracts/http-replies";

// Stored messages counted with the same meaning as /api/stats, for the exports and the evidence report.

/** Counts of the stored rows, with the same meaning as /api/stats. */
export type { Tally };

export const COUNTER_KEYS = ["sent", "received", "acked", "lost", "inFlight"] as const;

export function emptyTally(): Tally {
  return { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0, failed: 0, pending: 0, seedReceived: 0, rows: 0 };
}

/** Adds `n` rows of one status to a tally: sent counts everything that left a sender. */
export function addToTally(t: Tally, status: MessageStatus, n: number, seed = false): Tally {
  t.rows += n;
  switch (status) {
    case "pending":
      t.pending += n;
      break;
    case "failed":
      t.failed += n;
      break;
    case "sent":
      t.sent += n;
      t.inFlight += n;
      break;
    case "lost":
      t.sent += n;
      t.lost += n;
      break;
    case "acked":
      t.acked += n;
    // falls through: an acked message was received
    case "received":
      t.sent += n;
      t.received += n;
      if (seed) t.seedReceived += n;
      break;
  }
  return t;
}

export function invariantHolds(c: NodeCountsDTO): boolean {
  return c.sent === c.received + c.lost + c.inFlight;
}

/** Where the live per-node counters and the stored rows differ (first differing counter per node). */
export function perNodeDiffs(live: Record<string, NodeCountsDTO>, stored: Map<string, Tally>): { node: string; key: string; live: number; stored: number }[] {
  const out: { node: string; key: string; live: number; stored: number }[] = [];
  const names = [...new Set([...Object.keys(live), ...stored.keys()])].sort();
  for (const node of names) {
    const a = live[node];
    const b = stored.get(node);
    for (const key of COUNTER_KEYS) {
      const lv = a?.[key] ?? 0;
      const sv = b?.[key] ?? 0;
      if (lv !== sv) {
        out.push({ node, key, live: lv, stored: sv });
        break;
      }
    }
  }
  return out;
}
