"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { useConnection } from "@/lib/client/connection";
import { useReplaying } from "@/lib/client/replay/mode";
import { useCluster } from "@/lib/client/queries";
import { setUi, useUi } from "@/lib/client/ui-state";
import { useScenarios } from "@/lib/client/faults";
import { useCanControl } from "@/lib/client/token";
import { ScenarioCaption } from "../faults/scenario-caption";
import { Logo } from "../header/logo";
import { MessageTimeline } from "../timeline/message-timeline";
import { TopologyGraph } from "../topology/topology-graph";
import { useActions } from "../shell/use-actions";
import { useSortedNodes } from "../shell/use-sorted-nodes";
import { openShortcuts } from "../shortcuts/shortcuts-layer";
import { ReplayButton } from "../replay/replay-button";
import { Toaster } from "../ui/toaster";
import { BigCounters } from "./big-counters";
import { PresenterDock } from "./presenter-dock";

export interface PresenterViewProps {
  /** A scenario's step caption (scenarios come later): shown in the dock instead of the latest event. */
  caption?: ReactNode;
  /** The replay bar (replay comes later): a strip between the stage and the dock. */
  replayBar?: ReactNode;
}

const select = (name: string | null) => setUi({ selected: name });

/**
 * The view for a room: huge counters, the graph and the timeline filling the screen, the actions
 * in a strip at the bottom with their keys. Type is larger here (html:has(.presenter) in
 * globals.css), so it reads from the back at 1280×720 as at 1920×1080.
 */
export function PresenterView({ caption, replayBar }: PresenterViewProps) {
  const cluster = useCluster().data;
  const nodes = useSortedNodes();
  const { selected } = useUi();
  const actions = useActions();
  // A scenario's captions once one has run (→/← step through them); before that, a Run button.
  const scenario = useScenarios().data?.latest;
  const canControl = useCanControl();
  const up = nodes.filter((n) => n.status === "up").length;
  return (
    <div className="presenter flex h-dvh flex-col overflow-hidden" data-testid="presenter">
      <header className="flex shrink-0 flex-col gap-[1.2vh] border-b border-edge bg-[linear-gradient(180deg,#0b1220,#070b12)] px-[1.2vw] pt-[1vh] pb-[1.4vh]">
        <div className="flex items-center gap-3">
          <Logo className="size-[2.2rem]" />
          <h1 className="text-[1.4rem] font-bold tracking-tight">Swarmscope</h1>
          <span className="rounded-md border border-accent/30 bg-accent/10 px-2 text-[0.85rem] font-bold tracking-wider text-accent uppercase">
            {cluster?.runtime ?? "…"}
          </span>
          <span className="text-[1.05rem] text-dim" data-testid="presenter-nodes">
            <b className="text-ink">{up}</b> of {nodes.length} nodes up
          </span>
          <Live />
          <div className="ml-auto flex items-center gap-2">
            <ReplayButton className="h-[2.4rem]" />
            <button type="button" onClick={openShortcuts} className="h-[2.4rem] cursor-pointer rounded-xl border border-edge-strong bg-raised px-3 font-semibold text-dim hover:text-ink" data-testid="shortcuts-button">
              ? <span className="sr-only">Keyboard shortcuts</span>
            </button>
            <Link href="/" className="flex h-[2.4rem] items-center gap-2 rounded-xl border border-edge-strong bg-raised px-3 font-semibold text-dim hover:text-ink" data-testid="dashboard-link" title="Back to the dashboard (F)">
              <kbd className="font-mono text-[0.8rem]">F</kbd> Dashboard
            </Link>
          </div>
        </div>
        <BigCounters />
      </header>
      <main className="grid min-h-0 flex-1 grid-cols-[minmax(0,1.55fr)_minmax(0,1fr)] gap-[1vw] p-[1vw]">
        <TopologyGraph nodes={nodes} selected={selected} onSelect={select} large />
        <MessageTimeline nodes={nodes} large />
      </main>
      {replayBar}
      <PresenterDock actions={actions} nodes={nodes} caption={caption ?? (scenario || canControl ? <ScenarioCaption /> : undefined)} />
      <Toaster className="absolute right-[1vw] bottom-[4.4rem] items-end" />
    </div>
  );
}

function Live() {
  const status = useConnection().status;
  const live = status === "connected";
  const replaying = useReplaying();
  if (replaying) return <span className="text-[1.05rem] font-bold tracking-wider text-violet-300 uppercase" data-testid="connection-status" data-status="replay">replay</span>;
  return (
    <span data-testid="connection-status" data-status={status} className={`flex items-center gap-2 text-[1.05rem] font-semibold ${live ? "text-emerald-300" : "text-amber-300"}`}>
      <span className={`size-3 rounded-full ${live ? "bg-emerald-400" : "bg-amber-400"}`} />
      {live ? "live" : status}
    </span>
  );
}
