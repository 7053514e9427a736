"use client";

import { memo } from "react";
import { nodeLabel } from "@/lib/client/format";
import type { NodeDTO } from "@/lib/contracts/http-replies";
import { nodeDot, nodeText } from "../ui/status";

interface ReplicaListProps {
  nodes: NodeDTO[];
  selected: string | null;
  onSelect: (name: string) => void;
}

/** Every replica with its runtime state next to its Erlang state; disagreements in amber. */
export function ReplicaList({ nodes, selected, onSelect }: ReplicaListProps) {
  return (
    <ul className="flex flex-col gap-1.5" data-testid="replica-list">
      {nodes.map((n) => (
        <li key={n.name}>
          <ReplicaRow node={n} selected={n.name === selected} onSelect={onSelect} />
        </li>
      ))}
    </ul>
  );
}

interface ReplicaRowProps {
  node: NodeDTO;
  selected: boolean;
  onSelect: (name: string) => void;
}

/**
 * A row renders again only when what it shows changed: a cluster push each second moves every
 * node's counters, which the list does not show (200 rows rendered each second for nothing).
 */
function sameRow(p: ReplicaRowProps, q: ReplicaRowProps): boolean {
  const [a, b] = [p.node, q.node];
  return (
    p.selected === q.selected &&
    p.onSelect === q.onSelect &&
    a.name === b.name &&
    a.status === b.status &&
    a.host === b.host &&
    a.slot === b.slot &&
    a.flags.length === b.flags.length &&
    a.flags.every((f, i) => f === b.flags[i]) &&
    JSON.stringify(a.replica) === JSON.stringify(b.replica)
  );
}

const ReplicaRow = memo(function ReplicaRow({ node, selected, onSelect }: ReplicaRowProps) {
  const r = node.replica;
  // Swarm: the task, its container and its overlay address; locally: the process.
  const where = r ? [r.pid != null && `pid ${r.pid}`, r.ip].filter(Boolean).join(" · ") : "";
  const task = r?.taskId ? [`task ${r.taskId.slice(0, 12)}`, r.containerId && `ctr ${r.containerId.slice(0, 12)}`].filter(Boolean).join(" · ") : "";
  const flagged = node.flags.length > 0;
  return (
    <button
      type="button"
      onClick={() => onSelect(node.name)}
      data-testid={`replica-${nodeLabel(node)}`}
      data-status={node.status}
      title={`${node.name} · ${node.host}${where ? ` · ${where}` : ""}${task ? ` · ${task}` : ""}`}
      className={`w-full cursor-pointer rounded-xl border px-3 py-1.5 text-left transition-colors tall:py-2 ${
        selected ? "border-accent/60 bg-accent/10" : flagged ? "border-amber-400/40 bg-amber-400/[0.06] hover:bg-amber-400/10" : "border-transparent bg-raised/60 hover:border-edge-strong"
      }`}
    >
      <div className="flex items-center gap-2.5">
        <span className={`size-2.5 shrink-0 rounded-full ${nodeDot[node.status]}`} />
        <span className="text-lg font-bold">{nodeLabel(node)}</span>
        <span className={`text-sm ${nodeText[node.status]}`}>{node.status}</span>
        <span className="ml-auto flex items-center gap-2">
          {r && r.restarts > 0 && (
            <span className="rounded-md bg-amber-400/15 px-1.5 text-sm font-semibold text-amber-300" title="Restarts">
              ↻ {r.restarts}
            </span>
          )}
          <span className="rounded-md border border-edge-strong px-1.5 font-mono text-xs text-dim" title="Runtime state">
            {r?.state ?? "no replica"}
          </span>
        </span>
      </div>
      <div className="mt-0.5 hidden truncate pl-5 font-mono text-xs text-faint tall:block" title={`${node.host}${where ? ` · ${where}` : ""}`}>
        {node.host}
        {where && ` · ${where}`}
      </div>
      {task && (
        <div className="hidden truncate pl-5 font-mono text-xs text-faint tall:block" title={`slot ${r!.slot} · task ${r!.taskId}${r!.containerId ? ` · container ${r!.containerId}` : ""}`} data-testid="replica-task">
          {task}
        </div>
      )}
      {r?.error && <div className="mt-1 pl-5 text-sm break-words text-rose-300">{r.error}</div>}
      {flagged && (
        <ul className="mt-1.5 flex flex-col gap-1 pl-5" data-testid="replica-flags">
          {node.flags.map((f) => (
            <li key={f} className="flex gap-1.5 text-sm leading-snug font-medium text-amber-300">
              <span aria-hidden>⚠</span>
              <span>{f}</span>
            </li>
          ))}
        </ul>
      )}
    </button>
  );
}, sameRow);
