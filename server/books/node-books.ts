import type { BooksLoader } from "./registry";

// What the ledger knows of each node: its current incarnation, whether it is up (and why it went
// down), and per incarnation the last report applied (`rseq`: exactly once), the last one stored
// (what may be committed to the node) and when it was first seen (a receiver restarted).

export interface NodeBook {
  current: number | null;
  up: boolean;
  down: string | null;
  goneAt: number | null;
  /** Per incarnation: last rseq applied, last rseq stored, when first seen. */
  applied: Map<number, number>;
  stored: Map<number, number>;
  seenAt: Map<number, number>;
}

/** Incarnations kept per node (the newest). */
const MAX_INCS = 4;

export class NodeBooks {
  private readonly byName = new Map<string, NodeBook>();

  constructor(
    private readonly loader: BooksLoader,
    private readonly now: () => number,
  ) {}

  get(name: string): NodeBook | undefined {
    return this.byName.get(name);
  }

  /** The node's book, made on first sight. */
  of(name: string): NodeBook {
    let nb = this.byName.get(name);
    if (!nb) {
      nb = { current: null, up: false, down: null, goneAt: this.now(), applied: new Map(), stored: new Map(), seenAt: new Map() };
      this.byName.set(name, nb);
    }
    return nb;
  }

  /** The incarnation's first sight (kept: a gap after it may be a receiver restart). */
  seen(name: string, inc: number, now: number): void {
    const nb = this.of(name);
    if (!nb.seenAt.has(inc)) nb.seenAt.set(inc, now);
  }

  /** The last rseq applied for the incarnation (asked of the store once, after a restart). */
  lastApplied(node: string, inc: number): number {
    const nb = this.of(node);
    const known = nb.applied.get(inc);
    if (known !== undefined) return known;
    const stored = this.loader.applied(node, inc) ?? 0;
    nb.applied.set(inc, stored);
    nb.stored.set(inc, stored);
    return stored;
  }

  applied(node: string, inc: number, rseq: number): void {
    this.of(node).applied.set(inc, rseq);
  }

  storedUpTo(node: string, inc: number): number {
    return this.byName.get(node)?.stored.get(inc) ?? 0;
  }

  /** The store committed these reports: answers the commits to send (the nodes may drop them). */
  committed(rows: Iterable<{ node: string; inc: number; rseq: number }>): { node: string; inc: number; upto: number }[] {
    const out: { node: string; inc: number; upto: number }[] = [];
    for (const r of rows) {
      const nb = this.of(r.node);
      if ((nb.stored.get(r.inc) ?? 0) < r.rseq) nb.stored.set(r.inc, r.rseq);
      out.push({ node: r.node, inc: r.inc, upto: r.rseq });
    }
    return out;
  }

  /** The node is up as incarnation `inc` (null: not known); answers whether that is a new incarnation. */
  up(node: string, inc: number | null, now: number): boolean {
    const nb = this.of(node);
    const changed = inc !== null && nb.current !== inc;
    if (changed) {
      nb.current = inc;
      this.seen(node, inc, now);
    }
    nb.up = true;
    nb.down = null;
    nb.goneAt = null;
    return changed;
  }

  down(node: string, reason: string, now: number): void {
    Object.assign(this.of(node), { up: false, down: reason, goneAt: now });
  }

  /** That incarnation is not the node's current one up, since before `quiet`. */
  gone(node: string, inc: number, quiet: number): boolean {
    const nb = this.byName.get(node);
    return !nb || ((nb.current !== inc || !nb.up) && (nb.goneAt ?? 0) < quiet);
  }

  /** Keeps the newest incarnations of each node, and forgets nodes down since before `quiet` with everything stored and nothing `busy`. */
  prune(quiet: number, busy: (name: string) => boolean): void {
    for (const [name, nb] of this.byName) {
      for (const m of [nb.applied, nb.stored, nb.seenAt]) while (m.size > MAX_INCS) m.delete(Math.min(...m.keys()));
      const unstored = [...nb.applied].some(([inc, r]) => (nb.stored.get(inc) ?? 0) < r);
      if (!nb.up && !unstored && (nb.goneAt ?? 0) < quiet && !busy(name)) this.byName.delete(name);
    }
  }
}
