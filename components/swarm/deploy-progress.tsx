"use client";

import { type ReactNode, useMemo } from "react";
import { duration } from "@/lib/client/format";
import { meshProgress } from "@/lib/client/mesh";
import { useShapeStable } from "@/lib/client/node-shape";
import type { RuntimeKind } from "@/lib/contracts/common";
import type { DeployProgressDTO, NodeDTO } from "@/lib/contracts/http-replies";
import { useNow } from "../ui/use-now";

interface DeployProgressProps {
  progress: DeployProgressDTO | null;
  requesting: boolean;
  /** The replicas now, for their task states (new → pending → … → running on Swarm). */
  nodes?: NodeDTO[];
  runtime?: RuntimeKind;
}

/**
 * Deploy/scale progress: phase, the replicas' task states as the runtime reports them, replicas
 * running and Erlang nodes up against the target, elapsed time.
 */
export function DeployProgress({ progress, requesting, nodes = [], runtime = "local" }: DeployProgressProps) {
  const now = useNow(500, !!progress && !progress.done);
  // Once per change of the nodes' shape, not per push or tick of the clock (200 meshed nodes: 39,800 link ends).
  const shaped = useShapeStable(nodes).nodes;
  const meshNow = useMemo(() => meshProgress(shaped), [shaped]);
  if (!progress) {
    if (!requesting) return null;
    return (
      <Frame status="requesting" phase="requesting">
        <Title phase="Asking the server…" elapsed={null} tone="text-sky-300" />
        <Bar fraction={null} color="bg-sky-400" />
      </Frame>
    );
  }
  const { target, replicasRunning, nodesUp, done, error } = progress;
  const end = done ? (progress.finishedAt ?? now) : now;
  const elapsed = (end - progress.startedAt) / 1000;
  const removing = target === 0;
  const status = error ? "error" : done ? "done" : "running";
  const tone = error ? "text-rose-300" : done ? "text-emerald-300" : "text-amber-200";
  const phase = error ? "Failed" : done ? (removing ? "Removed" : "Ready") : progress.phase || "working";

  // The nodes are up before they are all connected: the mesh's own progress, until it is whole.
  const mesh = removing ? null : meshNow;
  const meshMeter = mesh && mesh.full > 0 && (!done || mesh.links < mesh.full) && (
    <Meter label="Mesh links" value={mesh.links} target={mesh.full} color="bg-violet-400" testId="mesh-progress" />
  );

  if (done && !error) {
    return (
      <Frame status={status} phase={progress.phase}>
        <div className="flex items-center gap-2.5 whitespace-nowrap">
          <span className="grid size-6 shrink-0 place-items-center rounded-full bg-emerald-400/20 text-sm text-emerald-300">✓</span>
          <span className="font-semibold text-emerald-300">{phase}</span>
          <span className="truncate text-dim">
            {removing ? "all removed" : `${nodesUp}/${target} up`} in {duration(elapsed, true)}
          </span>
        </div>
        {meshMeter}
      </Frame>
    );
  }

  return (
    <Frame status={status} phase={progress.phase}>
      <Title phase={phase} elapsed={elapsed} tone={tone} />
      {removing ? (
        <Bar fraction={done ? 1 : null} color={done ? "bg-emerald-400" : "bg-amber-400"} />
      ) : (
        <>
          <TaskStates nodes={nodes} runtime={runtime} />
          <Meter label={runtime === "swarm" ? "Tasks running" : "Replicas running"} value={replicasRunning} target={target} color="bg-sky-400" />
          <Meter label="Erlang nodes up" value={nodesUp} target={target} color={done ? "bg-emerald-400" : "bg-accent"} />
          {meshMeter}
        </>
      )}
      {error && <p className="text-sm break-words text-rose-300">{error}</p>}
    </Frame>
  );
}

// Swarm's task lifecycle, then the local runtime's states, then the ends.
const ORDER = ["new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting", "running", "restarting", "complete", "shutdown", "exited", "stopped", "failed", "rejected", "orphaned", "remove"];
const stateTone = (s: string) =>
  s === "running"
    ? "border-sky-400/40 bg-sky-400/15 text-sky-200"
    : ["failed", "rejected", "orphaned", "exited"].includes(s)
      ? "border-rose-400/40 bg-rose-400/10 text-rose-300"
      : ["shutdown", "complete", "remove", "stopped"].includes(s)
        ? "border-edge-strong bg-raised text-dim"
        : "border-amber-400/40 bg-amber-400/10 text-amber-200";

/** How many replicas are in each task state now: "pending 2 · preparing 1 · running 2". */
function TaskStates({ nodes, runtime }: { nodes: NodeDTO[]; runtime: RuntimeKind }) {
  const counts = new Map<string, number>();
  for (const n of nodes) if (n.replica) counts.set(n.replica.state, (counts.get(n.replica.state) ?? 0) + 1);
  if (counts.size === 0) return null;
  const rank = (s: string) => (ORDER.indexOf(s) < 0 ? ORDER.length : ORDER.indexOf(s));
  const states = [...counts].sort((a, b) => rank(a[0]) - rank(b[0]));
  return (
    <div className="flex flex-wrap items-center gap-1.5" data-testid="task-states" title={runtime === "swarm" ? "Tasks by state, as Swarm reports them" : "Replicas by state"}>
      <span className="mr-0.5 text-sm text-dim">{runtime === "swarm" ? "Tasks" : "Replicas"}</span>
      {states.map(([s, n]) => (
        <span key={s} data-testid={`task-state-${s}`} className={`rounded-md border px-1.5 font-mono text-xs font-semibold ${stateTone(s)}`}>
          {s} {n}
        </span>
      ))}
    </div>
  );
}

function Frame({ status, phase, children }: { status: string; phase: string; children: ReactNode }) {
  const border =
    status === "error" ? "border-rose-500/40 bg-rose-500/5" : status === "done" ? "border-emerald-400/25 bg-emerald-400/5" : "border-amber-400/30 bg-amber-400/5";
  return (
    <div
      data-testid="progress"
      data-status={status}
      data-phase={phase}
      role="status"
      className={`flex animate-fade-in flex-col gap-2.5 rounded-xl border px-3.5 ${status === "done" ? "py-2" : "py-3"} ${border}`}
    >
      {children}
    </div>
  );
}

function Title({ phase, elapsed, tone }: { phase: string; elapsed: number | null; tone: string }) {
  return (
    <div className="flex items-baseline justify-between gap-2">
      <span className={`truncate font-semibold first-letter:uppercase ${tone}`}>{phase}</span>
      {elapsed !== null && <span className="shrink-0 font-mono text-sm text-dim tabular-nums">{duration(elapsed)}</span>}
    </div>
  );
}

function Meter({ label, value, target, color, testId }: { label: string; value: number; target: number; color: string; testId?: string }) {
  return (
    <div className="flex flex-col gap-1" data-testid={testId} data-value={value} data-target={target}>
      <div className="flex justify-between text-sm">
        <span className="text-dim">{label}</span>
        <span className="font-semibold tabular-nums">
          {value.toLocaleString("en-US")} <span className="text-faint">/ {target.toLocaleString("en-US")}</span>
        </span>
      </div>
      <Bar fraction={target > 0 ? value / target : 1} color={color} />
    </div>
  );
}

/** fraction null: indeterminate. */
function Bar({ fraction, color }: { fraction: number | null; color: string }) {
  return (
    <div
      className="relative h-2 overflow-hidden rounded-full bg-edge"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
    >
      {fraction === null ? (
        <div className={`absolute inset-y-0 w-2/5 animate-indeterminate rounded-full ${color}`} />
      ) : (
        <div
          className={`h-full rounded-full transition-[width] duration-500 ease-out ${color}`}
          style={{ width: `${Math.min(100, Math.max(0, fraction * 100))}%` }}
        />
      )}
    </div>
  );
}
