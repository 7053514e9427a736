"use client";

import { useState } from "react";
import { count, duration, shortName } from "@/lib/client/format";
import { useStartTraffic, useStopTraffic, type TrafficInput, type TrafficPattern } from "@/lib/client/queries";
import { toast } from "@/lib/client/toasts";
import { useTraffic } from "@/lib/client/traffic";
import { Button } from "../ui/button";
import { Field, Input, Select } from "../ui/field";
import { useNow } from "../ui/use-now";

const patterns: { value: TrafficPattern; label: string }[] = [
  { value: "one", label: "one → one" },
  { value: "broadcast", label: "broadcast" },
  { value: "ring", label: "ring" },
  { value: "random", label: "random pairs" },
  { value: "storm", label: "storm" },
];

const num = (s: string) => (s.trim() === "" ? undefined : Number(s));

function hint(pattern: TrafficPattern, from: string, to: string): string {
  switch (pattern) {
    case "one":
      return `${from ? shortName(from) : "a node"} → ${to === "*" ? "another node" : shortName(to)} (From/To of the Message tab).`;
    case "broadcast":
      return `${from ? shortName(from) : "A node"} sends to every other node, each round.`;
    case "ring":
      return "Each node sends to the next one: n1 → n2 → … → n1.";
    case "random":
      return "Every node sends to random other nodes.";
    case "storm":
      return "Every node sends to random nodes at the full rate for the duration.";
  }
}

const stateColor = { running: "text-accent", finished: "text-emerald-300", stopped: "text-amber-300" } as const;
const barColor = { running: "bg-accent", finished: "bg-emerald-400", stopped: "bg-amber-400" } as const;

/** Start/stop a server-side traffic pattern, with the progress the server pushes for it. */
export function TrafficControls({ from, to }: { from: string; to: string }) {
  const start = useStartTraffic();
  const stop = useStopTraffic();
  const run = useTraffic();
  const [pattern, setPattern] = useState<TrafficPattern>("random");
  const [rate, setRate] = useState("50");
  const [dur, setDur] = useState("");
  const [rounds, setRounds] = useState("");

  const running = run?.state === "running";
  const now = useNow(250, running);
  const elapsed = run ? Math.max(0, ((run.endedAt ?? now) - run.startedAt) / 1000) : 0;
  // Finished is whole; a stopped run shows how far it got; no plan (expected 0) has no bar.
  const fraction = !run ? null : run.state === "finished" ? 1 : run.expected > 0 ? Math.min(1, run.sent / run.expected) : null;

  const values = { rate: num(rate), durationS: num(dur), rounds: num(rounds) };
  const invalid = Object.values(values).some((v) => v !== undefined && (!Number.isFinite(v) || v < 0));

  const begin = () => {
    const input: TrafficInput = { pattern, ...values };
    if (pattern === "one" || pattern === "broadcast") Object.assign(input, { from: from || undefined });
    if (pattern === "one" && to !== "*") input.to = to;
    start.mutate(input, {
      onSuccess: (t) => toast("success", `Traffic started: ${pattern}${t ? `, ${count(t.expected)} messages` : ""}`),
    });
  };

  return (
    <div className="flex flex-col gap-3">
      <div className="grid grid-cols-[1.4fr_1fr] gap-2">
        <Field label="Pattern">
          <Select title={hint(pattern, from, to)} data-testid="traffic-pattern" value={pattern} onChange={(e) => setPattern(e.target.value as TrafficPattern)}>
            {patterns.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Rate /s">
          <Input data-testid="traffic-rate" type="number" min={0} value={rate} onChange={(e) => setRate(e.target.value)} placeholder="max" />
        </Field>
        <Field label="Duration s">
          <Input data-testid="traffic-duration" type="number" min={1} value={dur} onChange={(e) => setDur(e.target.value)} placeholder="auto" />
        </Field>
        <Field label="Rounds">
          <Input data-testid="traffic-rounds" type="number" min={1} value={rounds} onChange={(e) => setRounds(e.target.value)} placeholder="auto" />
        </Field>
      </div>
      <p className="-mt-1 hidden text-sm text-faint tall:block">{hint(pattern, from, to)}</p>
      <div className="flex gap-2">
        <Button variant="primary" className="flex-1" data-testid="traffic-start" disabled={invalid} busy={start.isPending} onClick={begin}>
          {running ? "Restart" : "Start traffic"}
        </Button>
        <Button variant="danger" data-testid="traffic-stop" disabled={!running} busy={stop.isPending} onClick={() => stop.mutate()}>
          Stop
        </Button>
      </div>
      {run && (
        <div
          className="flex flex-col gap-1.5"
          data-testid="traffic-progress"
          data-status={run.state}
          title={`${run.done} of ${run.generators} generators ended · ${duration(elapsed, true)}`}
        >
          <div className="flex justify-between gap-2 text-sm">
            <span className={`truncate font-semibold ${stateColor[run.state]}`}>
              {run.pattern} {run.state}
            </span>
            <span className="shrink-0 font-mono text-dim tabular-nums">
              {run.expected > 0 ? `${count(run.sent)} / ${count(run.expected)}` : `${count(run.sent)} · ${duration(elapsed)}`}
            </span>
          </div>
          <div className="relative h-1.5 overflow-hidden rounded-full bg-edge">
            {fraction === null ? (
              <div className="absolute inset-y-0 w-2/5 animate-indeterminate rounded-full bg-accent" />
            ) : (
              <div className={`h-full rounded-full transition-[width] duration-300 ease-linear ${barColor[run.state]}`} style={{ width: `${fraction * 100}%` }} />
            )}
          </div>
        </div>
      )}
    </div>
  );
}
