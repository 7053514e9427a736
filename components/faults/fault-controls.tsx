"use client";

import { useState } from "react";
import { useFaults, useHealFault, useInjectFault } from "@/lib/client/faults";
import type { NodeDTO } from "@/lib/contracts/http-replies";
import { Button } from "../ui/button";
import { Input } from "../ui/field";

const num = (s: string) => (s.trim() === "" ? undefined : Number(s));

/** Freeze/thaw, delay and loss on one node (control view only); heals the node's active faults. */
export function FaultControls({ node }: { node: NodeDTO }) {
  const faults = useFaults().data?.faults ?? [];
  const inject = useInjectFault();
  const heal = useHealFault();
  const [delay, setDelay] = useState("100");
  const [loss, setLoss] = useState("10");
  const mine = faults.filter((f) => f.status === "active" && f.nodes.includes(node.name));
  const frozen = mine.find((f) => f.kind === "freeze");
  const shaped = mine.find((f) => f.kind === "delay" || f.kind === "loss");
  const up = node.status === "up";
  const busy = inject.isPending || heal.isPending;
  const delayMs = num(delay);
  const lossPct = num(loss);

  return (
    <div className="flex flex-col gap-2 rounded-xl border border-edge bg-raised/40 p-3" data-testid="fault-controls">
      <div className="text-xs tracking-wider text-faint uppercase">Faults</div>
      <div className="flex flex-wrap gap-2">
        {frozen ? (
          <Button size="sm" variant="primary" busy={busy} onClick={() => heal.mutate(frozen.id)} data-testid="thaw-button">
            Thaw
          </Button>
        ) : (
          <Button size="sm" disabled={!up} busy={busy} onClick={() => inject.mutate({ kind: "freeze", nodes: [node.name] })} data-testid="freeze-button" title="SIGSTOP / docker pause: down after the net tick">
            Freeze
          </Button>
        )}
        {shaped && (
          <Button size="sm" variant="primary" busy={busy} onClick={() => heal.mutate(shaped.id)} data-testid="clear-shaping">
            Clear {shaped.kind}
          </Button>
        )}
      </div>
      {!shaped && (
        <div className="grid grid-cols-[1fr_auto_1fr_auto] items-center gap-2">
          <Input aria-label="delay ms" inputMode="numeric" value={delay} onChange={(e) => setDelay(e.target.value)} className="!h-9 !text-sm" />
          <Button size="sm" disabled={!up || delayMs === undefined || !(delayMs >= 0 && delayMs <= 60_000)} busy={busy} onClick={() => inject.mutate({ kind: "delay", nodes: [node.name], delayMs: Math.round(delayMs!), jitterMs: Math.round(delayMs! / 10) })} data-testid="delay-button">
            Delay ms
          </Button>
          <Input aria-label="loss %" inputMode="decimal" value={loss} onChange={(e) => setLoss(e.target.value)} className="!h-9 !text-sm" />
          <Button size="sm" disabled={!up || lossPct === undefined || !(lossPct >= 0 && lossPct <= 100)} busy={busy} onClick={() => inject.mutate({ kind: "loss", nodes: [node.name], lossPct: lossPct! })} data-testid="loss-button">
            Loss %
          </Button>
        </div>
      )}
    </div>
  );
}
