import type { MismatchDTO, ReconciledDTO } from "../../lib/contracts/http-replies";
import type { StatsFrame } from "../bridge/protocol";
import type { Ledger } from "./ledger";

// Reconciliation: a node's own exact counters (its stats, sent right after the reports they
// count) against the books, pair by pair. When the server handles a stats frame it has handled
// every report the node made before it, so the two must be equal exactly then: sent and failed
// and acked per receiver as this sender reported them, received per sender incarnation as this
// receiver incarnation reported them. A difference means a report was lost or applied twice.

interface NodeCheck {
  inc: number;
  pairs: number;
  mismatches: MismatchDTO[];
}

/** Compares one stats frame with the books; `pairs`: how many pairs were compared. */
export function compareStats(f: StatsFrame, ledger: Ledger): NodeCheck {
  const out: NodeCheck = { inc: f.inc, pairs: 0, mismatches: [] };
  const miss = (from: string, to: string, field: MismatchDTO["field"], dashboard: number, node: number) => {
    if (dashboard !== node) out.mismatches.push({ from, to, field, dashboard, node });
  };
  const applied = ledger.lastApplied(f.node, f.inc);
  if (applied !== f.rseq) {
    miss(f.node, "*", "rseq", applied, f.rseq);
    return out;
  }
  const failedTo = new Map(f.failedTo);
  const ackedBy = new Map(f.ackedBy);
  const listed = new Set<string>();
  for (const [to, s] of f.sentTo) {
    listed.add(to);
    const p = ledger.pairs.find(f.node, f.inc, to);
    out.pairs++;
    miss(f.node, to, "sent", p?.sentHi ?? 0, s);
    miss(f.node, to, "failed", p?.failed ?? 0, failedTo.get(to) ?? 0);
    miss(f.node, to, "acked", p?.ackedUpTo ?? 0, ackedBy.get(to) ?? 0);
  }
  for (const p of ledger.pairs.ofSender(f.node, f.inc)) {
    if (listed.has(p.to) || (p.sentHi === 0 && p.failed === 0)) continue;
    out.pairs++;
    miss(f.node, p.to, "sent", p.sentHi, 0);
  }
  for (const [from, fromInc, count] of f.recvFrom) {
    // A pair no longer in memory settled long ago (its sender incarnation is gone): not compared.
    const p = ledger.pairs.find(from, fromInc, f.node);
    if (!p) continue;
    out.pairs++;
    miss(from, f.node, "received", p.recvByInc.get(f.inc) ?? 0, count);
  }
  return out;
}

/** The latest check of each node that is up. */
export class Reconciler {
  private readonly byNode = new Map<string, NodeCheck>();

  onStats(f: StatsFrame, ledger: Ledger): NodeCheck {
    const check = compareStats(f, ledger);
    this.byNode.set(f.node, check);
    return check;
  }

  /** A node that went down has no counters to compare any more. */
  forget(node: string): void {
    this.byNode.delete(node);
  }

  /** Everything forgotten (the bridge went down: each node's stats come again when it is back). */
  clear(): void {
    this.byNode.clear();
  }

  summary(maxShown = 50): ReconciledDTO {
    let pairs = 0;
    const mismatches: MismatchDTO[] = [];
    for (const c of this.byNode.values()) {
      pairs += c.pairs;
      mismatches.push(...c.mismatches);
    }
    return { ok: mismatches.length === 0, pairs, nodes: this.byNode.size, mismatches: mismatches.slice(0, maxShown) };
  }
}
