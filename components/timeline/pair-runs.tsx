"use client";

import { count, shortName } from "@/lib/client/format";
import { usePairRuns } from "@/lib/client/pair-runs";

const SHOWN = 6;

/**
 * The exact books of the pairs that moved last (sent, received, lost, in flight per pair): under
 * a storm the rows below are a sample, these counts are not.
 */
export function PairRunsStrip() {
  const pairs = usePairRuns();
  if (pairs.length === 0) return null;
  return (
    <div data-testid="pair-runs" className="flex shrink-0 flex-wrap items-center gap-1.5 border-b border-edge px-4 py-1.5 text-xs text-dim" title="Exact per-pair books (runs), newest activity first">
      <span className="font-semibold tracking-wider text-faint uppercase">Runs</span>
      {pairs.slice(0, SHOWN).map((p) => (
        <span key={p.pair} data-testid="pair-run" className="rounded-md border border-edge bg-raised px-1.5 py-px font-mono tabular-nums" title={`${p.from} → ${p.to} (pair ${p.pair})`}>
          {shortName(p.from)}→{shortName(p.to)} {count(p.sent)} sent · {count(p.received)} recv
          {p.lost > 0 && <span className="text-rose-300"> · {count(p.lost)} lost</span>}
          {p.inFlight > 0 && <span className="text-amber-300"> · {count(p.inFlight)} in flight</span>}
        </span>
      ))}
      {pairs.length > SHOWN && <span>+{count(pairs.length - SHOWN)} more pairs</span>}
    </div>
  );
}
