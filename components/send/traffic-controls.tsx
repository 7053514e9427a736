"use client";

import { useState } from "react";
import { useEvents } from "@/lib/client/events";
import { count, duration, shortName } from "@/lib/client/format";
import { useStartTraffic, useStats, useStopTraffic, useTrafficState, type TrafficInput, type TrafficPattern } from "@/lib/client/queries";
import { toast } from "@/lib/client/toasts";
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

interface Run {
  startedAt: number;
  pattern: TrafficPattern;
  /** Messages the server plans to send, when it says. */
  expected: number | null;
  durationS: number | null;
  /** The cluster's sent counter when the run started: progress is measured from it. */
  baseSent: number;
  runId: string | null;
  /** The server's clock at the start, when it says: events are compared with it. */
  serverStartedAt: number | null;
  stopped: boolean;
}

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

/** Start/stop a server-side traffic pattern, with its progress. */
export function TrafficControls({ from, to }: { from: string; to: string }) {
  const start = useStartTraffic();
  const stop = useStopTraffic();
  const stats = useStats().data;
  const events = useEvents();
  const [pattern, setPattern] = useState<TrafficPattern>("random");
  const [rate, setRate] = useState("50");
  const [dur, setDur] = useState("");
  const [rounds, setRounds] = useState("");
  const [run, setRun] = useState<Run | null>(null);

  const server = useTrafficState(!!run).data;
  const endEvent = run
    ? events.find(
        (e) => e.kind === "traffic" && (run.serverStartedAt !== null ? e.at > run.serverStartedAt : e.at >= run.startedAt) && /finish|stop|done|end/i.test(e.text),
      )
    : undefined;
  const serverDone = !!run && !!server && server.run === run.runId && server.generators !== undefined && (server.done ?? 0) >= server.generators;
  const finished = !!run?.stopped || !!endEvent || serverDone;
  const now = useNow(250, !!run && !finished);
  const elapsed = run ? (now - run.startedAt) / 1000 : 0;
  const counted = run && stats ? Math.max(0, stats.sent - run.baseSent) : 0;
  const sent = serverDone && typeof server?.sent === "number" ? server.sent : counted;
  const fraction = finished ? 1 : run?.expected ? Math.min(1, sent / run.expected) : run?.durationS ? Math.min(1, elapsed / run.durationS) : null;

  const values = { rate: num(rate), durationS: num(dur), rounds: num(rounds) };
  const invalid = Object.values(values).some((v) => v !== undefined && (!Number.isFinite(v) || v < 0));

  const begin = () => {
    const input: TrafficInput = { pattern, ...values };
    if (pattern === "one" || pattern === "broadcast") Object.assign(input, { from: from || undefined });
    if (pattern === "one" && to !== "*") input.to = to;
    const baseSent = stats?.sent ?? 0;
    start.mutate(input, {
      onSuccess: (r) => {
        const t = r?.traffic;
        setRun({
          startedAt: Date.now(),
          pattern,
          expected: typeof t?.expected === "number" && t.expected > 0 ? t.expected : null,
          durationS: values.durationS ?? null,
          baseSent,
          runId: t?.run ?? null,
          serverStartedAt: typeof t?.startedAt === "number" ? t.startedAt : null,
          stopped: false,
        });
        toast("success", `Traffic started: ${pattern}${t?.expected ? `, ${count(t.expected)} messages` : ""}`);
      },
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
          {run && !finished ? "Restart" : "Start traffic"}
        </Button>
        <Button variant="danger" data-testid="traffic-stop" busy={stop.isPending} onClick={() => stop.mutate(undefined, { onSuccess: () => setRun((r) => r && { ...r, stopped: true }) })}
        >
          Stop
        </Button>
      </div>
      {run && (
        <div className="flex flex-col gap-1.5" data-testid="traffic-progress" data-status={finished ? "done" : "running"}>
          <div className="flex justify-between gap-2 text-sm">
            <span className={`truncate font-semibold ${finished ? "text-emerald-300" : "text-accent"}`}>
              {run.pattern} {finished ? (run.stopped || (endEvent && /stop/i.test(endEvent.text)) ? "stopped" : "finished") : "running"}
            </span>
            <span className="shrink-0 font-mono text-dim tabular-nums">
              {run.expected ? `${count(Math.min(sent, run.expected))} / ${count(run.expected)}` : duration(elapsed)}
            </span>
          </div>
          <div className="relative h-1.5 overflow-hidden rounded-full bg-edge">
            {fraction === null ? (
              <div className="absolute inset-y-0 w-2/5 animate-indeterminate rounded-full bg-accent" />
            ) : (
              <div
                className={`h-full rounded-full transition-[width] duration-300 ease-linear ${finished ? "bg-emerald-400" : "bg-accent"}`}
                style={{ width: `${fraction * 100}%` }}
              />
            )}
          </div>
        </div>
      )}
    </div>
  );
}
