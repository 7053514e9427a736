"use client";

import { usePathname, useRouter } from "next/navigation";
import { useCallback, useMemo } from "react";
import { confirmAction } from "@/lib/client/confirm";
import { shortName } from "@/lib/client/format";
import { messageStore } from "@/lib/client/message-store";
import { useCluster, useDeploy, useKillNode, useSendMessage, useStartTraffic } from "@/lib/client/queries";
import { setUi, uiStore } from "@/lib/client/ui-state";
import { toast } from "@/lib/client/toasts";
import { MAX_REPLICAS } from "@/lib/contracts/common";
import type { NodeDTO } from "@/lib/contracts/http-replies";
import { bySlot } from "./use-sorted-nodes";

/** The storm of the T shortcut: the load the page is measured under (50 nodes, 10k msgs/s). */
export const STORM = { pattern: "storm", rate: 10_000, durationS: 10 } as const;

export const PRESENT_PATH = "/present";

/**
 * The main actions, the same from a button, a shortcut or (later) a scenario step: each reads
 * what the panels show (ui-state) and reports through the usual mutations and toasts.
 */
export function useActions() {
  const cluster = useCluster().data;
  const deploy = useDeploy();
  const kill = useKillNode();
  const send = useSendMessage();
  const traffic = useStartTraffic();
  const router = useRouter();
  const presenting = usePathname() === PRESENT_PATH;
  const nodes = cluster?.nodes;

  const sender = useCallback(() => senderOf(nodes ?? [], uiStore.get().from), [nodes]);

  const deployDraft = useCallback(() => {
    const draft = uiStore.get().replicasDraft;
    const desired = cluster?.desiredReplicas ?? 0;
    const n = Number(draft ?? (desired > 0 ? desired : 5));
    if (!cluster?.runtimeStatus.ready) return say(`The ${cluster?.runtime ?? ""} runtime is not ready${cluster?.runtimeStatus.problem ? `: ${cluster.runtimeStatus.problem}` : ""}`);
    if (!Number.isInteger(n) || n < 1 || n > MAX_REPLICAS) return say(`Choose between 1 and ${MAX_REPLICAS} replicas`);
    deploy.mutate({ replicas: n }, { onSuccess: () => setUi({ replicasDraft: null }) });
    return true;
  }, [cluster, deploy]);

  const removeAll = useCallback(async (opts?: { skipConfirm?: boolean }) => {
    if (!nodes?.length && !cluster?.desiredReplicas) return false;
    const ok = await confirmAction({
      title: "Remove all replicas?",
      body: `Stops all ${nodes?.length ?? 0} replicas and their Erlang nodes. Messages in flight to them are reported lost.`,
      confirmLabel: "Remove all",
      skip: opts?.skipConfirm,
    });
    if (ok) deploy.mutate({ replicas: 0 });
    return ok;
  }, [nodes, cluster, deploy]);

  const killNode = useCallback(async (name: string | null, opts?: { skipConfirm?: boolean }) => {
    const node = nodes?.find((n) => n.name === name);
    if (!node) return say("Select a node first: click it in the graph");
    if (node.status === "down") return say(`${shortName(node.name)} is already down`);
    const ok = await confirmAction({
      title: `Kill ${shortName(node.name)}?`,
      body: `Kills ${node.name} (its ${cluster?.runtime === "swarm" ? "task container" : "process"}). The runtime starts a new one; messages to it meanwhile are reported lost.`,
      confirmLabel: `Kill ${shortName(node.name)}`,
      skip: opts?.skipConfirm,
    });
    if (ok) kill.mutate(node.name);
    return ok;
  }, [nodes, cluster, kill]);

  const sendMessage = useCallback(() => {
    const { to, content } = uiStore.get();
    const from = sender();
    if (!from) return say("No node is up to send from: deploy first (D)");
    if (!(to === "*" || nodes?.some((n) => n.name === to))) return say("Choose who to send to in the Send panel");
    send.mutate({ from, to, content: content || "hello" });
    return true;
  }, [nodes, send, sender]);

  const storm = useCallback(() => {
    if ((nodes?.filter((n) => n.status === "up").length ?? 0) < 2) return say("A storm needs at least 2 nodes up: deploy first (D)");
    traffic.mutate({ ...STORM }, { onSuccess: () => toast("success", `Storm: ${STORM.rate.toLocaleString("en-US")} messages/s for ${STORM.durationS} s`) });
    return true;
  }, [nodes, traffic]);

  const togglePause = useCallback(() => {
    const paused = uiStore.get().frozen !== null;
    setUi({ frozen: paused ? null : new Set(messageStore.snapshot().map((m) => m.id)) });
  }, []);

  const togglePresenter = useCallback(() => router.push(presenting ? "/" : PRESENT_PATH), [router, presenting]);

  return useMemo(
    () => ({ deployDraft, removeAll, killNode, killSelected: () => killNode(uiStore.get().selected), sendMessage, storm, togglePause, togglePresenter, presenting }),
    [deployDraft, removeAll, killNode, sendMessage, storm, togglePause, togglePresenter, presenting],
  );
}

export type Actions = ReturnType<typeof useActions>;

/** A shortcut that cannot act says why, rather than doing nothing. */
function say(why: string): false {
  toast("info", why);
  return false;
}

/** The chosen sender while it is up, else the first node up ("" when none is). */
export function senderOf(nodes: readonly NodeDTO[], from: string): string {
  const up = nodes.filter((n) => n.status === "up").sort(bySlot);
  return up.some((n) => n.name === from) ? from : (up[0]?.name ?? "");
}
