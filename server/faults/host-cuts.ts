// Host partitions (POST /api/hosts/:id/partition) as the books' gap reasons see them: which nodes
// were cut off with a host, and from when to when. A gap in a pair that touches such a node within
// that time is a `partition`, even when the gap is only seen after the heal.

interface HostCut {
  host: string;
  nodes: Set<string>;
  start: number;
  end: number | null;
}

const KEEP = 32;

export class HostCuts {
  private readonly cuts: HostCut[] = [];

  /** `slackMs`: links the cut doomed can end ticks after the heal (as for the registry's faults). */
  constructor(private readonly slackMs = 5000) {}

  /** A host was cut (with the nodes on it then) or healed, at `at` (server ms). */
  note(host: string, nodes: string[], cut: boolean, at: number): void {
    const open = this.cuts.find((c) => c.host === host && c.end === null);
    if (cut && !open) this.cuts.push({ host, nodes: new Set(nodes), start: at, end: null });
    if (cut && open) for (const n of nodes) open.nodes.add(n);
    if (!cut && open) open.end = at;
    if (this.cuts.length > KEEP) this.cuts.splice(0, this.cuts.length - KEEP);
  }

  /** "partition" when from or to was on a host cut off at some time since `since` (or just before it, within the slack); else null. */
  reason(from: string, to: string, since: number): string | null {
    const hit = this.cuts.some((c) => (c.end ?? Infinity) + this.slackMs >= since && (c.nodes.has(from) || c.nodes.has(to)));
    return hit ? "partition" : null;
  }
}
