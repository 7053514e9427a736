"use client";

import { memo, useState } from "react";
import { setUi, useUi } from "@/lib/client/ui-state";
import type { NodeDTO } from "@/lib/contracts/http-replies";
import { Panel } from "../ui/panel";
import { MessageForm } from "./message-form";
import { TrafficControls } from "./traffic-controls";

interface SendPanelProps {
  nodes: NodeDTO[];
  from: string;
  onFromChange: (name: string) => void;
}

export const SendPanel = memo(function SendPanel({ nodes, from, onFromChange }: SendPanelProps) {
  const [tab, setTab] = useState<"message" | "traffic">("message");
  const { to } = useUi();
  const setTo = (v: string) => setUi({ to: v });
  const [shownFrom, setShownFrom] = useState(from);
  if (from !== shownFrom) {
    // "Send from here" on a node: bring the message form forward.
    setShownFrom(from);
    setTab("message");
  }
  return (
    <Panel
      title="Send"
      className="shrink-0"
      bodyClassName="p-3 tall:p-4"
      actions={
        <div className="flex rounded-lg bg-canvas/80 p-0.5 text-sm" role="tablist">
          {(["message", "traffic"] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              data-testid={`send-tab-${t}`}
              onClick={() => setTab(t)}
              className={`cursor-pointer rounded-md px-3 py-1 font-semibold capitalize transition-colors ${tab === t ? "bg-raised text-ink" : "text-faint hover:text-dim"}`}
            >
              {t}
            </button>
          ))}
        </div>
      }
    >
      <div hidden={tab !== "message"}>
        <MessageForm nodes={nodes} from={from} onFromChange={onFromChange} to={to} onToChange={setTo} />
      </div>
      <div hidden={tab !== "traffic"}>
        <TrafficControls from={from} to={to} />
      </div>
    </Panel>
  );
});
