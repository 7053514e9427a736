"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { useCluster, useEventHistory, useMessageHistory, useSeriesHistory } from "@/lib/client/queries";
import { setNodesUp } from "@/lib/client/stats-history";
import { useCanControl } from "@/lib/client/token";
import { useLiveSocket } from "@/lib/client/use-live-socket";
import type { NodeDTO } from "@/lib/contracts/http-replies";
import { ChartsPanel } from "../charts/charts-panel";
import { EventLog } from "../events/event-log";
import { AppHeader } from "../header/app-header";
import { NodeDetails } from "../nodes/node-details";
import { SendPanel } from "../send/send-panel";
import { SwarmPanel } from "../swarm/swarm-panel";
import { MessageTimeline } from "../timeline/message-timeline";
import { TopologyGraph } from "../topology/topology-graph";

const bySlot = (a: NodeDTO, b: NodeDTO) =>
  (a.slot ?? Number.MAX_SAFE_INTEGER) - (b.slot ?? Number.MAX_SAFE_INTEGER) || a.name.localeCompare(b.name, undefined, { numeric: true });

const EMPTY: NodeDTO[] = [];

/** Wires live data to the panels and holds the little UI state they share (selection, sender). */
export function LiveDashboard({ token }: { token: string }) {
  useLiveSocket(token);
  useMessageHistory();
  useEventHistory();
  useSeriesHistory();
  const cluster = useCluster().data;
  const nodes = useMemo(() => (cluster ? [...cluster.nodes].sort(bySlot) : EMPTY), [cluster]);
  const [selected, setSelected] = useState<string | null>(null);
  const [from, setFrom] = useState("");
  const canControl = useCanControl();

  const up = nodes.filter((n) => n.status === "up");
  const sender = up.some((n) => n.name === from) ? from : (up[0]?.name ?? "");
  const selectedNode = nodes.find((n) => n.name === selected) ?? null;

  useEffect(() => setNodesUp(up.length), [up.length]);

  const select = useCallback((name: string | null) => setSelected(name), []);

  return (
    <div className="flex h-dvh min-h-[740px] min-w-[1200px] flex-col">
      <AppHeader />
      <main className="grid min-h-0 flex-1 grid-cols-[20rem_minmax(0,1fr)_22rem] grid-rows-[minmax(0,1.5fr)_minmax(0,1fr)] gap-3 p-3 2xl:grid-cols-[22rem_minmax(0,1fr)_27rem]">
        <div className="row-span-2 -mr-1 flex min-h-0 flex-col gap-3 overflow-y-auto pr-1">
          <SwarmPanel cluster={cluster} nodes={nodes} selected={selected} onSelect={select} />
          {canControl && <SendPanel nodes={nodes} from={sender} onFromChange={setFrom} />}
        </div>
        <TopologyGraph nodes={nodes} selected={selected} onSelect={select} />
        <div className="flex min-h-0 flex-col gap-3">
          <NodeDetails node={selectedNode} missing={selectedNode ? null : selected} onSelect={select} onSendFrom={setFrom} />
          <EventLog onSelect={select} />
        </div>
        <MessageTimeline nodes={nodes} />
        <ChartsPanel />
      </main>
    </div>
  );
}
