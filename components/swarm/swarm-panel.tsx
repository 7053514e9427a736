"use client";

import { useIsMutating } from "@tanstack/react-query";
import { useCanControl } from "@/lib/client/token";
import type { ClusterDTO, NodeDTO } from "@/lib/contracts/http-replies";
import { Panel } from "../ui/panel";
import { DeployProgress } from "./deploy-progress";
import { ReplicaList } from "./replica-list";
import { RuntimeProblem } from "./runtime-problem";
import { ScaleControls } from "./scale-controls";

interface SwarmPanelProps {
  cluster: ClusterDTO | undefined;
  nodes: NodeDTO[];
  selected: string | null;
  onSelect: (name: string) => void;
}

export function SwarmPanel({ cluster, nodes, selected, onSelect }: SwarmPanelProps) {
  const requesting = useIsMutating({ mutationKey: ["deploy"] }) > 0;
  const canControl = useCanControl();
  const up = nodes.filter((n) => n.status === "up").length;
  const flagged = nodes.filter((n) => n.flags.length > 0).length;
  return (
    <Panel
      title="Swarm"
      meta={
        cluster && (
          <span>
            <b className="text-ink">{up}</b> up of {cluster.desiredReplicas} desired
            {flagged > 0 && <span className="ml-2 font-semibold text-amber-300">⚠ {flagged}</span>}
          </span>
        )
      }
      className="min-h-[20rem] flex-1 tall:min-h-[24rem]"
      bodyClassName="flex flex-col"
    >
      <div className="flex flex-col gap-2.5 border-b border-edge p-3 tall:gap-3 tall:p-4">
        {canControl && <ScaleControls cluster={cluster} />}
        <RuntimeProblem cluster={cluster} />
        <DeployProgress
          progress={cluster?.progress ?? null}
          requesting={requesting && !cluster?.progress}
          nodes={nodes}
          runtime={cluster?.runtime ?? "local"}
        />
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto p-2.5 tall:p-3">
        {nodes.length === 0 ? (
          <p className="px-2 py-6 text-center text-dim">No replicas yet{canControl ? " — choose a count and deploy" : ""}.</p>
        ) : (
          <ReplicaList nodes={nodes} selected={selected} onSelect={onSelect} />
        )}
      </div>
    </Panel>
  );
}
