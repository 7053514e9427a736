"use client";

import { useState } from "react";
import { useRunScenario, useScenarios } from "@/lib/client/faults";
import { useCanControl } from "@/lib/client/token";
import type { ScenarioStepDTO } from "@/lib/contracts/fault-replies";
import { Button } from "../ui/button";
import { Select } from "../ui/field";
import { Panel } from "../ui/panel";

const mark: Record<ScenarioStepDTO["status"], string> = { pending: "○", running: "◐", passed: "✓", failed: "✗", skipped: "–" };
const tone: Record<ScenarioStepDTO["status"], string> = {
  pending: "text-faint",
  running: "text-accent",
  passed: "text-emerald-300",
  failed: "text-rose-400",
  skipped: "text-faint",
};

/** Run a scenario and follow its steps live, each with its caption and measured time. */
export function ScenariosPanel({ large = false }: { large?: boolean }) {
  const data = useScenarios().data;
  const run = useRunScenario();
  const canControl = useCanControl();
  const [name, setName] = useState("chaos-tour");
  const latest = data?.latest ?? null;
  const running = latest?.status === "running";
  const current = latest?.steps.find((s) => s.status === "running") ?? latest?.steps.findLast((s) => s.status !== "pending" && s.status !== "skipped");
  return (
    <Panel title="Scenarios" className="shrink-0" meta={latest ? `${latest.scenario}: ${latest.status}` : undefined} testId="scenarios-panel" bodyClassName="flex flex-col gap-3 p-3">
      {canControl && (
        <div className="flex gap-2">
          <Select compact value={name} onChange={(e) => setName(e.target.value)} aria-label="scenario" className="flex-1">
            {(data?.scenarios ?? []).map((s) => (
              <option key={s.name} value={s.name}>
                {s.title}
              </option>
            ))}
          </Select>
          <Button size="sm" variant="primary" disabled={running} busy={run.isPending} onClick={() => run.mutate(name)} data-testid="run-scenario">
            Run
          </Button>
        </div>
      )}
      {current && <p className={`${large ? "text-2xl" : "text-base"} font-medium text-ink`} data-testid="scenario-caption">{current.caption}</p>}
      {latest && (
        <ol className="flex flex-col gap-1" data-testid="scenario-steps" data-status={latest.status}>
          {latest.steps.map((s, i) => (
            <li key={i} className="flex items-baseline gap-2 text-sm" title={s.detail}>
              <span className={`w-4 shrink-0 font-bold ${tone[s.status]}`}>{mark[s.status]}</span>
              <span className="truncate text-ink">{s.name}</span>
              <span className="ml-auto shrink-0 text-faint tabular-nums">{s.ms === null ? "" : `${(s.ms / 1000).toFixed(1)} s`}</span>
            </li>
          ))}
        </ol>
      )}
      {latest?.status === "failed" && <p className="text-sm text-rose-300">{latest.steps.find((s) => s.status === "failed")?.detail}</p>}
    </Panel>
  );
}
