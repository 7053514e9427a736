"use client";

import { ago, count, nodeLabel, shortName } from "@/lib/client/format";
import { usePendingVariables, useStats } from "@/lib/client/queries";
import { useCanControl } from "@/lib/client/token";
import type { NodeDTO } from "@/lib/contracts/http-replies";
import { FaultControls } from "../faults/fault-controls";
import { useActions } from "../shell/use-actions";
import { Button } from "../ui/button";
import { EmptyState } from "../ui/empty-state";
import { Panel } from "../ui/panel";
import { nodeDot, nodeText } from "../ui/status";
import { useNow } from "../ui/use-now";

interface NodeDetailsProps {
  node: NodeDTO | null;
  /** A selected name that is no longer in the cluster. */
  missing: string | null;
  onSelect: (name: string) => void;
  onSendFrom: (name: string) => void;
}

export function NodeDetails({ node, missing, onSelect, onSendFrom }: NodeDetailsProps) {
  const canControl = useCanControl();
  return (
    <Panel
      title="Node"
      testId="node-details"
      className="max-h-[75%] shrink"
      bodyClassName="overflow-y-auto p-4"
      actions={node && canControl && <NodeActions node={node} onSendFrom={onSendFrom} />}
    >
      {node ? (
        <Details node={node} onSelect={onSelect} />
      ) : (
        <div className="tall:py-6">
          <EmptyState
            title={missing ? `${shortName(missing)} left the cluster` : "Click a node to inspect it"}
            hint={<span className="hidden tall:inline">{missing ? missing : "Status, host, replica, links and traffic of one node; kill it or send from it."}</span>}
          />
        </div>
      )}
    </Panel>
  );
}

function NodeActions({ node, onSendFrom }: { node: NodeDTO; onSendFrom: (n: string) => void }) {
  const killing = usePendingVariables<string>("kill");
  const actions = useActions();
  return (
    <>
      <Button size="sm" variant="secondary" disabled={node.status !== "up"} onClick={() => onSendFrom(node.name)} data-testid="send-from-here">
        Send from here
      </Button>
      <Button
        size="sm"
        variant="danger"
        data-testid="kill-button"
        disabled={node.status === "down" || !node.replica}
        busy={killing.includes(node.name)}
        onClick={() => void actions.killNode(node.name)}
        title={`Kill ${node.name}: its process or task container; asks first. Shortcut: K`}
      >
        Kill
      </Button>
    </>
  );
}

function Details({ node, onSelect }: { node: NodeDTO; onSelect: (n: string) => void }) {
  const canControl = useCanControl();
  const counts = useStats().data?.perNode[node.name];
  const now = useNow(1000);
  const r = node.replica;
  // On Swarm the replica is a task: its state, id, container and overlay address come first.
  const rows: [string, string | number | undefined | null][] = [
    ["Host", node.host],
    ["Slot", node.slot],
    r?.taskId ? ["Task state", r.state] : ["Replica", r ? `${r.id} · ${r.state}` : "none known"],
    ["IP", r?.ip],
    ["Task", r?.taskId],
    ["Container", r?.containerId?.slice(0, 12)],
    ["PID", r?.pid],
    ["Restarts", r?.restarts],
  ];

  return (
    <div className="flex flex-col gap-3.5" data-testid="node-details-body" data-node={node.name}>
      <div className="flex items-start gap-3">
        <span className={`mt-3 size-3.5 shrink-0 rounded-full ${nodeDot[node.status]}`} />
        <div className="min-w-0 flex-1">
          <div className="flex items-baseline gap-3">
            <span className="text-[2.1rem] leading-tight font-bold">{nodeLabel(node)}</span>
            <span className={`text-lg font-semibold ${nodeText[node.status]}`}>{node.status}</span>
          </div>
          <div className="truncate font-mono text-sm text-dim" title={node.name}>
            {node.name}
          </div>
          <div className="text-sm text-faint">
            since {ago(node.since, now)}
            {node.downReason && <span className="text-rose-300"> · {node.downReason}</span>}
          </div>
        </div>
      </div>

      {node.flags.length > 0 && (
        <ul className="flex flex-col gap-1 rounded-xl border border-amber-400/40 bg-amber-400/10 px-3 py-2">
          {node.flags.map((f) => (
            <li key={f} className="text-sm font-medium text-amber-200">
              ⚠ {f}
            </li>
          ))}
        </ul>
      )}

      <div className="grid grid-cols-4 gap-2">
        <Metric label="Sent" value={counts?.sent ?? node.sent} className="text-sky-300" />
        <Metric label="Received" value={counts?.received ?? node.received} className="text-teal-300" />
        <Metric label="Acked" value={counts?.acked} className="text-emerald-300" />
        <Metric label="Lost" value={counts?.lost} className={counts?.lost ? "text-rose-400" : "text-faint"} />
      </div>

      <dl className="grid grid-cols-2 gap-x-4 gap-y-1.5">
        {rows
          .filter(([, v]) => v !== undefined && v !== null && v !== "")
          .map(([k, v]) => (
            <div key={k} className={`min-w-0 ${k === "Replica" || k === "Task" ? "col-span-2" : ""}`}>
              <dt className="text-xs tracking-wider text-faint uppercase">{k}</dt>
              <dd className="truncate font-mono text-[0.95rem] text-ink" title={String(v)}>
                {String(v)}
              </dd>
            </div>
          ))}
      </dl>
      {r?.error && <p className="text-sm text-rose-300">{r.error}</p>}
      {canControl && r && <FaultControls node={node} />}

      <div>
        <div className="mb-1.5 text-sm text-faint">Links ({node.links.length})</div>
        <div className="flex max-h-20 flex-wrap gap-1.5 overflow-y-auto">
          {node.links.length === 0 && <span className="text-sm text-dim">no distribution connections</span>}
          {node.links.map((l) => (
            <button
              key={l}
              type="button"
              title={l}
              onClick={() => onSelect(l)}
              className="cursor-pointer rounded-lg border border-edge-strong bg-raised px-2 py-0.5 text-sm font-semibold hover:border-accent/60"
            >
              {shortName(l)}
            </button>
          ))}
        </div>
      </div>

    </div>
  );
}

function Metric({ label, value, className }: { label: string; value: number | undefined; className: string }) {
  return (
    <div className="rounded-xl bg-raised/70 px-2.5 py-1.5">
      <div className="text-xs tracking-wider text-faint uppercase">{label}</div>
      <div className={`text-xl font-bold tabular-nums ${className}`}>{value === undefined ? "—" : count(value)}</div>
    </div>
  );
}
