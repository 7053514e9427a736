"use client";

import { useEffect, useState } from "react";
import { useRunScenario, useScenarios } from "@/lib/client/faults";
import { useCanControl } from "@/lib/client/token";
import { isTyping } from "../shortcuts/shortcuts";

/**
 * The presenter view's caption strip while a scenario runs (or has run): the step's caption, big;
 * → or space steps forward through the captions, ← back; a new step jumps to itself. With no run
 * yet, a Run chaos-tour button. Returns null when there is nothing to show (the dock shows the
 * latest event instead).
 */
export function ScenarioCaption() {
  const latest = useScenarios().data?.latest ?? null;
  const run = useRunScenario();
  const canControl = useCanControl();
  const steps = latest?.steps ?? [];
  const live = Math.max(0, steps.findLastIndex((s) => s.status !== "pending" && s.status !== "skipped"));
  const [at, setAt] = useState<number | null>(null);
  useEffect(() => setAt(null), [live, latest?.id]); // a new step: follow it
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e) || steps.length === 0) return;
      const step = e.key === "ArrowRight" || e.key === " " ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (step === 0) return;
      e.preventDefault();
      setAt((a) => Math.min(steps.length - 1, Math.max(0, (a ?? live) + step)));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [steps.length, live]);
  if (!latest) {
    return canControl ? (
      <button type="button" className="cursor-pointer rounded-xl border border-accent/40 bg-accent/10 px-3 py-1 font-semibold text-accent" onClick={() => run.mutate("chaos-tour")} data-testid="present-run-scenario">
        ▶ Run the chaos tour
      </button>
    ) : null;
  }
  const i = at ?? live;
  const s = steps[i]!;
  return (
    <div className="flex min-w-0 items-baseline gap-3" data-testid="scenario-caption" data-step={i} data-status={s.status}>
      <span className="shrink-0 font-mono text-[0.95rem] text-faint">
        {latest.scenario} {i + 1}/{steps.length}
      </span>
      <span className="truncate text-[1.35rem] font-semibold text-ink">{s.caption}</span>
      <span className="shrink-0 text-[0.95rem] text-dim tabular-nums">
        {s.status}
        {s.ms !== null ? ` · ${(s.ms / 1000).toFixed(1)} s` : ""}
      </span>
    </div>
  );
}
