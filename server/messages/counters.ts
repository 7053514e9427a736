import type { NodeCountsDTO, StatsDTO } from "../../lib/contracts/http-replies";

function emptyCounts(): NodeCountsDTO {
  return { sent: 0, received: 0, acked: 0, lost: 0, inFlight: 0 };
}

/**
 * The tracker's books: totals, the same per sender, and receptions per receiver. The tracker
 * decides when a message enters a counter (once each); this keeps the sums, so that always
 * sent = received + lost + inFlight, in total and per sender.
 */
export class Counters {
  private readonly totals = emptyCounts();
  private failedCount = 0;
  private readonly perNode = new Map<string, NodeCountsDTO>();
  private readonly inbound = new Map<string, number>();

  /** Counts restored from the store after a restart (nothing is in flight after a restart). */
  restore(totals: NodeCountsDTO & { failed: number }, perNode: Record<string, NodeCountsDTO>, inbound: Record<string, number>): void {
    Object.assign(this.totals, { ...totals, inFlight: 0 });
    this.failedCount = totals.failed;
    for (const [n, c] of Object.entries(perNode)) this.perNode.set(n, { ...c, inFlight: 0 });
    for (const [n, c] of Object.entries(inbound)) this.inbound.set(n, c);
  }

  sent(from: string): void {
    this.add(from, "sent", 1);
    this.add(from, "inFlight", 1);
  }

  /** A reception; `wasLost`: it had been judged lost, so it leaves `lost` instead of `inFlight`. */
  received(from: string, to: string, wasLost: boolean): void {
    this.add(from, wasLost ? "lost" : "inFlight", -1);
    this.add(from, "received", 1);
    this.inbound.set(to, (this.inbound.get(to) ?? 0) + 1);
  }

  lost(from: string): void {
    this.add(from, "inFlight", -1);
    this.add(from, "lost", 1);
  }

  acked(from: string): void {
    this.add(from, "acked", 1);
  }

  /** A message that never left its sender (+1), or did leave after all (-1). */
  failed(delta: 1 | -1): void {
    this.failedCount += delta;
  }

  snapshot(): Omit<StatsDTO, "latencyMs" | "at"> {
    const perNode: Record<string, NodeCountsDTO> = {};
    for (const [n, c] of this.perNode) perNode[n] = { ...c };
    return { ...this.totals, failed: this.failedCount, perNode };
  }

  inboundOf(node: string): number {
    return this.inbound.get(node) ?? 0;
  }

  sentBy(node: string): number {
    return this.perNode.get(node)?.sent ?? 0;
  }

  private add(node: string, key: keyof NodeCountsDTO, delta: number): void {
    this.totals[key] += delta;
    let c = this.perNode.get(node);
    if (!c) {
      c = emptyCounts();
      this.perNode.set(node, c);
    }
    c[key] += delta;
  }
}
