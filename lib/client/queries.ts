"use client";

import { useMutation, useMutationState, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TrafficPattern } from "../contracts/common";
import type { RuntimeBody, ScaleBody, SendBody, TrafficBody } from "../contracts/http-requests";
import type { ClusterDTO } from "../contracts/http-replies";
import { routes } from "../contracts/routes";
import { call } from "./api";
import { loadEventHistory, MAX_EVENTS } from "./events";
import { rememberSlots, shortName } from "./format";
import { useConnection } from "./connection";
import { messageStore } from "./message-store";
import { useReplaying } from "./replay/mode";
import { MAX_POINTS, seedHistory } from "./stats-history";
import { pendingToast, toast } from "./toasts";
import { setTraffic } from "./traffic";

// Every fetcher goes through call(): the reply is checked against the route's schema in
// lib/contracts, and one that does not match puts the query in its error state (QueryCache reports it).

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
  const replaying = useReplaying();
  return useQuery({
    enabled: !replaying, // the replay player sets it
    queryKey: keys.cluster,
    queryFn: async () => {
      const c = await call(routes.getCluster);
      rememberSlots(c.nodes);
      return c;
    },
    refetchInterval: live ? false : 5000,
  });
}

export function useStats() {
  const live = useConnection().status === "connected";
  const replaying = useReplaying();
  return useQuery({
    enabled: !replaying, // the replay player sets it
    queryKey: keys.stats,
    queryFn: () => call(routes.stats),
    refetchInterval: live ? false : 5000,
  });
}

/** A history loaded once, and again on every reconnect (the socket invalidates the queries), into its store; answers how many it loaded. */
function useHistory(queryKey: readonly string[], load: () => Promise<number>) {
  return useQuery({ queryKey, queryFn: load, staleTime: Infinity });
}

/** Recent messages into the message store. */
export function useMessageHistory() {
  return useHistory(keys.messages, async () => {
    const { messages } = await call(routes.listMessages, { query: { limit: 200 } });
    messageStore.merge(messages, false);
    return messages.length;
  });
}

/** Recent cluster events for the log. */
export function useEventHistory() {
  return useHistory(keys.events, async () => {
    const { events } = await call(routes.events, { query: { limit: MAX_EVENTS } });
    loadEventHistory(events);
    return events.length;
  });
}

/** The charts' history from the store (GET /api/series): after a reload or a server restart the charts show the earlier traffic. */
export function useSeriesHistory() {
  return useHistory(keys.series, async () => {
    const series = await call(routes.series, { query: { points: MAX_POINTS } });
    seedHistory(series);
    return series.points.length;
  });
}

export function useDeploy() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: ["deploy"],
    mutationFn: (input: DeployInput) => call(routes.scale, { body: input }),
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
    mutationFn: (input: RuntimeBody) => call(routes.setRuntime, { body: input }),
    onSuccess: (_r, input) => {
      toast("success", input.init ? "Runtime initialised" : `Runtime switched to ${input.runtime}`);
      void qc.invalidateQueries({ queryKey: keys.cluster });
    },
  });
}

export function useSendMessage() {
  return useMutation({
    mutationFn: (input: SendBody) => call(routes.sendMessage, { body: input }),
    onSuccess: (r, input) => {
      const n = r.ids.length;
      toast("success", `Sent ${n} message${n === 1 ? "" : "s"} from ${shortName(input.from)}`);
    },
  });
}

export function useKillNode() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: ["kill"],
    mutationFn: (name: string) => call(routes.killNode, { params: { name } }),
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

export type { TrafficPattern };
export type TrafficInput = TrafficBody;
export type DeployInput = ScaleBody;

export function useStartTraffic() {
  return useMutation({
    mutationFn: async (input: TrafficInput) => setTraffic((await call(routes.startTraffic, { body: input })).traffic),
  });
}

/** Stops the running run; the server answers 404 when none runs (shown like any failed request). */
export function useStopTraffic() {
  return useMutation({
    mutationFn: async () => setTraffic((await call(routes.stopTraffic)).traffic),
    onSuccess: () => toast("info", "Traffic stopped"),
  });
}
