import { nearestRank } from "../../lib/percentile";

// Per-second aggregates for GET /api/series, kept apart from the retained rows: what each second
// added to the counters (sent, received, lost: the same deltas as the counters, so the sums stay
// equal to them after retention), and a latency histogram (16 bins per octave of µs, ±2.2%).

export const BINS_PER_OCTAVE = 16;
const MAX_BIN = 40 * BINS_PER_OCTAVE;

export function latencyBin(us: number): number {
  return us <= 0 ? 0 : Math.min(MAX_BIN, Math.floor(Math.log2(us + 1) * BINS_PER_OCTAVE));
}

/** The middle of a bin, in µs (what a percentile that falls in it reads). */
export function binMiddleUs(bin: number): number {
  return Math.max(0, 2 ** ((bin + 0.5) / BINS_PER_OCTAVE) - 1);
}

export interface SecondCounts {
  sent: number;
  received: number;
  lost: number;
}

/** Nearest-rank percentiles (ms, µs resolution) of a histogram given as [bin, n] in ascending bins. */
export function histogramPercentiles(bins: [number, number][]): { p50: number | null; p95: number | null; p99: number | null } {
  const total = bins.reduce((a, [, n]) => a + n, 0);
  if (total === 0) return { p50: null, p95: null, p99: null };
  const at = (p: number) => {
    const rank = nearestRank(p, total);
    let seen = 0;
    for (const [bin, n] of bins) {
      seen += n;
      if (seen >= rank) return Math.round(binMiddleUs(bin)) / 1000;
    }
    return Math.round(binMiddleUs(bins[bins.length - 1]![0])) / 1000;
  };
  return { p50: at(50), p95: at(95), p99: at(99) };
}

/** What the seconds gained since the store last took them (added to the stored rows). */
export class SeriesDeltas {
  readonly counts = new Map<number, SecondCounts>();
  readonly latency = new Map<number, Map<number, number>>();

  /** `n` (may be negative: an overturned loss) at ms time `atMs`. */
  add(atMs: number, field: keyof SecondCounts, n: number): void {
    if (n === 0 || !Number.isFinite(atMs)) return;
    const sec = Math.floor(atMs / 1000);
    let c = this.counts.get(sec);
    if (!c) this.counts.set(sec, (c = { sent: 0, received: 0, lost: 0 }));
    c[field] += n;
  }

  /** One latency sample (µs) at ms time `atMs`. */
  sample(atMs: number, us: number): void {
    const sec = Math.floor(atMs / 1000);
    let bins = this.latency.get(sec);
    if (!bins) this.latency.set(sec, (bins = new Map()));
    const b = latencyBin(us);
    bins.set(b, (bins.get(b) ?? 0) + 1);
  }

  empty(): boolean {
    return this.counts.size === 0 && this.latency.size === 0;
  }
}
