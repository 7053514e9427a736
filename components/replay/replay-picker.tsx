"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { call } from "@/lib/client/api";
import { clock } from "@/lib/client/format";
import type { ReplayWindow } from "@/lib/client/replay/mode";
import { startReplay } from "@/lib/client/replay/player";
import { deployments, lastMinutes, lastRun } from "@/lib/client/replay/windows";
import { routes } from "@/lib/contracts/routes";
import { Button } from "../ui/button";
import { Field, Input } from "../ui/field";
import { Modal } from "../ui/modal";

/** Pick a window of the stored history to replay: the last run, the last minutes, a deployment, or any since/until. */
export function ReplayPicker({ onClose }: { onClose: () => void }) {
  // The first page of the whole history, one item: its marks (deploys, runs) and bounds.
  const { data, error, isLoading } = useQuery({
    queryKey: ["replay-marks"],
    queryFn: () => call(routes.replay, { query: { limit: 1 } }),
    staleTime: 0,
  });
  const now = Date.now();
  const run = data ? lastRun(data.marks ?? [], now) : null;
  const deploys = data ? deployments(data.marks ?? [], now) : [];
  const pick = (w: ReplayWindow) => {
    onClose();
    void startReplay(w);
  };
  return (
    <Modal onClose={onClose} labelledBy="replay-title" testId="replay-picker" className="max-w-2xl p-7">
      <h2 id="replay-title" className="mb-1 text-2xl font-bold">
        Replay from history
      </h2>
      <p className="mb-5 text-dim">
        {isLoading ? "Reading the stored history…" : error ? `Could not read the history: ${(error as Error).message}` : data?.first ? `Stored from ${clock(data.first)} to ${clock(data.last ?? now)}.` : "Nothing stored yet."}
      </p>
      <div className="flex flex-wrap gap-2">
        <Button variant="primary" disabled={!run} onClick={() => run && pick(run)} data-testid="replay-last-run" data-autofocus title={run?.label}>
          ▶ Last run
        </Button>
        {[1, 5, 15, 60].map((m) => (
          <Button key={m} onClick={() => pick(lastMinutes(m, Date.now()))} data-testid={`replay-last-${m}`}>
            Last {m} min
          </Button>
        ))}
      </div>
      {deploys.length > 0 && (
        <div className="mt-5">
          <h3 className="mb-2 text-sm font-semibold tracking-wider text-faint uppercase">Deployments</h3>
          <div className="flex flex-wrap gap-2">
            {deploys.map((d) => (
              <Button key={d.since} size="sm" onClick={() => pick(d)} data-testid="replay-deploy">
                {d.label}
              </Button>
            ))}
          </div>
        </div>
      )}
      <CustomWindow onPick={pick} />
    </Modal>
  );
}

/** Any since/until, in local time to the second. */
function CustomWindow({ onPick }: { onPick: (w: ReplayWindow) => void }) {
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const a = since ? new Date(since).getTime() : NaN;
  const b = until ? new Date(until).getTime() : Date.now();
  const ok = Number.isFinite(a) && Number.isFinite(b) && a < b;
  return (
    <form
      className="mt-5 grid grid-cols-[1fr_1fr_auto] items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (ok) onPick({ since: a, until: b, label: `${clock(a)} – ${clock(b)}` });
      }}
    >
      <Field label="Since">
        <Input type="datetime-local" step={1} value={since} onChange={(e) => setSince(e.target.value)} data-testid="replay-since" />
      </Field>
      <Field label="Until (empty: now)">
        <Input type="datetime-local" step={1} value={until} onChange={(e) => setUntil(e.target.value)} data-testid="replay-until" />
      </Field>
      <Button type="submit" disabled={!ok} data-testid="replay-custom">
        Replay
      </Button>
    </form>
  );
}
