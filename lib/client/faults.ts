"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FaultBody } from "../contracts/fault-requests";
import { routes } from "../contracts/routes";
import { call } from "./api";
import { shortName } from "./format";
import { createStore, useStore } from "./store";
import { toast } from "./toasts";

// Faults and scenarios in the browser: the lists (polled: they change a few times a minute), the
// mutations, and the partition picker's group A (shift-click nodes in the graph).

const faultKeys = { faults: ["faults"] as const, scenarios: ["scenarios"] as const };

export function useFaults() {
  return useQuery({ queryKey: faultKeys.faults, queryFn: () => call(routes.listFaults), refetchInterval: 1000 });
}

export function useInjectFault() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: FaultBody) => call(routes.injectFault, { body }),
    onSuccess: (r) => {
      toast("info", `${r.fault.kind} ${r.fault.nodes.map(shortName).join(", ")}: ${r.fault.how}`, "Fault injected");
      void qc.invalidateQueries({ queryKey: faultKeys.faults });
    },
  });
}

export function useHealFault() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string | null) => (id ? call(routes.healFault, { params: { id } }).then((r) => [r.fault]) : call(routes.healFaults).then((r) => r.faults)),
    onSuccess: (faults) => {
      if (faults.length > 0) toast("success", `Healed ${faults.map((f) => f.id).join(", ")}`);
      void qc.invalidateQueries({ queryKey: faultKeys.faults });
    },
  });
}

/** The scenarios, and the latest run: polled fast while one runs. */
export function useScenarios() {
  return useQuery({
    queryKey: faultKeys.scenarios,
    queryFn: () => call(routes.listScenarios),
    refetchInterval: (q) => (q.state.data?.latest?.status === "running" ? 400 : 3000),
  });
}

export function useRunScenario() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => call(routes.runScenario, { params: { name } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: faultKeys.scenarios }),
  });
}

/** Group A of the partition picker: nodes shift-clicked in the graph (or clicked in the panel). */
export const partitionPick = createStore<ReadonlySet<string>>(new Set());

export function togglePick(name: string): void {
  partitionPick.set((s) => {
    const next = new Set(s);
    if (!next.delete(name)) next.add(name);
    return next;
  });
}

export function usePartitionPick(): ReadonlySet<string> {
  return useStore(partitionPick);
}
