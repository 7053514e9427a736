"use client";

import { memo } from "react";
import { partitionPick, togglePick, useFaults, useHealFault, useInjectFault, usePartitionPick } from "@/lib/client/faults";
import { shortName } from "@/lib/client/format";
import { useCanControl } from "@/lib/client/token";
import type { FaultDTO } from "@/lib/contracts/fault-replies";
import type { NodeDTO } from "@/lib/contracts/http-replies";
import { Button } from "../ui/button";
import { Panel } from "../ui/panel";

const secs = (ms: number | null) => (ms === null ? "…" : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`);

/** Active faults with their measured detection and restore times; the partition picker. */
export const FaultsPanel = memo(function FaultsPanel({ nodes }: { nodes: NodeDTO[] }) {
  const data = useFaults().data;
  const canControl = useCanControl();
  const heal = useHealFault();
  const faults = data?.faults ?? [];
  const active = faults.filter((f) => f.status === "active").length;
  return (
    <Panel
      title="Faults"
      className="shrink-0"
      meta={data ? `tick ${data.tickMs / 1000} s · ${active} active` : undefined}
      testId="faults-panel"
      bodyClassName="flex flex-col gap-3 p-3"
      actions={canControl && active > 0 && (
        <Button size="sm" variant="ghost" busy={heal.isPending} onClick={() => heal.mutate(null)} data-testid="heal-all">
          Heal all
        </Button>
      )}
    >
      {canControl && <PartitionPicker nodes={nodes} />}
      {faults.length === 0 ? (
        <p className="text-sm text-faint">No faults yet. Freeze, delay or add loss from a node&apos;s details; shift-click nodes in the graph to partition.</p>
      ) : (
        <ul className="flex flex-col gap-1.5" data-testid="fault-list">
          {faults.slice(0, 8).map((f) => (
            <FaultRow key={f.id} f={f} onHeal={canControl && f.status === "active" && f.kind !== "kill" ? () => heal.mutate(f.id) : undefined} />
          ))}
        </ul>
      )}
    </Panel>
  );
});

function FaultRow({ f, onHeal }: { f: FaultDTO; onHeal?: () => void }) {
  const what = f.groups ? `${f.groups[0]!.map(shortName).join(" ")} | ${f.groups[1]!.map(shortName).join(" ")}` : f.nodes.map(shortName).join(", ");
  const extra = f.kind === "delay" ? ` ${f.delayMs}±${f.jitterMs} ms` : f.kind === "loss" ? ` ${f.lossPct} %` : "";
  return (
    <li className={`rounded-xl border px-3 py-2 ${f.status === "active" ? "border-rose-500/40 bg-rose-500/10" : "border-edge bg-raised/40"}`} data-testid={`fault-${f.id}`} data-status={f.status}>
      <div className="flex items-center gap-2">
        <span className="font-semibold text-ink">
          {f.kind}
          {extra}
        </span>
        <span className="truncate text-sm text-dim">{what}</span>
        {onHeal && (
          <Button size="sm" variant="secondary" className="ml-auto !h-7" onClick={onHeal}>
            {f.kind === "freeze" ? "Thaw" : f.kind === "partition" ? "Heal" : "Clear"}
          </Button>
        )}
      </div>
      <div className="text-sm text-faint tabular-nums" title={f.how}>
        detected <span className="text-amber-200" data-testid="detection-ms">{secs(f.detectionMs)}</span>
        {f.healedAt !== null || f.kind === "kill" ? (
          <>
            {" "}· restored <span className="text-emerald-300">{secs(f.restoreMs)}</span>
          </>
        ) : null}
      </div>
    </li>
  );
}

function PartitionPicker({ nodes }: { nodes: NodeDTO[] }) {
  const pick = usePartitionPick();
  const inject = useInjectFault();
  const up = nodes.filter((n) => n.status === "up");
  const a = up.filter((n) => pick.has(n.name)).map((n) => n.name);
  const cut = () => inject.mutate({ kind: "partition", nodes: a }, { onSuccess: () => partitionPick.set(new Set()) });
  return (
    <div className="flex flex-col gap-2" data-testid="partition-picker">
      <div className="text-sm text-dim">Partition: group A (shift-click in the graph), the rest is B</div>
      <div className="flex flex-wrap gap-1.5">
        {up.map((n) => (
          <button
            key={n.name}
            type="button"
            onClick={() => togglePick(n.name)}
            aria-pressed={pick.has(n.name)}
            className={`cursor-pointer rounded-lg border px-2 py-0.5 text-sm font-semibold ${pick.has(n.name) ? "border-amber-300 bg-amber-400/20 text-amber-100" : "border-edge-strong bg-raised text-dim"}`}
          >
            {shortName(n.name)}
          </button>
        ))}
      </div>
      <Button size="sm" variant="danger" disabled={a.length === 0 || a.length === up.length} busy={inject.isPending} onClick={cut} data-testid="partition-button">
        Cut A | B
      </Button>
    </div>
  );
}
