"use client";

import { useMemo } from "react";
import { useShapeStable } from "@/lib/client/node-shape";
import { useCluster } from "@/lib/client/queries";
import { graphNodes } from "@/lib/client/strangers";
import { useCanControl } from "@/lib/client/token";
import { setUi, useUi } from "@/lib/client/ui-state";
import { ChartsPanel } from "../charts/charts-panel";
import { EventLog } from "../events/event-log";
import { FaultsPanel } from "../faults/faults-panel";
import { ScenariosPanel } from "../faults/scenarios-panel";
import { AppHeader } from "../header/app-header";
import { NodeDetails } from "../nodes/node-details";
import { ReplayBar } from "../replay/replay-bar";
import { SendPanel } from "../send/send-panel";
import { senderOf } from "../shell/use-actions";
import { useSortedNodes } from "../shell/use-sorted-nodes";
import { SwarmPanel } from "../swarm/swarm-panel";
import { MessageTimeline } from "../timeline/message-timeline";
import { TopologyGraph } from "../topology/topology-graph";
import { Toaster } from "../ui/toaster";

const select = (name: string | null) => setUi({ selected: name });
const setFrom = (name: string) => setUi({ from: name });

/**
 * The dashboard: three columns from 1280 px wide (controls | graph over timeline | node, events
 * over charts), sized to the window so nothing is cut off and nothing scrolls sideways; below
 * 1024 px the panels stack and the page scrolls down.
 */
export function LiveDashboard() {
  const cluster = useCluster().data;
  const nodes = useSortedNodes();
  const { selected, from } = useUi();
  const canControl = useCanControl();
  const sender = senderOf(nodes, from);
  // The send and fault panels show names and states only: the same array while only counters move, so they skip those pushes.
  const named = useShapeStable(nodes).nodes;
  // The graph also draws strangers (a plain `erl` connected to replicas); the panels do not.
  const drawn = useMemo(() => (cluster ? graphNodes(cluster, nodes) : nodes), [cluster, nodes]);
  const selectedNode = drawn.find((n) => n.name === selected) ?? null;

  return (
    <div className="flex min-h-dvh flex-col lg:h-dvh">
      <AppHeader />
      <ReplayBar />
      <main className="grid flex-1 grid-cols-1 gap-3 p-3 lg:min-h-0 lg:grid-cols-[18rem_minmax(0,1fr)_23rem] lg:grid-rows-[minmax(0,1fr)_minmax(0,1fr)] lg:tall:grid-rows-[minmax(0,1.35fr)_minmax(0,1fr)] 2xl:grid-cols-[21rem_minmax(0,1fr)_27rem]">
        <div className="flex min-h-0 flex-col gap-3 lg:row-span-2 lg:-mr-1 lg:overflow-y-auto lg:pr-1">
          <SwarmPanel cluster={cluster} nodes={nodes} selected={selected} onSelect={select} />
          {canControl && <SendPanel nodes={named} from={sender} onFromChange={setFrom} />}
          <FaultsPanel nodes={named} />
          <ScenariosPanel />
        </div>
        <div className="h-[60vh] min-h-0 min-w-0 lg:h-auto">
          <TopologyGraph nodes={drawn} hosts={cluster?.hosts} selected={selected} onSelect={select} />
        </div>
        <div className="relative flex min-h-0 min-w-0 flex-col gap-3">
          <NodeDetails node={selectedNode} missing={selectedNode ? null : selected} onSelect={select} onSendFrom={setFrom} />
          <EventLog onSelect={select} />
          {/* Over the event log, never over the graph. */}
          <Toaster className="absolute inset-x-2 bottom-2 items-stretch" />
        </div>
        <div className="h-[70vh] min-h-0 min-w-0 lg:h-auto">
          <MessageTimeline nodes={nodes} />
        </div>
        <ChartsPanel className="h-[26rem] lg:h-full" />
      </main>
    </div>
  );
}
