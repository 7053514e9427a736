import { type Counts, addCounts, isZero, zeroCounts } from "./counts";

// The counters the dashboard shows: totals, the same per sender, and receptions per receiver,
// kept as the pairs change (each change is added once, as a delta of the pair's counts). Bounded:
// past `cap` names, the names of senders and receivers no longer active are folded into one row,
// and seed senders (any name anyone with the cookie makes up) have a cap of their own.

export const EARLIER_NODES = "(earlier nodes)";
export const OTHER_SEED_SENDERS = "(other seed senders)";

export interface TallyRows {
  totals: Counts & { failed: number };
  perNode: Record<string, Counts>;
  inbound: Record<string, number>;
  seedSenders?: string[];
}

export class Tally {
  readonly totals = zeroCounts();
  failed = 0;
  readonly perNode = new Map<string, Counts>();
  readonly inbound = new Map<string, number>();
  private readonly seedSenders = new Set<string>();
  /** Rows changed since the store last took them. */
  readonly dirty = new Set<string>();

  constructor(
    private readonly cap = 256,
    private readonly seedCap = 64,
  ) {}

  restore(rows: TallyRows): void {
    const { failed, ...totals } = rows.totals;
    Object.assign(this.totals, totals);
    this.failed = failed;
    for (const [n, c] of Object.entries(rows.perNode)) this.perNode.set(n, { ...zeroCounts(), ...c });
    for (const [n, c] of Object.entries(rows.inbound)) this.inbound.set(n, c);
    for (const s of rows.seedSenders ?? []) this.seedSenders.add(s);
  }

  /** A pair's counts changed by `delta`. */
  add(from: string, to: string, delta: Counts): void {
    if (isZero(delta)) return;
    addCounts(this.totals, delta);
    addCounts(this.row(from), delta);
    if (delta.received !== 0) this.inbound.set(to, (this.inbound.get(to) ?? 0) + delta.received);
    this.dirty.add(from).add(to);
  }

  /** `n` seed-protocol receptions at `to` from `from` (a stranger's name, or null when its event was left out). */
  seed(from: string | null, to: string, n: number): void {
    this.add(this.seedKey(from), to, { sent: n, received: n, acked: 0, lost: 0, inFlight: 0 });
  }

  addFailed(n: number): void {
    this.failed += n;
    this.dirty.add("");
  }

  sentBy(node: string): number {
    return this.perNode.get(node)?.sent ?? 0;
  }

  inboundOf(node: string): number {
    return this.inbound.get(node) ?? 0;
  }

  /** Folds the rows of names no longer active into one, once there are more than `cap`. */
  compact(active: (name: string) => boolean): void {
    if (this.perNode.size > this.cap) {
      for (const [name, c] of this.perNode) {
        if (name === EARLIER_NODES || active(name)) continue;
        addCounts(this.row(EARLIER_NODES), c);
        this.perNode.delete(name);
        this.dirty.add(name).add(EARLIER_NODES);
      }
    }
    if (this.inbound.size > this.cap) {
      for (const [name, n] of this.inbound) {
        if (name === EARLIER_NODES || active(name)) continue;
        this.inbound.set(EARLIER_NODES, (this.inbound.get(EARLIER_NODES) ?? 0) + n);
        this.inbound.delete(name);
        this.dirty.add(name).add(EARLIER_NODES);
      }
    }
  }

  rows(): TallyRows {
    return {
      totals: { ...this.totals, failed: this.failed },
      perNode: Object.fromEntries([...this.perNode].map(([n, c]) => [n, { ...c }])),
      inbound: Object.fromEntries(this.inbound),
      seedSenders: [...this.seedSenders],
    };
  }

  private seedKey(from: string | null): string {
    if (from === null) return OTHER_SEED_SENDERS;
    if (this.seedSenders.has(from) || this.perNode.has(from)) return from;
    if (this.seedSenders.size >= this.seedCap) return OTHER_SEED_SENDERS;
    this.seedSenders.add(from);
    return from;
  }

  private row(name: string): Counts {
    let c = this.perNode.get(name);
    if (!c) this.perNode.set(name, (c = zeroCounts()));
    return c;
  }
}
