import type { Counts } from "./counts";

// A pair's books as numbers (docs/ACCOUNTING.md), and the rules read straight from them: the
// live PairBook (pair.ts) and the store's readers of stored pairs (server/store/export-*.ts)
// count a pair the same way because both go through these functions.

/** A tentative loss: the seqs above the one before it (or above rHi) up to `hi`, judged at `at` (server ms). */
export interface TentativeLoss {
  hi: number;
  reason: string;
  at: number;
}

/** A pair's books as stored (the `pairs.state` column, JSON). */
export interface PairState {
  s: number;
  sentHi: number;
  rHi: number;
  exactLost: number;
  tent: TentativeLoss[];
  failed: number;
  ackedUpTo: number;
  ackEff: number;
  ackedCount: number;
  openGaps: [number, number][];
  recentGaps?: [number, number, string][];
  lastToInc: number;
  recvByInc: [number, number][];
  lastRecvAt: number;
  createdAt: number;
  sameClock: boolean;
}

/** What the counts are read from. */
export type CountedState = Pick<PairState, "s" | "rHi" | "exactLost" | "tent" | "ackedCount">;

/** The highest seq judged (received, or lost exactly or tentatively): above it, in flight. */
export function tentTop(st: Pick<PairState, "rHi" | "tent">): number {
  return st.tent.length ? st.tent[st.tent.length - 1]!.hi : st.rHi;
}

/** received = rHi - exactLost, lost = exactLost + tentative, inFlight = S - received - lost. */
export function countsOf(st: CountedState): Counts {
  const top = tentTop(st);
  return { sent: st.s, received: st.rHi - st.exactLost, acked: st.ackedCount, lost: st.exactLost + top - st.rHi, inFlight: st.s - top };
}

/** The tentative verdict covering `seq`, if any. */
export function tentativeFor(st: Pick<PairState, "rHi" | "tent">, seq: number): TentativeLoss | null {
  if (seq <= st.rHi) return null;
  return st.tent.find((t) => seq <= t.hi) ?? null;
}
