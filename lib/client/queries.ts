"use client";

import { useMutation, useMutationState, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ClusterDTO, RuntimeKind } from "@/lib/types";
import { api, ApiError } from "./api";
import { loadEventHistory, MAX_EVENTS } from "./events";
import { rememberSlots, shortName } from "./format";
import { useConnection } from "./connection";
import { messageStore } from "./message-store";
import { clusterSchema, eventSchema, parseMessages, seriesSchema, statsSchema } from "./schemas";
import { MAX_POINTS, seedHistory } from "./stats-history";
import { pendingToast, toast } from "./toasts";

export const keys = {
  cluster: ["cluster"] as const,
  stats: ["stats"] as const,
  messages: ["messages"] as const,
  events: ["events"] as const,
  series: ["series"] as const,
  traffic: ["traffic"] as const,
};

/** Live through the socket; polled over HTTP only while the socket is down. */
export function useCluster() {
  const live = useConnection().status === "connected";
  return useQuery({
    queryKey: keys.cluster,
    queryFn: async () => {
      const c = clusterSchema.parse(await api("GET", "/api/cluster"));
      rememberSlots(c.nodes);
      return c;
    },
    refetchInterval: live ? false : 5000,
  });
}

export function useStats() {
  const live = useConnection().status === "connected";
  return useQuery({
    queryKey: keys.stats,
    queryFn: async () => statsSchema.parse(await api("GET", "/api/stats")),
    refetchInterval: live ? false : 5000,
  });
}

/** Loads recent history once (and again on reconnect) into the message store. */
export function useMessageHistory() {
  return useQuery({
    queryKey: keys.messages,
    queryFn: async () => {
      const body = await api<{ messages?: unknown[] }>("GET", "/api/messages?limit=200");
      const messages = parseMessages(Array.isArray(body?.messages) ? body.messages : []);
      messageStore.merge(messages, false);
      return messages.length;
    },
    staleTime: Infinity,
  });
}

/** Recent cluster events for the log (GET /api/events; an absent endpoint just leaves it empty). */
export function useEventHistory() {
  return useQuery({
    queryKey: keys.events,
    queryFn: async () => {
      try {
        const body = await api<{ events?: unknown[] }>("GET", `/api/events?limit=${MAX_EVENTS}`);
        const events = (Array.isArray(body?.events) ? body.events : []).flatMap((e) => {
          const r = eventSchema.safeParse(e);
          return r.success ? [r.data] : [];
        });
        loadEventHistory(events);
        return events.length;
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return 0;
        throw err;
      }
    },
    staleTime: Infinity,
  });
}

/**
 * The charts' history from the store (GET /api/series), loaded once and again on every reconnect,
 * so after a reload or a server restart the charts show the earlier traffic.
 */
export function useSeriesHistory() {
  return useQuery({
    queryKey: keys.series,
    queryFn: async () => {
      try {
        const series = seriesSchema.parse(await api("GET", `/api/series?points=${MAX_POINTS}`));
        seedHistory(series);
        return series.points.length;
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return 0; // an older server: live points only
        throw err;
      }
    },
    staleTime: Infinity,
  });
}

export interface DeployInput {
  replicas: number;
  runtime?: RuntimeKind;
}

export function useDeploy() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: ["deploy"],
    mutationFn: (input: DeployInput) => api("PUT", "/api/cluster", input),
    // The deploy before this one: its progress is not this one's.
    onMutate: () => ({ before: qc.getQueryData<ClusterDTO>(keys.cluster)?.progress?.startedAt }),
    onSuccess: (_r, input, ctx) => {
      const done = (c: ClusterDTO) => !!c.progress?.done && c.progress.target === input.replicas && c.progress.startedAt !== ctx?.before;
      pendingToast(input.replicas === 0 ? "Removing all replicas…" : `Scaling to ${input.replicas} replicas…`, done, qc.getQueryData(keys.cluster));
      void qc.invalidateQueries({ queryKey: keys.cluster });
    },
  });
}

/** Switch the runtime (local | swarm) or make it ready (`init`: docker swarm init). */
export function useRuntimeControl() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: ["runtime"],
    mutationFn: (input: { runtime?: RuntimeKind; init?: boolean }) => api("POST", "/api/runtime", input),
    onSuccess: (_r, input) => {
      toast("success", input.init ? "Runtime initialised" : `Runtime switched to ${input.runtime}`);
      void qc.invalidateQueries({ queryKey: keys.cluster });
    },
  });
}

export interface SendInput {
  from: string;
  to: string;
  content: string;
}

export function useSendMessage() {
  return useMutation({
    mutationFn: (input: SendInput) => api<{ ids?: string[] }>("POST", "/api/messages", input),
    onSuccess: (r, input) => {
      const n = r?.ids?.length ?? 1;
      toast("success", `Sent ${n} message${n === 1 ? "" : "s"} from ${shortName(input.from)}`);
    },
  });
}

export function useKillNode() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: ["kill"],
    mutationFn: (name: string) => api("POST", `/api/nodes/${encodeURIComponent(name)}/kill`),
    onSuccess: (_r, name) => {
      const gone = (c: ClusterDTO) => c.nodes.find((n) => n.name === name)?.status !== "up";
      pendingToast(`Killing ${shortName(name)}…`, gone, qc.getQueryData(keys.cluster));
    },
  });
}

/** The variables of the pending mutations of one kind (["deploy"], ["kill"]), wherever they were started. */
export function usePendingVariables<T>(key: "deploy" | "kill"): T[] {
  return useMutationState({ filters: { mutationKey: [key], status: "pending" }, select: (m) => m.state.variables as T });
}

export type TrafficPattern = "one" | "broadcast" | "ring" | "random" | "storm";

export interface TrafficInput {
  pattern: TrafficPattern;
  rate?: number;
  durationS?: number;
  rounds?: number;
  from?: string;
  to?: string;
}

/** What the server says about the current traffic run (beyond the documented contract: optional). */
export interface TrafficRun {
  run?: string;
  pattern?: string;
  startedAt?: number;
  expected?: number;
  generators?: number;
  done?: number;
  sent?: number;
}

export function useStartTraffic() {
  return useMutation({
    mutationFn: (input: TrafficInput) => api<{ traffic?: TrafficRun } | undefined>("POST", "/api/traffic", input),
  });
}

/** Polls GET /api/traffic while a run is going, when the server offers it. */
export function useTrafficState(active: boolean) {
  return useQuery({
    queryKey: keys.traffic,
    queryFn: async () => {
      try {
        return (await api<{ traffic?: TrafficRun | null }>("GET", "/api/traffic"))?.traffic ?? null;
      } catch (err) {
        if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return null;
        throw err;
      }
    },
    enabled: active,
    refetchInterval: active ? 1000 : false,
    staleTime: 0,
  });
}

export function useStopTraffic() {
  return useMutation({
    mutationFn: () => api("DELETE", "/api/traffic"),
    onSuccess: () => toast("info", "Traffic stopped"),
  });
}
