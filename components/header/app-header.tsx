"use client";

import Link from "next/link";
import { useConnection, type ConnectionStatus } from "@/lib/client/connection";
import { useCluster, useStats } from "@/lib/client/queries";
import { useReplaying } from "@/lib/client/replay/mode";
import { forgetToken, useToken } from "@/lib/client/token";
import type { ClusterDTO } from "@/lib/contracts/http-replies";
import { ReplayButton } from "../replay/replay-button";
import { PRESENT_PATH } from "../shell/use-actions";
import { openShortcuts } from "../shortcuts/shortcuts-layer";
import { Icon } from "../ui/icon";
import { StatusPill, type Tone } from "../ui/status-pill";
import { BooksIndicator } from "./books-indicator";
import { ExportMenu } from "./export-menu";
import { Logo } from "./logo";
import { StatCounter } from "./stat-counter";

const connectionTone: Record<ConnectionStatus, Tone> = {
  idle: "idle",
  connecting: "warn",
  connected: "good",
  disconnected: "bad",
  unauthorized: "bad",
};

const connectionLabel: Record<ConnectionStatus, string> = {
  idle: "idle",
  connecting: "connecting…",
  connected: "live",
  disconnected: "reconnecting…",
  unauthorized: "refused",
};

const bridgeTone: Record<ClusterDTO["bridge"]["status"], Tone> = { starting: "warn", up: "good", down: "bad" };

export function AppHeader() {
  const cluster = useCluster().data;
  const stats = useStats().data;
  const conn = useConnection();
  const bridge = cluster?.bridge;
  const viewOnly = useToken().role !== "control";
  const replaying = useReplaying();

  return (
    <header className="relative z-40 flex min-h-[4.75rem] shrink-0 items-center gap-3 border-b max-xl:flex-wrap max-xl:py-2 border-edge bg-[linear-gradient(180deg,#0b1220,#070b12)] px-4 tall:min-h-[5.5rem] 3xl:gap-4 3xl:px-6">
      <div className="flex min-w-0 shrink-0 items-center gap-3.5">
        <Logo />
        <div className="min-w-0">
          <h1 className="text-2xl leading-tight font-bold tracking-tight">Swarmscope</h1>
          <div className="flex items-center gap-2 text-sm text-dim">
            <span
              data-testid="runtime"
              className="rounded-md border border-accent/30 bg-accent/10 px-1.5 py-px text-xs font-bold tracking-wider text-accent uppercase"
            >
              {cluster?.runtime ?? "…"}
            </span>
            <span className="truncate font-mono text-[0.8rem]" title="Deployment id" data-testid="deployment-id">
              {cluster?.deploymentId || "no deployment"}
            </span>
            {viewOnly && (
              <span data-testid="view-only" title="A read-only audience link: everything live, no controls" className="rounded-md border border-edge px-1.5 py-px text-xs font-semibold text-dim">
                view only
              </span>
            )}
          </div>
        </div>
      </div>

      {/* Under 1280 px the counters take a row of their own rather than push the page sideways. */}
      <div className="mx-auto flex min-w-0 items-stretch gap-2 max-xl:order-last max-xl:w-full max-xl:justify-around xl:gap-4 3xl:gap-5">
        <StatCounter label="Sent" value={stats?.sent} tone="sky" testId="stat-sent" />
        <StatCounter label="Received" value={stats?.received} tone="teal" testId="stat-received" />
        <StatCounter label="Acked" value={stats?.acked} tone="emerald" testId="stat-acked" />
        <StatCounter label="Lost" value={stats?.lost} tone="rose" testId="stat-lost" quietWhenZero />
        <StatCounter label="In flight" value={stats?.inFlight} tone="amber" testId="stat-inflight" quietWhenZero />
      </div>

      <div className="flex shrink-0 items-center gap-2">
        <Link
          href={PRESENT_PATH}
          data-testid="present-button"
          title="Presenter view: large type for a projector (F)"
          className="flex h-11 items-center justify-center gap-2 rounded-full border border-accent/40 bg-accent/10 px-3.5 text-sm font-semibold text-accent transition-colors hover:bg-accent/20 max-3xl:w-11 max-3xl:px-0"
        >
          <Icon d="M3 4h18v12H3zM12 16v4M8 20h8" />
          {/* Below 2080 px the header has room for the counters only with these two as icons. */}
          <span className="max-3xl:sr-only">Present</span>
        </Link>
        <button
          type="button"
          onClick={openShortcuts}
          data-testid="shortcuts-button"
          title="Keyboard shortcuts (?)"
          className="grid size-11 cursor-pointer place-items-center rounded-full border border-edge-strong bg-raised font-bold text-dim transition-colors hover:text-ink"
        >
          ?<span className="sr-only">Keyboard shortcuts</span>
        </button>
        <ReplayButton compact className="h-11 text-sm max-3xl:w-11 max-3xl:px-0" />
        <ExportMenu />
        {!replaying && <BooksIndicator stats={stats} />}
        <StatusPill
          testId="bridge-status"
          status={bridge?.status ?? "unknown"}
          tone={bridge ? bridgeTone[bridge.status] : "idle"}
          label="Bridge"
          value={bridge?.status ?? "—"}
          title={bridge?.error ?? bridge?.node ?? "The hidden Erlang node that watches the replicas"}
        />
        <StatusPill
          testId="connection-status"
          status={replaying ? "replay" : conn.status}
          tone={connectionTone[conn.status]}
          label="Socket"
          value={replaying ? "off: replay" : connectionLabel[conn.status]}
          title={conn.error}
        />
        <button
          type="button"
          onClick={() => forgetToken()}
          title="Forget the access token on this browser"
          className="grid size-11 cursor-pointer place-items-center rounded-full text-faint transition-colors hover:bg-raised hover:text-ink"
        >
          <svg viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" aria-hidden>
            <path d="M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3M10 17l5-5-5-5M15 12H3" />
          </svg>
          <span className="sr-only">Forget token</span>
        </button>
      </div>
    </header>
  );
}
