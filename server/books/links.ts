// What the `links` frames said about the distribution links: when the link between two nodes
// was last seen cut. A gap in a pair's seqs is a `partition` loss if the link between the two was
// seen cut since the pair's previous reception.

function linkKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

export class LinkWatch {
  private readonly current = new Map<string, Set<string>>();
  private readonly cutAt = new Map<string, number>();

  /** A node's links now (server time `now`); the ones it lost since its last frame are cuts. */
  onLinks(node: string, links: string[], now: number): string[] {
    const next = new Set(links);
    const cut: string[] = [];
    for (const peer of this.current.get(node) ?? []) {
      if (next.has(peer)) continue;
      this.cutAt.set(linkKey(node, peer), now);
      cut.push(peer);
    }
    this.current.set(node, next);
    return cut;
  }

  /** A node went down: its links are gone with it (not a partition of the others). */
  forget(node: string): void {
    this.current.delete(node);
  }

  /** Whether the link a–b was seen cut at `since` or later. */
  cutSince(a: string, b: string, since: number): boolean {
    return (this.cutAt.get(linkKey(a, b)) ?? -Infinity) >= since;
  }

  /** Forgets cuts older than `before` (bounded memory). */
  prune(before: number): void {
    for (const [k, at] of this.cutAt) if (at < before) this.cutAt.delete(k);
  }
}
