"use client";

import { count } from "@/lib/client/format";
import { useStats } from "@/lib/client/queries";

const COUNTERS = [
  { key: "sent", label: "Sent", color: "text-sky-300", bar: "bg-sky-400" },
  { key: "received", label: "Received", color: "text-teal-300", bar: "bg-teal-400" },
  { key: "acked", label: "Acked", color: "text-emerald-300", bar: "bg-emerald-400" },
  { key: "lost", label: "Lost", color: "text-rose-400", bar: "bg-rose-500", quiet: true },
  { key: "inFlight", label: "In flight", color: "text-amber-300", bar: "bg-amber-400", quiet: true },
] as const;

/**
 * The five counters across the screen, as large as the longest number lets them be: one size for
 * all (set from the longest), so "150,000" and "0" stand side by side at the same height.
 */
export function BigCounters() {
  const stats = useStats().data;
  const texts = COUNTERS.map((c) => (stats ? count(stats[c.key]) : "—"));
  const longest = Math.max(4, ...texts.map((t) => t.length));
  // A digit is about 0.6 em wide: the number fills at most ~90% of its cell, and at most 10% of the screen's height.
  const size = `min(${Math.round(150 / longest)}cqw, 10vh)`;
  return (
    <div className="grid grid-cols-5 gap-[1.2vw]" data-testid="presenter-counters">
      {COUNTERS.map((c, i) => {
        const value = stats?.[c.key];
        const quiet = "quiet" in c && c.quiet && !value;
        return (
          <div key={c.key} className="relative @container min-w-0 pl-[0.9rem]">
            <span className={`absolute top-1 bottom-1 left-0 w-1.5 rounded-full ${quiet ? "bg-edge-strong" : c.bar}`} />
            <div className="text-[0.85rem] font-semibold tracking-[0.14em] text-dim uppercase">{c.label}</div>
            <div
              data-testid={`presenter-stat-${c.key}`}
              data-value={value ?? 0}
              className={`leading-none font-bold tabular-nums ${quiet ? "text-faint" : c.color}`}
              style={{ fontSize: size }}
            >
              {texts[i]}
            </div>
          </div>
        );
      })}
    </div>
  );
}
