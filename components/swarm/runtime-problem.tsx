"use client";

import { useRuntimeControl } from "@/lib/client/queries";
import { useCanControl } from "@/lib/client/token";
import type { ClusterDTO } from "@/lib/contracts/http-replies";
import { Button } from "../ui/button";

/** Says why the runtime cannot deploy (no Docker engine, not in swarm mode), with the fix when there is one. */
export function RuntimeProblem({ cluster }: { cluster: ClusterDTO | undefined }) {
  const control = useRuntimeControl();
  const canControl = useCanControl();
  const st = cluster?.runtimeStatus;
  if (!cluster || !st || st.ready) return null;
  const initialising = control.isPending && control.variables?.init;
  return (
    <div data-testid="runtime-problem" role="alert" className="flex flex-col gap-2 rounded-xl border border-amber-400/40 bg-amber-400/10 px-3.5 py-3">
      <div className="font-semibold text-amber-200">
        ⚠ The {cluster.runtime} runtime is not ready
      </div>
      {st.problem && <p className="text-sm break-words text-amber-100/90">{st.problem}</p>}
      {st.canInit && canControl && (
        <Button size="sm" variant="secondary" busy={!!initialising} onClick={() => control.mutate({ init: true })} data-testid="runtime-init">
          {initialising ? "Initialising…" : cluster.runtime === "swarm" ? "Initialise Docker Swarm" : "Make it ready"}
        </Button>
      )}
    </div>
  );
}
