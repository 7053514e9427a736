"use client";

import { useDeploy, usePendingVariables, useRuntimeControl, type DeployInput } from "@/lib/client/queries";
import { setUi, useUi } from "@/lib/client/ui-state";
import { MAX_REPLICAS, type RuntimeKind } from "@/lib/contracts/common";
import type { ClusterDTO } from "@/lib/contracts/http-replies";
import { Button } from "../ui/button";
import { Select } from "../ui/field";
import { useActions } from "../shell/use-actions";

const clamp = (n: number) => Math.min(MAX_REPLICAS, Math.max(1, Math.round(n)));

/** Replica count, Deploy/Scale and Remove. */
export function ScaleControls({ cluster }: { cluster: ClusterDTO | undefined }) {
  const deploy = useDeploy();
  const runtimeControl = useRuntimeControl();
  const actions = useActions();
  const pending = usePendingVariables<DeployInput>("deploy");
  const draft = useUi().replicasDraft;
  const setDraft = (v: string | null) => setUi({ replicasDraft: v });
  const desired = cluster?.desiredReplicas ?? 0;
  const value = draft ?? String(desired > 0 ? desired : 5);
  const parsed = Number(value);
  const valid = value.trim() !== "" && Number.isInteger(parsed) && parsed >= 1 && parsed <= MAX_REPLICAS;
  const deployed = desired > 0 || (cluster?.nodes.length ?? 0) > 0;
  const pendingRuntime = runtimeControl.isPending ? runtimeControl.variables?.runtime : undefined;

  const submit = (replicas: number) => deploy.mutate({ replicas }, { onSuccess: () => setDraft(null) });

  const step = (d: number) => setDraft(String(clamp((valid ? parsed : desired || 5) + d)));

  return (
    <form
      className="flex flex-col gap-2.5 tall:gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) submit(parsed);
      }}
    >
      <div className="flex items-end gap-2">
        <label className="flex min-w-0 flex-1 flex-col gap-1.5">
          <span className="hidden text-sm font-medium text-dim tall:inline">Replicas</span>
          <div className="flex h-11 items-stretch overflow-hidden rounded-xl border border-edge-strong bg-canvas/70 focus-within:border-accent">
            <StepButton label="Fewer replicas" onClick={() => step(-1)}>−</StepButton>
            <input
              data-testid="replicas-input"
              aria-label="Replicas"
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_REPLICAS}
              value={value}
              onChange={(e) => setDraft(e.target.value)}
              aria-invalid={!valid}
              className={`w-full min-w-0 bg-transparent text-center text-xl font-bold tabular-nums focus:outline-none ${valid ? "" : "text-rose-400"}`}
            />
            <StepButton label="More replicas" onClick={() => step(1)}>+</StepButton>
          </div>
        </label>
        {!deployed && (
          <label className="flex w-28 flex-col gap-1.5">
            <span className="text-sm font-medium text-dim">Runtime</span>
            <Select
              value={pendingRuntime ?? cluster?.runtime ?? "local"}
              disabled={!cluster || runtimeControl.isPending}
              onChange={(e) => runtimeControl.mutate({ runtime: e.target.value as RuntimeKind })}
              data-testid="runtime-select"
              title="Where replicas run: local processes or Docker Swarm tasks"
            >
              <option value="local">local</option>
              <option value="swarm">swarm</option>
            </Select>
          </label>
        )}
      </div>
      {!valid && <p className="-mt-1 text-sm text-rose-400">Choose between 1 and {MAX_REPLICAS} replicas.</p>}
      <div className="flex gap-2">
        <Button
          type="submit"
          variant="primary"
          className="flex-1"
          data-testid="deploy-button"
          disabled={!valid || !cluster || !cluster.runtimeStatus.ready}
          title={cluster && !cluster.runtimeStatus.ready ? `The ${cluster.runtime} runtime is not ready: ${cluster.runtimeStatus.problem ?? "see above"}` : undefined}
          busy={pending.some((v) => v.replicas !== 0)}
        >
          {deployed ? `Scale to ${valid ? parsed : "…"}` : `Deploy ${valid ? parsed : ""}`}
        </Button>
        <Button
          variant="danger"
          data-testid="remove-button"
          disabled={!deployed}
          busy={pending.some((v) => v.replicas === 0)}
          onClick={() => void actions.removeAll()}
          title="Remove every replica (scale to 0); asks first. Shortcut: R"
        >
          Remove
        </Button>
      </div>
    </form>
  );
}

function StepButton({ label, onClick, children }: { label: string; onClick: () => void; children: string }) {
  return (
    <button
      type="button"
      aria-label={label}
      onClick={onClick}
      className="w-11 shrink-0 cursor-pointer text-xl text-dim transition-colors hover:bg-raised hover:text-ink"
    >
      {children}
    </button>
  );
}
