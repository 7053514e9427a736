import type { LatencyKind } from "../../lib/contracts/common";
import { percentile } from "../../lib/percentile";

/** The last `size` latencies (ms), for percentiles that follow what is happening now. */
export class LatencyWindow {
  private readonly values: Float64Array;
  private count = 0;
  private next = 0;

  constructor(size: number) {
    this.values = new Float64Array(size);
  }

  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    if (this.count < this.values.length) this.count++;
  }

  percentiles(): { p50: number | null; p95: number | null; p99: number | null } {
    if (this.count === 0) return { p50: null, p95: null, p99: null };
    const sorted = this.values.slice(0, this.count).sort();
    const at = (p: number) => percentile(sorted, p)!;
    return { p50: round(at(50)), p95: round(at(95)), p99: round(at(99)) };
  }
}

/** Windows per latency kind, and one over both (the most recent values of either). */
export class Latencies {
  readonly all = new LatencyWindow(4096);
  readonly byKind: Record<LatencyKind, LatencyWindow> = { "one-way": new LatencyWindow(4096), "half-rtt": new LatencyWindow(4096) };

  add(kind: LatencyKind, ms: number): void {
    this.all.add(ms);
    this.byKind[kind].add(ms);
  }
}

/** ms with µs resolution. */
export function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
