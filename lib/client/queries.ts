"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ClusterDTO, RuntimeKind, StatsDTO } from "@/lib/types";
import { api } from "./api";
import { shortName } from "./format";
import { useConnection } from "./connection";
import { messageStore } from "./message-store";
import { clusterSchema, parseMessages, statsSchema } from "./schemas";
import { toast } from "./toasts";

export const keys = {
  cluster: ["cluster"] as const,
  stats: ["stats"] as const,
  messages: ["messages"] as const,
};

/** Live through the socket; polled over HTTP only while the socket is down. */
export function useCluster() {
  const live = useConnection().status === "connected";
  return useQuery({
    queryKey: keys.cluster,
    queryFn: async () => clusterSchema.parse(await api("GET", "/api/cluster")),
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
    mutationFn: (input: TrafficInput) => api("POST", "/api/traffic", input),
  });
}

export function useStopTraffic() {
  return useMutation({
    mutationFn: () => api("DELETE", "/api/traffic"),
    onSuccess: () => toast("info", "Traffic stopped"),
  });
}

export type { ClusterDTO, StatsDTO };
