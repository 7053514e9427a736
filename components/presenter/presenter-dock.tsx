"use client";

import type { ReactNode } from "react";
import { clock, shortName } from "@/lib/client/format";
import { useEvents } from "@/lib/client/events";
import { useCanControl } from "@/lib/client/token";
import { useUi } from "@/lib/client/ui-state";
import type { NodeDTO } from "@/lib/contracts/http-replies";
import type { Actions } from "../shell/use-actions";

interface PresenterDockProps {
  actions: Actions;
  nodes: NodeDTO[];
  /** A scenario's caption for its current step (later); the latest cluster event until then. */
  caption?: ReactNode;
}

/** The strip under the stage: what just happened (or the step's caption) and the main actions with their keys. */
export function PresenterDock({ actions, nodes, caption }: PresenterDockProps) {
  const { selected, frozen } = useUi();
  const target = nodes.find((n) => n.name === selected);
  const up = nodes.filter((n) => n.status === "up").length;
  // The audience link (and a replay) gets no action that changes the cluster.
  const canControl = useCanControl();
  return (
    <footer className="flex min-h-[3.4rem] shrink-0 items-center gap-[1vw] border-t border-edge bg-panel/80 px-[1.2vw] py-2" data-testid="presenter-dock">
      <div className="min-w-0 flex-1" data-testid="presenter-caption">
        {caption ?? <LatestEvent />}
      </div>
      <nav className="flex shrink-0 items-center gap-2" aria-label="Actions">
        {canControl && (
          <>
            <DockButton k="D" onClick={actions.deployDraft} testId="dock-deploy">
              Deploy
            </DockButton>
            <DockButton k="S" onClick={actions.sendMessage} disabled={up === 0} testId="dock-send">
              Send
            </DockButton>
            <DockButton k="T" onClick={actions.storm} disabled={up < 2} testId="dock-storm">
              Storm
            </DockButton>
            <DockButton k="K" onClick={() => void actions.killSelected()} disabled={!target || target.status === "down"} testId="dock-kill" danger>
              Kill {target ? shortName(target.name) : "…"}
            </DockButton>
          </>
        )}
        <DockButton k="P" onClick={actions.togglePause} testId="dock-pause">
          {frozen ? "Follow" : "Pause"}
        </DockButton>
      </nav>
    </footer>
  );
}

function DockButton({ k, onClick, disabled, testId, danger, children }: { k: string; onClick: () => unknown; disabled?: boolean; testId: string; danger?: boolean; children: ReactNode }) {
  return (
    <button
      type="button"
      onClick={() => void onClick()}
      disabled={disabled}
      data-testid={testId}
      title={`Shortcut: ${k}`}
      className={`flex h-[2.6rem] cursor-pointer items-center gap-2 rounded-xl border px-3 font-semibold whitespace-nowrap transition-colors disabled:cursor-not-allowed disabled:opacity-40 ${
        danger ? "border-rose-500/40 bg-rose-500/10 text-rose-200 hover:bg-rose-500/20" : "border-edge-strong bg-raised text-ink hover:border-dim/50"
      }`}
    >
      <kbd className="rounded-md bg-canvas/80 px-1.5 font-mono text-[0.8rem] text-dim">{k}</kbd>
      {children}
    </button>
  );
}

/** The newest cluster event, large: who joined, who went down and why. */
function LatestEvent() {
  const e = useEvents()[0];
  if (!e) return <span className="text-dim">Press <kbd className="font-mono text-ink">?</kbd> for the keyboard shortcuts</span>;
  return (
    <p className="truncate text-[1.05rem]" title={e.text}>
      <span className="mr-3 font-mono text-dim tabular-nums">{clock(e.at)}</span>
      <span className="text-ink">{e.text}</span>
    </p>
  );
}
