"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RuntimeKind } from "@/lib/types";
import { api, ApiError } from "./api";
import { loadEventHistory, MAX_EVENTS } from "./events";
import { rememberSlots, shortName } from "./format";
import { useConnection } from "./connection";
import { messageStore } from "./message-store";
import { clusterSchema, eventSchema, parseMessages, seriesSchema, statsSchema } from "./schemas";
import { MAX_POINTS, seedHistory } from "./stats-history";
import { toast } from "./toasts";
import { setTraffic } from "./traffic";

export const keys = {
  cluster: ["cluster"] as const,
  stats: ["stats"] as const,
  messages: ["messages"] as const,
  events: ["events"] as const,
  series: ["series"] as const,
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
    onSuccess: (_r, input) => {
      toast("info", input.replicas === 0 ? "Removing all replicas…" : `Scaling to ${input.replicas} replicas…`);
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
  return useMutation({
    mutationFn: (name: string) => api("POST", `/api/nodes/${encodeURIComponent(name)}/kill`),
    onSuccess: (_r, name) => toast("info", `Killing ${shortName(name)}…`),
  });
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

export function useStartTraffic() {
  return useMutation({
    mutationFn: async (input: TrafficInput) => setTraffic((await api<{ traffic?: unknown }>("POST", "/api/traffic", input))?.traffic),
  });
}

/** Stops the running run; the server answers 404 when none runs (shown like any failed request). */
export function useStopTraffic() {
  return useMutation({
    mutationFn: async () => setTraffic((await api<{ traffic?: unknown }>("DELETE", "/api/traffic"))?.traffic),
    onSuccess: () => toast("info", "Traffic stopped"),
  });
}
